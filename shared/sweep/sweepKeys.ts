/**
 * Keys of the sweep index and the calendar arithmetic of the daily sweep. Days are calendar dates
 * (YYYY-MM-DD) in the library's time zone, so a daylight-saving change never shifts a reminder.
 */
import { createHash } from 'node:crypto';
import { dayIn } from '#shared/clock.ts';
import { SWEEP_SHARDS } from '#shared/table/tableDefinition.ts';
import { sweepPartition } from '#shared/table/keys.ts';

export function sweepShard(patronId: string): number {
  return createHash('sha256').update(patronId).digest()[1]! % SWEEP_SHARDS;
}

/** Index keys of an open loan due at `dueAt`. */
export function loanSweepKeys(timeZone: string, patronId: string, loanId: string, dueAt: string) {
  return { sweepKey: sweepPartition('DUE', dayIn(timeZone, dueAt), sweepShard(patronId)), sweepSort: `${patronId}#${loanId}` };
}

/** Index keys of a ready hold to be picked up by `pickupBy`. */
export function holdSweepKeys(timeZone: string, patronId: string, holdId: string, pickupBy: string) {
  return { sweepKey: sweepPartition('PICKUP', dayIn(timeZone, pickupBy), sweepShard(patronId)), sweepSort: `${patronId}#${holdId}` };
}

/** `day` plus `days` calendar days (negative for before). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
