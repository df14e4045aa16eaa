import { describe, expect, it } from 'vitest';
import { SmsPacer, smsIntervalMs } from '#shared/notices/smsPacer.ts';

describe('Class: SmsPacer', () => {
  it('starts concurrent sends at least the interval apart', async () => {
    // Five sends asked for at the same instant: each waits its turn.
    const waits: number[] = [];
    const pacer = new SmsPacer(
      500,
      () => 1_000,
      async (ms) => {
        waits.push(ms);
      },
    );
    await Promise.all(Array.from({ length: 5 }, () => pacer.turn()));
    expect(waits).toEqual([500, 1_000, 1_500, 2_000]);
  });

  it('does not wait when sends are already far apart, or when pacing is off', async () => {
    let slept = 0;
    let now = 0;
    const sleep = async (ms: number) => {
      slept += ms;
    };
    const pacer = new SmsPacer(100, () => now, sleep);
    await pacer.turn();
    now = 1_000;
    await pacer.turn();
    await new SmsPacer(0, () => now, sleep).turn();
    expect(slept).toBe(0);
  });
});

describe('Function: smsIntervalMs', () => {
  it('shares the carrier rate between the instances', () => {
    expect(smsIntervalMs(1, 2)).toBe(2_000);
    expect(smsIntervalMs(20, 2)).toBe(100);
    expect(smsIntervalMs(3, 2)).toBe(667);
  });
});
