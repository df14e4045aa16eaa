/**
 * The pure merge of a loan item found beside its tombstone (`absorbStrayLoan`) and the statistics sums
 * (`sumStatistics`): what the write-first loan changes rely on, without an emulator.
 */
import { describe, expect, it } from 'vitest';
import {
  absorbStrayLoan,
  applyCheckout,
  applyReturn,
  emptyLoanState,
  sumStatistics,
  type LoanContext,
  type LoanState,
} from '#shared/circulation/loans.ts';
import type { DetailOf } from '#shared/events/contract.ts';

const context = (keepsHistory: boolean): LoanContext => ({ dayOf: (iso) => iso.slice(0, 10), keepsHistory, hasOpenFine: false });
const checkout: DetailOf<'ItemCheckedOut'> = {
  eventId: 'co-1',
  occurredAt: '2026-11-04T10:00:00Z',
  loanId: 'L-1',
  patronId: 'P-1',
  itemId: 'I-1',
  title: 'Kindred',
  materialType: 'book',
  branch: 'B-1',
  dueAt: '2026-11-25T23:59:00Z',
};
const returned: DetailOf<'ItemReturned'> = { eventId: 'rt-1', occurredAt: '2026-11-05T10:00:00Z', loanId: 'L-1', patronId: 'P-1' };

/** The loan item a checkout writes on an empty state, and the tombstone a return writes on it or on nothing. */
const checkedOut = (keepsHistory: boolean): LoanState => applyCheckout(emptyLoanState, checkout, context(keepsHistory)).state;

describe('Function: absorbStrayLoan', () => {
  it('a checkout written after its return committed: the counts that waited are due, the history entry written, the link gone', () => {
    const tombstone = applyReturn(emptyLoanState, returned, context(true)).state;

    const merged = absorbStrayLoan(tombstone, checkedOut(true), context(true));

    const inOrder = applyReturn(checkedOut(true), returned, context(true));
    expect(merged.state).toEqual(inOrder.state);
    expect(merged.state.loan).toBeUndefined();
    expect(merged.stats).toEqual([{ day: '2026-11-05', branch: 'B-1', materialType: 'book', counter: 'returns', eventId: 'rt-1' }]);
    expect(merged.history).toEqual(inOrder.history);
    expect(merged.changed).toBe(true);
  });

  it('a return interrupted before it removed the link: nothing more to count or write, only the link to remove', () => {
    const loan = checkedOut(false);
    const tombstone = applyReturn(loan, returned, context(false)).state;

    const merged = absorbStrayLoan(tombstone, loan, context(true));

    expect(merged.state).toEqual(tombstone);
    expect(merged.stats).toEqual([]);
    expect(merged.history).toBeUndefined();
    expect(merged.changed).toBe(true);
  });

  it('writes no history for a patron who does not keep it', () => {
    const tombstone = applyReturn(emptyLoanState, returned, context(false)).state;
    expect(absorbStrayLoan(tombstone, checkedOut(false), context(false)).history).toBeUndefined();
  });
});

describe('Function: sumStatistics', () => {
  it('sums one item per counted event and totals written before, per day, branch and material type', () => {
    const day = { day: '2026-11-04', branch: 'B-1', materialType: 'book' };
    expect(
      sumStatistics([
        { ...day, checkouts: 1 },
        { ...day, returns: 1 },
        { ...day, checkouts: 40, renewals: 3 },
        { ...day, materialType: 'dvd', checkouts: 1 },
      ]),
    ).toEqual([
      { ...day, counts: { checkouts: 41, returns: 1, renewals: 3 } },
      { ...day, materialType: 'dvd', counts: { checkouts: 1 } },
    ]);
  });
});
