/**
 * SMS quiet hours (default 21:00 to 08:00, library time): every text the library starts (reminders,
 * hold and fine notices, opt-in confirmations, broadcasts) waits until the morning. Only a direct
 * answer to a patron's own text goes at once. Email is never delayed.
 */
import { addDays } from '#shared/sweep/sweepKeys.ts';
import { dayIn, timeIn, zonedInstant } from '#shared/clock.ts';
import { NOTICE_KINDS, QUIET_HOURS_RULES, type NoticeKind } from '#shared/notices/noticeKinds.ts';

export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

/** The kinds whose SMS waits for the morning, from each kind's quiet-hours rule. */
export const WAITS_FOR_MORNING: ReadonlySet<NoticeKind> = new Set(
  NOTICE_KINDS.filter((kind) => QUIET_HOURS_RULES[kind] === 'wait-for-morning'),
);

/** When quiet hours covering `now` end, or `undefined` if `now` is outside them. */
export function quietUntil(quiet: QuietHours, timeZone: string, now: Date): Date | undefined {
  const time = timeIn(timeZone, now);
  const wraps = quiet.start > quiet.end;
  const inside = wraps ? time >= quiet.start || time < quiet.end : time >= quiet.start && time < quiet.end;
  if (!inside) return undefined;
  const today = dayIn(timeZone, now);
  const endDay = wraps && time >= quiet.start ? addDays(today, 1) : today;
  return zonedInstant(timeZone, endDay, quiet.end);
}
