/**
 * A `LoanRenewed` without `requestId` (many ILSs do not echo it) against DynamoDB Local and the SMS
 * sink: it answers the patron's pending text request for that loan. The collisions: the answer twice,
 * after the timeout reply, two pending requests naming the same loan, a refusal with the request id
 * after the renewal without it, a renewal at the desk of a loan no request names or made before the
 * request, and one after the request closed: none of those sends a second or a stray reply. The
 * lookup costs one query keyed by patron and loan (capacity counted by the bench's meter).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapacityMeter } from '#bench/capacityBench.ts';
import type { OutboundDetail } from '#shared/events/contract.ts';
import { patronReport } from '#shared/patrons/patronReport.ts';
import { DynamoRenewalStore, type RenewalRequest } from '#shared/sms/renewalRequests.ts';
import { tableContext } from '#shared/table/documentClient.ts';
import { inboundSms, itemCheckedOut, loanRenewed, patronRegistered, uid } from '#test/helpers/factories.ts';
import { dynamoClient, freshTable } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

/** The pipeline's clock: RENEW is requested at 10:00 New York time, its deadline (120 s) at 10:02. */
const REQUESTED_AT = '2026-11-04T15:00:00.000Z';

describe('Flow: LoanRenewed without requestId answers a text renewal', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  });
  afterAll(async () => {
    await pipeline.stop();
  });

  const textsTo = (number: string) => pipeline.sms.messages.filter((sms) => sms.to === number).map((sms) => sms.body);
  const text = async (from: string, body: string) => {
    expect((await pipeline.inbound(inboundSms(from, body))).batchItemFailures).toEqual([]);
    await pipeline.deliverNotices();
  };
  const ils = async (...events: { detailType: string; detail: unknown }[]) => {
    expect((await pipeline.publish(...events)).batchItemFailures).toEqual([]);
    await pipeline.deliverNotices();
  };
  const requestsOf = (patronId: string) =>
    pipeline.outbound.published
      .filter((event) => event.detailType === 'RenewalRequested')
      .map((event) => event.detail as OutboundDetail<'RenewalRequested'>)
      .filter((request) => request.patronId === patronId);
  /** A `LoanRenewed` with no request id, as the ILS (or the desk) sends it. */
  const renewed = (loanId: string, patronId: string, dueAt: string, occurredAt = '2026-11-04T10:01:00-05:00') => ({
    detailType: 'LoanRenewed',
    detail: loanRenewed({ loanId, patronId }, { occurredAt, dueAt }),
  });
  const refused = (loanId: string, requestId: string) => ({
    detailType: 'RenewalRefused',
    detail: { eventId: uid('rf'), occurredAt: '2026-11-04T10:01:00-05:00', loanId, requestId, reason: 'too-many-renewals' },
  });
  const stored = async (requestId: string) => {
    const store = new DynamoRenewalStore(pipeline.table);
    return (await store.get(requestId)) as RenewalRequest;
  };

  async function patronWith(dueDays: string[], overrides: Parameters<typeof patronRegistered>[0] = {}) {
    const patron = patronRegistered(overrides);
    const loans = dueDays.map((dueAt) => itemCheckedOut(patron.patronId, { dueAt }));
    await ils({ detailType: 'PatronRegistered', detail: patron }, ...loans.map((loan) => ({ detailType: 'ItemCheckedOut', detail: loan })));
    return { patron, loans, number: patron.contact.phone! };
  }
  const skipConfirmation = (number: string) => textsTo(number).length;

  it('answers the pending request: one reply with the new due date; the same renewal again and the deadline send nothing more', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    const before = skipConfirmation(number);
    await text(number, 'RENEW');
    const [request] = requestsOf(patron.patronId);

    const answer = renewed(loans[0]!.loanId, patron.patronId, '2026-11-19T23:59:00-05:00');
    await ils(answer);
    expect(textsTo(number).slice(before)).toEqual(['Riverside Library: Renewed 1, due Thu Nov 19.']);

    await ils(answer);
    await pipeline.runRenewalDeadlines();
    await pipeline.deliverNotices();
    expect(textsTo(number).slice(before)).toHaveLength(1);
    expect(await stored(request!.requestId)).toMatchObject({ status: 'closed', closedAs: 'answered' });
  });

  it('mixes with answers that carry the request id: a renewal without it and a refusal with it make one reply', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00', '2026-11-06T23:59:00-05:00']);
    const before = skipConfirmation(number);
    await text(number, 'RENEW');
    const [request] = requestsOf(patron.patronId);
    expect(request!.loanIds).toHaveLength(2);

    await ils(renewed(loans[1]!.loanId, patron.patronId, '2026-11-20T23:59:00-05:00'));
    expect(textsTo(number).slice(before)).toEqual([]);
    await ils(refused(loans[0]!.loanId, request!.requestId));

    expect(textsTo(number).slice(before)).toEqual(['Riverside Library: Renewed 1, due Fri Nov 20; not renewed 1 (renewal limit reached).']);
  });

  it('after the timeout reply went: the renewal updates the due date, is kept on the request, and sends no second reply', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    const before = skipConfirmation(number);
    await text(number, 'RENEW');
    const [request] = requestsOf(patron.patronId);
    await pipeline.runRenewalDeadlines();
    await pipeline.deliverNotices();
    expect(textsTo(number).slice(before)).toEqual([
      'Riverside Library: The library system did not answer, nothing was renewed. Renew at (845) 555-0111.',
    ]);

    // Renewed within the request's time, delivered late.
    await ils(renewed(loans[0]!.loanId, patron.patronId, '2026-11-19T23:59:00-05:00', '2026-11-04T10:01:30-05:00'));

    expect(textsTo(number).slice(before)).toHaveLength(1);
    const closed = await stored(request!.requestId);
    expect(closed).toMatchObject({ status: 'closed', closedAs: 'timed-out' });
    expect(closed.loans[loans[0]!.loanId]!.outcome).toEqual({ state: 'renewed', dueAt: '2026-11-20T04:59:00.000Z' });
    await text(number, 'ITEMS');
    expect(textsTo(number).at(-1)).toBe('Riverside Library: 1 item, due Thu Nov 19. Reply RENEW to renew.');
  });

  it('two pending requests naming the same loan: one renewal answers both, each gets its one reply; a later refusal and a duplicate change nothing', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    const before = skipConfirmation(number);
    await text(number, 'RENEW');
    await text(number, 'renew please');
    const asked = requestsOf(patron.patronId);
    expect(asked.map((request) => request.loanIds)).toEqual([[loans[0]!.loanId], [loans[0]!.loanId]]);
    expect(asked[0]!.requestId).not.toBe(asked[1]!.requestId);

    const answer = renewed(loans[0]!.loanId, patron.patronId, '2026-11-19T23:59:00-05:00');
    await ils(answer);
    // The ILS's second try, for the second request, is refused (renewed once already); then the renewal again.
    await ils(refused(loans[0]!.loanId, asked[1]!.requestId), answer);
    await pipeline.runRenewalDeadlines();
    await pipeline.deliverNotices();

    expect(textsTo(number).slice(before)).toEqual([
      'Riverside Library: Renewed 1, due Thu Nov 19.',
      'Riverside Library: Renewed 1, due Thu Nov 19.',
    ]);
    for (const { requestId } of asked) expect(await stored(requestId)).toMatchObject({ status: 'closed', closedAs: 'answered' });
  });

  it('the same renewal delivered twice in one batch, at the same second as another renewal of the loan: still one reply', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    const before = skipConfirmation(number);
    await text(number, 'RENEW');

    const first = renewed(loans[0]!.loanId, patron.patronId, '2026-11-19T23:59:00-05:00');
    const second = renewed(loans[0]!.loanId, patron.patronId, '2026-11-26T23:59:00-05:00');
    await ils(first, first, second);

    const replies = textsTo(number).slice(before);
    expect(replies).toHaveLength(1);
    // Whichever was recorded first stands (both renewals happened); the loan takes the later due date.
    expect(replies[0]).toMatch(/^Riverside Library: Renewed 1, due (Thu Nov 19|Thu Nov 26)\.$/);
    await text(number, 'ITEMS');
    expect(textsTo(number).at(-1)).toBe('Riverside Library: 1 item, due Thu Nov 26. Reply RENEW to renew.');
  });

  it('a renewal at the desk that no pending request names sends nothing: another loan, one made before the request, a patron who never texted', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00', '2026-11-20T23:59:00-05:00']);
    const before = skipConfirmation(number);
    await text(number, 'RENEW');
    const [request] = requestsOf(patron.patronId);
    expect(request!.loanIds).toEqual([loans[0]!.loanId]);

    // Another loan of the same patron; the requested loan, renewed at the desk ten minutes before the text (delivered late).
    await ils(
      renewed(loans[1]!.loanId, patron.patronId, '2026-12-04T23:59:00-05:00'),
      renewed(loans[0]!.loanId, patron.patronId, '2026-11-19T23:59:00-05:00', '2026-11-04T09:50:00-05:00'),
    );
    expect(textsTo(number).slice(before)).toEqual([]);
    expect((await stored(request!.requestId)).loans[loans[0]!.loanId]!.outcome).toEqual({ state: 'pending' });

    const quiet = await patronWith(['2026-11-05T23:59:00-05:00']);
    const quietBefore = skipConfirmation(quiet.number);
    await ils(renewed(quiet.loans[0]!.loanId, quiet.patron.patronId, '2026-11-19T23:59:00-05:00'));
    expect(textsTo(quiet.number).slice(quietBefore)).toEqual([]);
  });

  it('a renewal at the desk after the request was answered and replied sends nothing more, and one long after the deadline is not taken as an answer', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    const before = skipConfirmation(number);
    await text(number, 'RENEW');
    const [request] = requestsOf(patron.patronId);
    await ils(renewed(loans[0]!.loanId, patron.patronId, '2026-11-19T23:59:00-05:00'));
    await ils(renewed(loans[0]!.loanId, patron.patronId, '2026-12-03T23:59:00-05:00', '2026-11-04T10:03:00-05:00'));
    expect(textsTo(number).slice(before)).toEqual(['Riverside Library: Renewed 1, due Thu Nov 19.']);

    const other = await patronWith(['2026-11-05T23:59:00-05:00']);
    const otherBefore = skipConfirmation(other.number);
    await text(other.number, 'RENEW');
    const [late] = requestsOf(other.patron.patronId);
    // Three days later at the desk: the deadline (10:02) plus the clock allowance is long past.
    await ils(renewed(other.loans[0]!.loanId, other.patron.patronId, '2026-11-19T23:59:00-05:00', '2026-11-07T10:00:00-05:00'));
    expect((await stored(late!.requestId)).loans[other.loans[0]!.loanId]!.outcome).toEqual({ state: 'pending' });
    expect(textsTo(other.number).slice(otherBefore)).toEqual([]);
    expect(request!.requestedAt).toBe(REQUESTED_AT);
  });

  it('lists the loan notes in the patron data report, and closing the account deletes them', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    await text(number, 'RENEW');
    const [request] = requestsOf(patron.patronId);
    const report = await patronReport(pipeline.table, patron.patronId, new Date(REQUESTED_AT), undefined);
    expect(report.renewals).toEqual([
      expect.objectContaining({ kind: 'renewal-loan', loanId: loans[0]!.loanId, requestId: request!.requestId, requestedAt: REQUESTED_AT }),
    ]);
    expect(report.other).toEqual([]);

    await ils({
      detailType: 'PatronClosed',
      detail: { eventId: uid('evt'), occurredAt: '2026-11-04T10:05:00-05:00', patronId: patron.patronId },
    });
    expect((await patronReport(pipeline.table, patron.patronId, new Date(REQUESTED_AT), undefined)).renewals).toEqual([]);
  });
});

