/**
 * Records whose closing event never arrives (no return, no HoldClosed, no FineResolved) expire by
 * their fallback (docs/ordering.md, configuration `retention.open*Days`), so no patron-item link is
 * kept forever; DynamoDB TTL deletes them and the purge journal counts them.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expiryAfterDays } from '#shared/clock.ts';
import { holdReady, patronRegistered, testConfig, uid } from '#test/helpers/factories.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

describe('Fallback expiry of loans, holds and fines that never close', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  it('gives each its fallback expiry, treats it as gone after it, and journals its TTL deletion', async () => {
    const { openLoanDays, openHoldDays, openFineDays } = testConfig.retention;
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: true } });
    const loan = {
      eventId: uid('co'),
      occurredAt: '2026-11-04T10:00:00Z',
      loanId: uid('L'),
      patronId: patron.patronId,
      itemId: uid('I'),
      title: 'A title',
      branch: 'riverside-north',
      dueAt: '2026-11-25T23:00:00Z',
    };
    const lateLoan = { ...loan, eventId: uid('co'), loanId: uid('L'), itemId: uid('I') };
    const hold = holdReady(patron.patronId, { pickupBy: '2026-11-11T20:00:00Z' });
    const fine = {
      eventId: uid('fa'),
      occurredAt: '2026-11-05T10:00:00Z',
      fineId: uid('F'),
      patronId: patron.patronId,
      amount: '2.00',
      currency: 'USD',
      reason: 'overdue',
    };
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.publish(
      { detailType: 'ItemCheckedOut', detail: loan },
      { detailType: 'ItemCheckedOut', detail: lateLoan },
      { detailType: 'HoldReady', detail: hold },
      { detailType: 'FineAssessed', detail: fine },
    );

    const items = await scanAll(pipeline.table);
    const byKind = (kind: string) =>
      items.find((item) => item.kind === kind && item.patronId === patron.patronId && item.loanId !== lateLoan.loanId);
    expect(byKind('loan')?.expiresAt).toBe(expiryAfterDays(new Date(loan.dueAt), openLoanDays));
    expect(byKind('hold')?.expiresAt).toBe(expiryAfterDays(new Date(hold.pickupBy), openHoldDays));
    expect(byKind('fine')?.expiresAt).toBe(expiryAfterDays(new Date(fine.occurredAt), openFineDays));

    // Past the fallback, before DynamoDB deleted it, the loan is gone: a late return finds nothing to
    // put in the history (the patron keeps history) and only removes the expired item.
    pipeline.clock.set(new Date((Number(byKind('loan')?.expiresAt) + 60) * 1000));
    const late = await pipeline.publish({
      detailType: 'ItemReturned',
      detail: { eventId: uid('rt'), occurredAt: pipeline.clock.now().toISOString(), loanId: lateLoan.loanId, patronId: patron.patronId },
    });
    expect(late.batchItemFailures).toEqual([]);
    expect(
      (await scanAll(pipeline.table)).filter(
        (item) => item.kind === 'history' || (item.loanId === lateLoan.loanId && item.kind === 'loan'),
      ),
    ).toEqual([]);

    // DynamoDB's TTL process deletes what expired: the stream names the service, the journal counts.
    for (const kind of ['loan', 'hold', 'fine']) {
      const item = byKind(kind)!;
      pipeline.markTtlDeletion(String(item.pk), String(item.sk));
      await pipeline.table.doc.send(new DeleteCommand({ TableName: pipeline.table.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
    await pipeline.deliverNotices();

    const after = await scanAll(pipeline.table);
    expect(after.filter((item) => item.pk === `PATRON#${patron.patronId}` && ['loan', 'hold', 'fine'].includes(String(item.kind)))).toEqual(
      [],
    );
    const journal = after.filter((item) => item.kind === 'purge-journal');
    expect(journal.map((item) => [item.recordKind, item.count]).sort()).toEqual([
      ['fine', 1],
      ['hold', 1],
      ['loan', 1],
    ]);
    expect(JSON.stringify(journal)).not.toContain(patron.patronId);
  });
});
