/**
 * The purge journal: how many records of each kind DynamoDB TTL deleted on each day, so the library
 * can prove what was purged. It holds counts only: no identifiers. Each stream record is counted
 * once (a marker keyed by the stream event id, kept two days, absorbs redeliveries). An expired
 * per-event statistics count is folded into its day's total in the same transaction, so it too is
 * added exactly once.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import { writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { purgeJournalKey, purgeMarkKey, statisticsTotalKey } from '#shared/table/keys.ts';
import type { StatTotal } from '#shared/circulation/loans.ts';

export interface PurgeJournal {
  /**
   * Counts one TTL deletion of `kind` on `day`, and adds `rollUp` (an expired per-event statistics
   * count) to its day's total, in the same write; false if this stream event was counted before.
   */
  record(streamEventId: string, day: string, kind: string, now: Date, rollUp?: StatTotal): Promise<boolean>;
}

export class DynamoPurgeJournal implements PurgeJournal {
  public constructor(private readonly table: TableContext) {}

  public async record(streamEventId: string, day: string, kind: string, now: Date, rollUp?: StatTotal): Promise<boolean> {
    return writeIf(() =>
      this.table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.tableName,
                Item: { ...purgeMarkKey(streamEventId), kind: 'purge-mark', [TABLE.ttlAttribute]: expiryAfterDays(now, 2) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.table.tableName,
                Key: purgeJournalKey(day, kind),
                UpdateExpression: 'SET #kind = :journal, #day = :day, recordKind = :recordKind ADD #count :one',
                ExpressionAttributeNames: { '#kind': 'kind', '#day': 'day', '#count': 'count' },
                ExpressionAttributeValues: { ':journal': 'purge-journal', ':day': day, ':recordKind': kind, ':one': 1 },
              },
            },
            ...(rollUp ? [{ Update: this.addToTotal(rollUp) }] : []),
          ],
        }),
      ),
    );
  }

  /** Adds a count to its day's statistics total (created on the first count folded in). */
  private addToTotal(total: StatTotal) {
    const counters = Object.entries(total.counts).filter(([, count]) => typeof count === 'number' && count > 0);
    return {
      TableName: this.table.tableName,
      Key: statisticsTotalKey(total),
      UpdateExpression: `SET #kind = :total, #day = :day, branch = :branch, materialType = :materialType ADD ${counters
        .map((_, index) => `#c${index} :c${index}`)
        .join(', ')}`,
      ExpressionAttributeNames: {
        '#kind': 'kind',
        '#day': 'day',
        ...Object.fromEntries(counters.map(([counter], index) => [`#c${index}`, counter])),
      },
      ExpressionAttributeValues: {
        ':total': 'statistics-total',
        ':day': total.day,
        ':branch': total.branch,
        ':materialType': total.materialType,
        ...Object.fromEntries(counters.map(([, count], index) => [`:c${index}`, count])),
      },
    };
  }
}
