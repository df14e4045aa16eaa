/**
 * Statistics keep no per-event trace for good: each counted event is its own item (so a retry counts
 * once) until DynamoDB TTL deletes it, and then the table stream folds its count into the day's total.
 * The day's figures are the same before and after, and a redelivered stream record adds nothing.
 */
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayStatistics, STATISTICS_COUNT_EXTRA_DAYS } from '#shared/circulation/circulationStore.ts';
import { expiryAfterDays } from '#shared/clock.ts';
import { DynamoPurgeJournal } from '#shared/stream/purgeJournal.ts';
import { statisticsPartition } from '#shared/table/keys.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { itemCheckedOut, testConfig, uid } from '#test/helpers/factories.ts';
import { freshTable } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

const DAY = '2026-11-01';

describe('Statistics: per-event counts folded into daily totals when they expire', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  });
  afterAll(async () => {
    await pipeline.stop();
  });

  const dayItems = async () =>
    (
      await pipeline.table.doc.send(
        new QueryCommand({
          TableName: pipeline.table.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': statisticsPartition(DAY) },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];

  it('keeps the day’s figures while the per-event items give way to one total per branch and material type', async () => {
    const patronId = uid('P');
    const loans = [itemCheckedOut(patronId, { materialType: 'book' }), itemCheckedOut(patronId, { materialType: 'book' })];
    for (const checkout of loans) {
      await pipeline.publish({ detailType: 'ItemCheckedOut', detail: checkout });
      await pipeline.publish({
        detailType: 'ItemReturned',
        detail: { eventId: uid('rt'), occurredAt: '2026-11-01T16:00:00-05:00', loanId: checkout.loanId, patronId },
      });
    }
    // A duplicate delivery of a checkout writes the same per-event item: still two checkouts.
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loans[0]! });
    const before = await dayStatistics(pipeline.table, DAY);
    expect(before).toEqual([{ day: DAY, branch: 'riverside-main', materialType: 'book', counts: { checkouts: 2, returns: 2 } }]);

    const perEvent = await dayItems();
    expect(perEvent).toHaveLength(4);
    // Each lives as long as the loan's records absorb repeats of its event.
    const written = expiryAfterDays(pipeline.clock.now(), testConfig.retention.openLoanDays + STATISTICS_COUNT_EXTRA_DAYS);
    for (const item of perEvent) expect(item[TABLE.ttlAttribute]).toBe(written);

    // DynamoDB's TTL process deletes them; the stream folds each into the total.
    for (const item of perEvent) {
      pipeline.markTtlDeletion(String(item.pk), String(item.sk));
      await pipeline.table.doc.send(new DeleteCommand({ TableName: pipeline.table.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
    await pipeline.deliverNotices();

    const after = await dayItems();
    expect(after).toEqual([expect.objectContaining({ sk: 'riverside-main#book', kind: 'statistics-total', checkouts: 2, returns: 2 })]);
    expect(after[0]![TABLE.ttlAttribute]).toBeUndefined();
    expect(await dayStatistics(pipeline.table, DAY)).toEqual(before);
  });

  it('adds an expired count to its total once, however often its stream record is delivered', async () => {
    const table = await freshTable();
    const journal = new DynamoPurgeJournal(table);
    const count = { day: DAY, branch: 'riverside-north', materialType: 'dvd', counts: { renewals: 1 } };
    const now = new Date('2026-11-04T15:00:00Z');
    expect(await journal.record('stream-event-1', '2027-01-30', 'statistics', now, count)).toBe(true);
    expect(await journal.record('stream-event-1', '2027-01-30', 'statistics', now, count)).toBe(false);
    expect(await journal.record('stream-event-2', '2027-01-30', 'statistics', now, count)).toBe(true);
    expect(await dayStatistics(table, DAY)).toEqual([{ ...count, counts: { renewals: 2 } }]);
  });
});
