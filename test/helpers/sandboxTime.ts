/**
 * Sandbox tests run on the sandbox's clock, which starts at the real time: library-initiated texts
 * wait for the end of quiet hours, so a test that expects them at once first moves the clock to noon.
 */
import { dayIn, zonedInstant } from '#shared/clock.ts';
import { addDays } from '#shared/sweep/sweepKeys.ts';

/** Tomorrow 12:00 in the library's time zone, as ISO 8601 (always ahead of the sandbox's start). */
export function tomorrowNoon(timeZone: string, now: Date = new Date()): string {
  return zonedInstant(timeZone, addDays(dayIn(timeZone, now), 1), '12:00').toISOString();
}

/** Moves a sandbox's clock (through its HTTP API) to tomorrow noon, library time. */
export async function moveSandboxToNoon(api: string, timeZone: string): Promise<string> {
  const now = tomorrowNoon(timeZone);
  const response = await fetch(`${api}/sandbox/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ now }),
  });
  if (response.status !== 200) throw new Error(`the sandbox clock did not move: ${response.status}`);
  return now;
}