describe('Class: DynamoRenewalStore (capacity of the loan notes)', () => {
  it('notes each loan with one small put (1 WCU each) and finds the requests naming a loan with one query of 1 RCU', async () => {
    const measured = dynamoClient();
    const table = await freshTable(measured);
    const meter = new CapacityMeter(dynamoClient());
    meter.attach(measured);
    const store = new DynamoRenewalStore(tableContext(measured, table.tableName));
    const request = (requestId: string, loanIds: string[]): RenewalRequest => ({
      requestId,
      replyPatronId: 'P-cap',
      language: 'en',
      library: 'riverside',
      requestedAt: REQUESTED_AT,
      deadline: '2026-11-04T15:02:00.000Z',
      loans: Object.fromEntries(
        loanIds.map((loanId) => [loanId, { patronId: 'P-cap', label: '', outcome: { state: 'pending' as const } }]),
      ),
      status: 'open',
    });
    const expiresAt = Date.parse('2026-12-04T15:00:00Z') / 1000;

    await meter.during('note', () => store.noteLoans(request('sms-a', ['L-1', 'L-2', 'L-3']), expiresAt));
    await store.noteLoans(request('sms-b', ['L-1']), expiresAt);
    const now = new Date(REQUESTED_AT);
    const both = await meter.during('find', () => store.requestsNaming('P-cap', 'L-1', now));
    const none = await meter.during('miss', () => store.requestsNaming('P-cap', 'L-9', now));

    expect(both.map((found) => found.requestId).sort()).toEqual(['sms-a', 'sms-b']);
    expect(none).toEqual([]);
    // A loan id that begins like another names none of its requests.
    expect(await store.requestsNaming('P-cap', 'L', now)).toEqual([]);
    expect(meter.units.get('note')).toEqual({ read: 0, write: 3 });
    expect(meter.units.get('find')).toEqual({ read: 1, write: 0 });
    expect(meter.units.get('miss')).toEqual({ read: 1, write: 0 });
    // Expired notes are absent, as every read treats an item past its expiry.
    expect(await store.requestsNaming('P-cap', 'L-1', new Date('2026-12-05T00:00:00Z'))).toEqual([]);
  });
});
