/**
 * The circulation privacy lifecycle against DynamoDB Local: the patron link goes at return, history
 * only by choice, fines keep the link until resolved, statistics stay anonymous.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sumStatistics } from '#shared/circulation/loans.ts';
import type { DetailOf } from '#shared/events/contract.ts';
import { patronRegistered, preferencesChanged, uid } from '#test/helpers/factories.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

const TITLE = 'The Dispossessed';

function checkout(patronId: string, overrides: Partial<DetailOf<'ItemCheckedOut'>> = {}): DetailOf<'ItemCheckedOut'> {
  return {
    eventId: uid('evt'),
    occurredAt: '2026-11-02T14:00:00-05:00',
    loanId: uid('L'),
    patronId,
    itemId: uid('I'),
    title: TITLE,
    materialType: 'book',
    branch: uid('branch'),
    dueAt: '2026-11-23T23:59:00-05:00',
    ...overrides,
  };
}
const returned = (loan: DetailOf<'ItemCheckedOut'>, occurredAt = '2026-11-10T10:00:00-05:00'): DetailOf<'ItemReturned'> => ({
  eventId: uid('evt'),
  occurredAt,
  loanId: loan.loanId,
  patronId: loan.patronId,
});

describe('Flow: circulation privacy lifecycle', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  /** Items holding both the patron's id and the loan's item id or title. */
  const linking = async (patronId: string, loan: DetailOf<'ItemCheckedOut'>) =>
    (await scanAll(pipeline.table)).filter((item) => {
      const text = JSON.stringify(item);
      return text.includes(patronId) && (text.includes(loan.itemId) || text.includes(loan.title));
    });

  it('after a return with no fine, nothing links the patron to the item; statistics still count the loan', async () => {
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: false } });
    const loan = checkout(patron.patronId);
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan });
    expect(await linking(patron.patronId, loan)).toHaveLength(1);

    await pipeline.publish({ detailType: 'ItemReturned', detail: returned(loan) });

    expect(await linking(patron.patronId, loan)).toEqual([]);
    const stats = (await scanAll(pipeline.table)).filter((item) => item.kind === 'statistics' && item.branch === loan.branch);
    expect(sumStatistics(stats)).toEqual([
      expect.objectContaining({ day: '2026-11-02', materialType: 'book', counts: { checkouts: 1 } }),
      expect.objectContaining({ day: '2026-11-10', materialType: 'book', counts: { returns: 1 } }),
    ]);
    expect(JSON.stringify(stats)).not.toContain(patron.patronId);
    expect(JSON.stringify(stats)).not.toContain(loan.itemId);
  });

  it('with history opted in, exactly the history entry links them, and it expires after the retention', async () => {
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: true } });
    const loan = checkout(patron.patronId);
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron }, { detailType: 'ItemCheckedOut', detail: loan });
    await pipeline.publish({ detailType: 'ItemReturned', detail: returned(loan) });

    const links = await linking(patron.patronId, loan);
    expect(links).toEqual([
      expect.objectContaining({ kind: 'history', itemId: loan.itemId, title: TITLE, returnedAt: '2026-11-10T15:00:00.000Z' }),
    ]);
    expect(links[0]?.expiresAt).toBe(Date.parse('2026-11-10T15:00:00Z') / 1000 + 1095 * 86_400);
  });

  it('opting out of history deletes every entry at once; statistics keep counting', async () => {
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: true } });
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    const loans = Array.from({ length: 30 }, () => checkout(patron.patronId, { branch: 'riverside-main' }));
    for (const loan of loans)
      await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan }, { detailType: 'ItemReturned', detail: returned(loan) });
    expect((await scanAll(pipeline.table)).filter((item) => item.kind === 'history' && item.patronId === patron.patronId)).toHaveLength(30);

    // Bookdrop refuses patron events dated more than 5 minutes ahead of its clock: the clock moves first.
    pipeline.clock.set('2026-11-20T10:00:00Z');
    await pipeline.publish({
      detailType: 'PatronPreferencesChanged',
      detail: preferencesChanged(patron.patronId, { consent: { checkoutHistory: false } }, { occurredAt: '2026-11-20T10:00:00Z' }),
    });
    const later = checkout(patron.patronId, { branch: 'riverside-main' });
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: later }, { detailType: 'ItemReturned', detail: returned(later) });

    const items = await scanAll(pipeline.table);
    expect(items.filter((item) => item.kind === 'history')).toEqual([]);
    const stats = items.filter((item) => item.kind === 'statistics' && item.branch === 'riverside-main' && item.day === '2026-11-02');
    expect(sumStatistics(stats)[0]?.counts.checkouts).toBe(31);
  });

  it('keeps the link of a returned loan an open fine refers to (without the title) until the fine is resolved', async () => {
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: false } });
    const loan = checkout(patron.patronId);
    const fineId = uid('F');
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron }, { detailType: 'ItemCheckedOut', detail: loan });
    await pipeline.publish({
      detailType: 'FineAssessed',
      detail: {
        eventId: uid('evt'),
        occurredAt: '2026-11-09T10:00:00Z',
        fineId,
        patronId: patron.patronId,
        loanId: loan.loanId,
        amount: '2.50',
        currency: 'USD',
        reason: 'overdue',
      },
    });
    await pipeline.publish({ detailType: 'ItemReturned', detail: returned(loan) });

    const kept = (await scanAll(pipeline.table)).filter((item) => item.sk === `LOAN#${loan.loanId}`);
    expect(kept).toEqual([expect.objectContaining({ loan: expect.objectContaining({ status: 'returned', itemId: loan.itemId }) })]);
    expect(JSON.stringify(kept)).not.toContain(TITLE);

    const resolved = {
      eventId: uid('evt'),
      occurredAt: '2026-11-12T10:00:00Z',
      fineId,
      patronId: patron.patronId,
      resolution: 'paid' as const,
    };
    await pipeline.publish({ detailType: 'FineResolved', detail: resolved });
    await pipeline.publish({ detailType: 'FineResolved', detail: resolved });
    expect(await linking(patron.patronId, loan)).toEqual([]);
    expect((await scanAll(pipeline.table)).filter((item) => item.sk === `FINE#${fineId}`)).toEqual([]);
  });

  it('deletes a hold when it closes, and a late HoldReady does not bring it back', async () => {
    const patron = patronRegistered();
    const holdId = uid('H');
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.publish({
      detailType: 'HoldClosed',
      detail: { eventId: uid('evt'), occurredAt: '2026-11-06T10:00:00Z', holdId, patronId: patron.patronId, reason: 'picked-up' },
    });
    await pipeline.publish({
      detailType: 'HoldReady',
      detail: {
        eventId: uid('evt'),
        occurredAt: '2026-11-04T10:00:00Z',
        holdId,
        patronId: patron.patronId,
        title: TITLE,
        pickupBranch: 'riverside-main',
        pickupBy: '2026-11-11T20:00:00Z',
      },
    });
    expect((await scanAll(pipeline.table)).filter((item) => item.sk === `HOLD#${holdId}`)).toEqual([]);
    expect(pipeline.queue.requests.filter((request) => request.subjectId === holdId)).toEqual([]);
  });

  it('keeps an open fine and its loan when the account closes, and deletes the rest', async () => {
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: true } });
    const finedLoan = checkout(patron.patronId);
    const openLoan = checkout(patron.patronId);
    const fineId = uid('F');
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: finedLoan }, { detailType: 'ItemCheckedOut', detail: openLoan });
    await pipeline.publish({
      detailType: 'FineAssessed',
      detail: {
        eventId: uid('evt'),
        occurredAt: '2026-11-09T10:00:00Z',
        fineId,
        patronId: patron.patronId,
        loanId: finedLoan.loanId,
        amount: '5.00',
        currency: 'USD',
        reason: 'damage',
      },
    });
    // Bookdrop refuses patron events dated more than 5 minutes ahead of its clock: the clock moves first.
    pipeline.clock.set('2026-11-15T10:00:00Z');
    await pipeline.publish({
      detailType: 'PatronClosed',
      detail: { eventId: uid('evt'), occurredAt: '2026-11-15T10:00:00Z', patronId: patron.patronId },
    });

    const left = (await scanAll(pipeline.table)).filter((item) => item.pk === `PATRON#${patron.patronId}`).map((item) => String(item.sk));
    expect(left.filter((sk) => !sk.startsWith('CONSENT#')).sort()).toEqual(
      [`FINE#${fineId}`, `LOAN#${finedLoan.loanId}`, 'PROFILE'].sort(),
    );
  });

  it('journals TTL deletions by day and kind, with no identifiers', async () => {
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: true } });
    const loan = checkout(patron.patronId);
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron }, { detailType: 'ItemCheckedOut', detail: loan });
    await pipeline.publish({ detailType: 'ItemReturned', detail: returned(loan) });
    // DynamoDB's TTL process deletes the history entry: the stream record names the service.
    const { DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
    const history = (await scanAll(pipeline.table)).find((item) => item.kind === 'history');
    pipeline.markTtlDeletion(String(history?.pk), String(history?.sk));
    await pipeline.table.doc.send(new DeleteCommand({ TableName: pipeline.table.tableName, Key: { pk: history?.pk, sk: history?.sk } }));
    await pipeline.deliverNotices();
    await pipeline.deliverNotices();

    const journal = (await scanAll(pipeline.table)).filter((item) => item.kind === 'purge-journal');
    expect(journal).toEqual([expect.objectContaining({ recordKind: 'history', count: 1 })]);
    expect(JSON.stringify(journal)).not.toContain(patron.patronId);
  });
});
