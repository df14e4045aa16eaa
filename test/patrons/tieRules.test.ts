/**
 * The tie rules (docs/ordering.md): two events with the same `occurredAt` end in the same state
 * whichever arrives first. Pure domain logic: no emulator.
 */
import { describe, expect, it } from 'vitest';
import {
  applyClosure,
  applyPreferences,
  applyRegistration,
  emptyProfile,
  type PatronProfile,
  type ProfileChange,
} from '#shared/patrons/patronProfile.ts';
import { applyCheckout, applyRenewal, dueSupersedes, emptyLoanState, statTotals, type LoanContext } from '#shared/circulation/loans.ts';
import type { DetailOf } from '#shared/events/contract.ts';

const AT = '2026-11-05T09:00:00-05:00';

const registered = (
  consent: { sms: boolean; email: boolean; checkoutHistory: boolean },
  eventId = 'evt-reg',
): DetailOf<'PatronRegistered'> => ({
  eventId,
  occurredAt: AT,
  patronId: 'P-1',
  library: 'riverside',
  language: 'en',
  contact: { phone: '+15555550100', email: 'tie@example.net' },
  consent,
  policyVersion: '2026-09',
});

const changed = (eventId: string, changes: DetailOf<'PatronPreferencesChanged'>['changes']): DetailOf<'PatronPreferencesChanged'> => ({
  eventId,
  occurredAt: AT,
  patronId: 'P-1',
  source: 'catalog',
  changes,
  policyVersion: '2026-09',
});

type Step = (profile: PatronProfile) => ProfileChange;

/** Applies the steps in order, keeping each resulting profile (as the service stores it). */
function run(steps: readonly Step[]): PatronProfile {
  return steps.reduce((profile, step) => step(profile).profile, emptyProfile('P-1'));
}

/** Both orders of two events end in the same profile; returns it. */
function bothOrders(first: Step, second: Step): PatronProfile {
  const forward = run([first, second]);
  const backward = run([second, first]);
  expect(backward).toEqual(forward);
  return forward;
}

describe('Tie rule: consent choices with the same occurredAt', () => {
  for (const topic of ['sms', 'email', 'checkoutHistory'] as const) {
    it(`${topic}: the opt-out wins over the registration's opt-in, whichever arrives first`, () => {
      const profile = bothOrders(
        (p) => applyRegistration(p, registered({ sms: true, email: true, checkoutHistory: true })),
        (p) => applyPreferences(p, changed('evt-out', { consent: { [topic]: false } })),
      );
      expect(profile.consent[topic]).toMatchObject({ optedIn: false, evidenceId: 'evt-out', source: 'catalog' });
    });

    it(`${topic}: the opt-out wins over a later-arriving opt-in of another change`, () => {
      const profile = bothOrders(
        (p) => applyPreferences(p, changed('evt-a-out', { consent: { [topic]: false } })),
        (p) => applyPreferences(p, changed('evt-z-in', { consent: { [topic]: true } })),
      );
      expect(profile.consent[topic]).toMatchObject({ optedIn: false, evidenceId: 'evt-a-out' });
    });
  }

  it('two equal choices at the same time: the greater event id is the one on record', () => {
    const profile = bothOrders(
      (p) => applyPreferences(p, changed('evt-1', { consent: { sms: true } })),
      (p) => applyPreferences(p, changed('evt-2', { consent: { sms: true } })),
    );
    expect(profile.consent.sms).toMatchObject({ optedIn: true, evidenceId: 'evt-2' });
  });

  it('a late choice at the tie is recorded in the ledger as not effective', () => {
    const outFirst = applyPreferences(emptyProfile('P-1'), changed('evt-out', { consent: { sms: false } })).profile;
    const lateIn = applyPreferences(outFirst, changed('evt-in', { consent: { sms: true } }));
    expect(lateIn.ledger).toEqual([expect.objectContaining({ topic: 'sms', optedIn: true, effective: false })]);
    expect(lateIn.profile.consent.sms?.optedIn).toBe(false);
  });
});

