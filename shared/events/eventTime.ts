/**
 * How far ahead of Bookdrop's clock an event may be dated. Consent and contacts follow the latest
 * `occurredAt`, and a patron's own STOP, unsubscribe or bounce is stamped with Bookdrop's clock: a
 * patron event dated further ahead (an ILS clock or year set wrong) would outrank every one of them
 * until that date. Such an event is refused (the dead-letter queue); a redrive applies it once that
 * time has passed.
 */
import { EventValidationError, type FieldIssue } from '#shared/errors.ts';
import type { CirculationDetailType, CirculationEvent } from '#shared/events/contract.ts';

/** Clock skew allowed between the ILS and Bookdrop. */
export const MAX_PATRON_EVENT_LEAD_MS = 5 * 60_000;

/** The events that set consent and contacts. */
const PATRON_EVENTS: ReadonlySet<CirculationDetailType> = new Set(['PatronRegistered', 'PatronPreferencesChanged', 'PatronClosed']);

/** The issue of a patron event dated more than {@link MAX_PATRON_EVENT_LEAD_MS} after `now`, if it is. */
export function aheadOfClock(event: CirculationEvent, now: Date): FieldIssue | undefined {
  if (!PATRON_EVENTS.has(event.detailType)) return undefined;
  if (Date.parse(event.detail.occurredAt) <= now.getTime() + MAX_PATRON_EVENT_LEAD_MS) return undefined;
  return { field: 'detail.occurredAt', rule: "must not be more than 5 minutes ahead of Bookdrop's clock (check the ILS's clock)" };
}

/** Throws {@link EventValidationError} for a patron event dated too far ahead of `now`. */
export function assertNotAhead(event: CirculationEvent, now: Date): void {
  const issue = aheadOfClock(event, now);
  if (issue) throw new EventValidationError([issue], { detailType: event.detailType, eventId: event.detail.eventId });
}
