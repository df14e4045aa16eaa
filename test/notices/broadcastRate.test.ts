/**
 * The notifier's settings derived from the configured rates, the pacer's first-send spread, and the
 * broadcast simulation in small size: a broadcast finishes in the time its rate implies (within 10%)
 * and never sends faster than the rate over a whole run.
 */
import { describe, expect, it } from 'vitest';
import { simulateBroadcast } from '#bench/broadcastBench.ts';
import { NOTICE_WORK_SECONDS, notifierThroughput } from '#shared/notices/broadcastRate.ts';
import { SmsPacer } from '#shared/notices/smsPacer.ts';

describe('Function: notifierThroughput', () => {
  it('runs two instances for slow rates and enough for 100 parts a second, sharing each rate between them', () => {
    expect(notifierThroughput({ smsPartsPerSecond: 1, emailsPerSecond: 1 }, 30)).toEqual({
      maxConcurrency: 2,
      batchSize: 5,
      smsIntervalMs: 2_000,
      emailIntervalMs: 2_000,
    });
    expect(notifierThroughput({ smsPartsPerSecond: 100, emailsPerSecond: 14 }, 30)).toEqual({
      maxConcurrency: 50,
      batchSize: 5,
      smsIntervalMs: 500,
      emailIntervalMs: 3_572,
    });
  });

  it("leaves each instance the work time of a notice between its sends, and a batch's turns within 80% of the timeout", () => {
    for (const sms of [1, 3, 10, 25, 100]) {
      for (const email of [1, 14, 50, 200]) {
        const t = notifierThroughput({ smsPartsPerSecond: sms, emailsPerSecond: email }, 30);
        expect(Math.min(t.smsIntervalMs, t.emailIntervalMs) / 1000).toBeGreaterThanOrEqual(NOTICE_WORK_SECONDS);
        // Together the instances never exceed either rate.
        expect((t.maxConcurrency * 1000) / t.smsIntervalMs).toBeLessThanOrEqual(sms);
        expect((t.maxConcurrency * 1000) / t.emailIntervalMs).toBeLessThanOrEqual(email);
        expect(t.batchSize).toBeGreaterThanOrEqual(1);
        expect(t.batchSize).toBeLessThanOrEqual(10);
        expect(t.batchSize === 1 || t.batchSize * (t.smsIntervalMs + t.emailIntervalMs) <= 24_000).toBe(true);
      }
    }
  });
});

describe('Class: SmsPacer', () => {
  it('delays the first send by the given spread, then keeps the interval', async () => {
    const waits: number[] = [];
    const pacer = new SmsPacer(
      1_000,
      () => 0,
      async (ms) => void waits.push(ms),
      (interval) => interval / 4,
    );
    await Promise.all([pacer.turn(), pacer.turn()]);
    expect(waits).toEqual([250, 1_250]);
  });
});

describe('Function: simulateBroadcast', () => {
  it.each([
    ['sms', { smsPartsPerSecond: 3, emailsPerSecond: 14 }, 3],
    ['sms', { smsPartsPerSecond: 100, emailsPerSecond: 14 }, 100],
    ['email', { smsPartsPerSecond: 1, emailsPerSecond: 14 }, 14],
  ] as const)('sends %s to 1,000 patrons at %o in the time the rate implies, within 10%', async (channel, rates, rate) => {
    const run = await simulateBroadcast(channel, 1_000, rates);
    expect(run.floorSeconds).toBeCloseTo(1_000 / rate);
    expect(run.seconds / run.floorSeconds).toBeGreaterThanOrEqual(0.97);
    expect(run.seconds / run.floorSeconds).toBeLessThanOrEqual(1.1);
  });
});
