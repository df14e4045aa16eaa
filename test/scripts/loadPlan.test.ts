/**
 * The load generator's plan: repeatable from its seed, with the shares of duplicates and reversed
 * pairs asked for, aimed at same-day collisions, and expectations that add up.
 */
import { describe, expect, it } from 'vitest';
import { buildLoadPlan, type LoadOptions } from '#scripts/load/plan.ts';

const options: LoadOptions = {
  patrons: 30,
  events: 400,
  duplicateShare: 0.2,
  outOfOrderShare: 0.5,
  seed: 7,
  branches: [
    { library: 'riverside', branch: 'riverside-main' },
    { library: 'maplewood', branch: 'maplewood-central' },
  ],
  timeZone: 'America/New_York',
  now: new Date('2026-11-29T12:00:00Z'),
};

describe('Function: buildLoadPlan', () => {
  it('gives the same plan for the same seed and another for another seed', () => {
    expect(buildLoadPlan(options)).toEqual(buildLoadPlan(options));
    expect(buildLoadPlan({ ...options, seed: 8 }).circulation).not.toEqual(buildLoadPlan(options).circulation);
  });

  it('sends exactly the events asked for, with the share of exact duplicates asked for', () => {
    const plan = buildLoadPlan(options);
    const sent = [...plan.registrations, ...plan.circulation];
    const duplicates = sent.filter((event) => event.duplicate);

    expect(sent).toHaveLength(400);
    expect(duplicates).toHaveLength(80);
    const originals = new Map(sent.filter((event) => !event.duplicate).map((event) => [event.detail.eventId, event.detail]));
    expect(originals.size).toBe(320);
    for (const duplicate of duplicates) expect(duplicate.detail).toEqual(originals.get(duplicate.detail.eventId));
  });

  it('reverses pairs: some returns, renewals, hold closures or fine resolutions are sent before what they follow', () => {
    const plan = buildLoadPlan(options);
    const position = new Map(plan.circulation.filter((event) => !event.duplicate).map((event, index) => [event.detail.eventId, index]));
    const checkouts = plan.circulation.filter((event) => event.detailType === 'ItemCheckedOut' && !event.duplicate);
    const followedEarly = checkouts.filter((checkout) =>
      plan.circulation.some(
        (other) =>
          !other.duplicate &&
          other.detail.loanId === checkout.detail.loanId &&
          other.detailType !== 'ItemCheckedOut' &&
          position.get(other.detail.eventId)! < position.get(checkout.detail.eventId)!,
      ),
    );

    expect(plan.counts.reversedPairs).toBeGreaterThan(0);
    expect(followedEarly.length).toBeGreaterThan(0);
  });

  it('plans statistics that add up to the unique loan events, and returns on the day of their checkout', () => {
    const plan = buildLoadPlan(options);
    const unique = plan.circulation.filter((event) => !event.duplicate);
    const total = (counter: string) =>
      Object.entries(plan.expected.statistics)
        .filter(([key]) => key.startsWith(`${counter}|`))
        .reduce((sum, [, n]) => sum + n, 0);
    const day = (at: string) => at.slice(0, 10);
    const checkoutDay = new Map(
      unique.filter((e) => e.detailType === 'ItemCheckedOut').map((e) => [e.detail.loanId, day(e.detail.occurredAt)]),
    );
    const sameDayReturns = unique.filter(
      (e) => e.detailType === 'ItemReturned' && checkoutDay.get(e.detail.loanId) === day(e.detail.occurredAt),
    );

    expect(total('checkouts')).toBe(unique.filter((e) => e.detailType === 'ItemCheckedOut').length);
    expect(total('returns')).toBe(unique.filter((e) => e.detailType === 'ItemReturned').length);
    expect(total('renewals')).toBe(unique.filter((e) => e.detailType === 'LoanRenewed').length);
    expect(sameDayReturns.length).toBeGreaterThan(0);
  });
});