describe('Tie rule: contacts, library, language', () => {
  it('clearing a contact wins over setting one at the same time', () => {
    const profile = bothOrders(
      (p) => applyPreferences(p, changed('evt-z-set', { contact: { phone: '+15555550199' } })),
      (p) => applyPreferences(p, changed('evt-a-clear', { contact: { phone: null } })),
    );
    expect(profile.contacts.sms).toMatchObject({ cipher: null, evidenceId: 'evt-a-clear' });
  });

  it('two new contacts at the same time: the greater event id wins', () => {
    const profile = bothOrders(
      (p) => applyPreferences(p, changed('evt-1', { contact: { email: 'one@example.net' } })),
      (p) => applyPreferences(p, changed('evt-2', { contact: { email: 'two@example.net' } })),
    );
    expect(profile.contacts.email).toMatchObject({ evidenceId: 'evt-2' });
  });

  it('language: the greater event id wins', () => {
    const profile = bothOrders(
      (p) => applyPreferences(p, changed('evt-1', { language: 'es' })),
      (p) => applyPreferences(p, changed('evt-2', { language: 'en' })),
    );
    expect(profile.language).toMatchObject({ value: 'en', evidenceId: 'evt-2' });
  });
});

describe('Tie rule: closure', () => {
  it('a consent choice at the same time as the closure does not survive it', () => {
    const open = run([(p) => applyRegistration(p, registered({ sms: false, email: false, checkoutHistory: false }, 'evt-0'))]);
    const close = (p: PatronProfile) => applyClosure(p, { eventId: 'evt-close', occurredAt: AT, patronId: 'P-1' });
    const optIn = (p: PatronProfile) => applyPreferences(p, changed('evt-in', { consent: { sms: true } }));
    const forward = [close, optIn].reduce((p, step) => step(p).profile, open);
    const backward = [optIn, close].reduce((p, step) => step(p).profile, open);
    // The policy version on record is the provenance of the last event applied, not a choice.
    const { policyVersion: _a, ...backwardState } = backward;
    const { policyVersion: _b, ...forwardState } = forward;
    expect(backwardState).toEqual(forwardState);
    expect(forward.consent.sms?.optedIn).toBe(false);
    expect(forward.closedAt).toBeDefined();
  });
});

describe('Tie rule: due dates', () => {
  const context: LoanContext = { dayOf: (iso) => iso.slice(0, 10), keepsHistory: false, hasOpenFine: false };
  const checkout: DetailOf<'ItemCheckedOut'> = {
    eventId: 'co',
    occurredAt: AT,
    loanId: 'L-1',
    patronId: 'P-1',
    itemId: 'I-1',
    title: 'T',
    branch: 'B',
    dueAt: '2026-11-26T23:59:00-05:00',
  };
  const renewal = (eventId: string, dueAt: string): DetailOf<'LoanRenewed'> => ({
    eventId,
    occurredAt: AT,
    loanId: 'L-1',
    patronId: 'P-1',
    dueAt,
  });

  it('two renewals at the same time: the later due date stands, in either order', () => {
    const early = renewal('rn-1', '2026-12-03T23:59:00-05:00');
    const late = renewal('rn-2', '2026-12-10T23:59:00-05:00');
    const start = applyCheckout(emptyLoanState, checkout, context).state;
    const forward = applyRenewal(applyRenewal(start, early, context).state, late, context).state;
    const backward = applyRenewal(applyRenewal(start, late, context).state, early, context).state;
    expect(forward.loan?.dueAt).toEqual(backward.loan?.dueAt);
    expect(forward.loan?.dueAt.value).toBe('2026-12-11T04:59:00.000Z');
  });

  it('a renewal at the checkout time: the later due date stands whether it comes before or after', () => {
    const extend = renewal('rn-1', '2026-12-10T23:59:00-05:00');
    const after = applyRenewal(applyCheckout(emptyLoanState, checkout, context).state, extend, context).state;
    const before = applyCheckout(applyRenewal(emptyLoanState, extend, context).state, checkout, context).state;
    expect(before.loan?.dueAt).toEqual(after.loan?.dueAt);
    expect(dueSupersedes({ value: 'b', at: AT }, { value: 'a', at: AT })).toBe(true);
    expect(dueSupersedes({ value: 'a', at: AT }, { value: 'b', at: AT })).toBe(false);
  });
});

describe('Function: statTotals', () => {
  it('merges the increments of one statistics item into one update per item', () => {
    const item = { day: '2026-11-05', branch: 'B', materialType: 'book' };
    expect(
      statTotals([
        { ...item, counter: 'returns', eventId: 'e1' },
        { ...item, counter: 'renewals', eventId: 'e2' },
        { ...item, counter: 'checkouts', eventId: 'e3' },
        { ...item, counter: 'renewals', eventId: 'e4' },
        { ...item, branch: 'C', counter: 'returns', eventId: 'e5' },
      ]),
    ).toEqual([
      { ...item, counts: { returns: 1, renewals: 2, checkouts: 1 } },
      { ...item, branch: 'C', counts: { returns: 1 } },
    ]);
  });
});
