/**
 * SMS quiet hours (default 21:00 to 08:00, library time): scheduled reminders do not text patrons at
 * night; they wait until the morning. Email is never delayed.
 */
import { addDays } from '#shared/sweep/sweepKeys.ts';
import { dayIn, timeIn, zonedInstant } from '#shared/clock.ts';
import type { NoticeKind } from '#shared/notices/noticeKinds.ts';

export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

/** The kinds whose SMS waits for the morning: reminders, not answers to something the patron did. */
export const WAITS_FOR_MORNING: ReadonlySet<NoticeKind> = new Set(['due-soon', 'overdue', 'hold-expiring']);

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
