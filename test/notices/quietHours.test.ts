import { describe, expect, it } from 'vitest';
import { zonedInstant } from '#shared/clock.ts';
import { quietUntil } from '#shared/notices/quietHours.ts';

const NIGHT = { start: '21:00', end: '08:00' };
const NY = 'America/New_York';

describe('Function: quietUntil', () => {
  it('is undefined in the daytime', () => {
    expect(quietUntil(NIGHT, NY, new Date('2026-11-20T17:00:00Z'))).toBeUndefined();
  });

  it('ends the next morning for a time before midnight, and the same morning after it', () => {
    expect(quietUntil(NIGHT, NY, new Date('2026-11-21T02:30:00Z'))?.toISOString()).toBe('2026-11-21T13:00:00.000Z');
    expect(quietUntil(NIGHT, NY, new Date('2026-11-21T07:30:00Z'))?.toISOString()).toBe('2026-11-21T13:00:00.000Z');
  });

  it('follows the clock change: the night daylight saving ends, 08:00 is 13:00 UTC, not 12:00', () => {
    // 31 October 2026, 22:00 EDT; daylight saving ends at 02:00 on 1 November.
    expect(quietUntil(NIGHT, NY, new Date('2026-11-01T02:00:00Z'))?.toISOString()).toBe('2026-11-01T13:00:00.000Z');
    expect(zonedInstant(NY, '2026-10-31', '08:00').toISOString()).toBe('2026-10-31T12:00:00.000Z');
  });

  it('handles quiet hours that do not cross midnight', () => {
    expect(quietUntil({ start: '12:00', end: '13:00' }, NY, new Date('2026-11-20T17:30:00Z'))?.toISOString()).toBe(
      '2026-11-20T18:00:00.000Z',
    );
  });
});
