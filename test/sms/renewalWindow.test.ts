/**
 * Which requests a `LoanRenewed` without request id answers: those of its patron naming its loan,
 * made no later than the renewal and whose deadline had not passed, with the ILS clock allowance at
 * both ends, to the millisecond; the oldest first; never another patron's. Domain logic on the
 * in-memory store: no emulator (DynamoDB Local runs the same flows in renewWithoutRequestId.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.ts';
import { RENEWAL_CLOCK_SKEW_MS, RenewalTracker, type RenewalRequest } from '#shared/sms/renewalRequests.ts';
import { testConfig } from '#test/helpers/factories.ts';
import { MemoryNoticeQueue, MemoryRenewalStore } from '#test/helpers/memoryStores.ts';

const REQUESTED_AT = '2026-11-04T15:00:00.000Z';
const DEADLINE = '2026-11-04T15:02:00.000Z';
const at = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const RENEWED = { state: 'renewed', dueAt: '2026-11-19T04:59:00.000Z' } as const;

function request(requestId: string, patronId: string, loanIds: string[], requestedAt = REQUESTED_AT): RenewalRequest {
  return {
    requestId,
    replyPatronId: patronId,
    language: 'en',
    library: 'riverside',
    requestedAt,
    deadline: at(requestedAt, 120_000),
    loans: Object.fromEntries(loanIds.map((loanId) => [loanId, { patronId, label: '', outcome: { state: 'pending' as const } }])),
    status: 'open',
  };
}

function tracker() {
  const store = new MemoryRenewalStore();
  const notices = new MemoryNoticeQueue();
  return { store, notices, renewals: new RenewalTracker({ config: testConfig, clock: fixedClock(REQUESTED_AT), store, notices }) };
}

describe('Method: RenewalTracker.answerRenewal', () => {
  it.each([
    ['at the allowance before the request', at(REQUESTED_AT, -RENEWAL_CLOCK_SKEW_MS), true],
    ['a millisecond earlier', at(REQUESTED_AT, -RENEWAL_CLOCK_SKEW_MS - 1), false],
    ['at the allowance after the deadline', at(DEADLINE, RENEWAL_CLOCK_SKEW_MS), true],
    ['a millisecond later', at(DEADLINE, RENEWAL_CLOCK_SKEW_MS + 1), false],
  ])('a renewal %s answers the request: %s', async (_case, renewedAt, answers) => {
    const { store, notices, renewals } = tracker();
    await renewals.create(request('sms-a', 'P-1', ['L-1']));

    const answered = await renewals.answerRenewal('P-1', 'L-1', renewedAt, RENEWED);

    expect(answered).toEqual(answers ? [{ requestId: 'sms-a', outcome: 'replied' }] : []);
    expect(store.requests.get('sms-a')!.loans['L-1']!.outcome).toEqual(answers ? RENEWED : { state: 'pending' });
    expect(notices.requests.map((notice) => notice.kind)).toEqual(answers ? ['renewal-reply'] : []);
  });

  it('answers every request of the patron naming the loan, oldest first, and nothing of another patron or loan', async () => {
    const { store, renewals } = tracker();
    await renewals.create(request('sms-later', 'P-1', ['L-1', 'L-2'], at(REQUESTED_AT, 30_000)));
    await renewals.create(request('sms-first', 'P-1', ['L-1']));
    await renewals.create(request('sms-other', 'P-2', ['L-1']));

    const answered = await renewals.answerRenewal('P-1', 'L-1', at(REQUESTED_AT, 60_000), RENEWED);

    expect(answered).toEqual([
      { requestId: 'sms-first', outcome: 'replied' },
      { requestId: 'sms-later', outcome: 'recorded' },
    ]);
    expect(store.requests.get('sms-other')!.loans['L-1']!.outcome).toEqual({ state: 'pending' });
    expect(store.requests.get('sms-later')!.loans['L-2']!.outcome).toEqual({ state: 'pending' });
    expect(await renewals.answerRenewal('P-1', 'L-3', at(REQUESTED_AT, 60_000), RENEWED)).toEqual([]);
  });

  it('a redelivered RENEW notes the loans of the stored request, not those of the redelivery', async () => {
    const { store, renewals } = tracker();
    expect(await renewals.create(request('sms-a', 'P-1', ['L-1']))).toBe(true);
    expect(await renewals.create(request('sms-a', 'P-1', ['L-1', 'L-9']))).toBe(false);
    expect(await store.requestsNaming('P-1', 'L-1')).toEqual([{ requestId: 'sms-a', requestedAt: REQUESTED_AT, deadline: DEADLINE }]);
    expect(await store.requestsNaming('P-1', 'L-9')).toEqual([]);
  });
});
