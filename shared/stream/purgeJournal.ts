/**
 * The purge journal: how many records of each kind DynamoDB TTL deleted on each day, so the library
 * can prove what was purged. It holds counts only: no identifiers. Each stream record is counted
 * once (a marker keyed by the stream event id, kept two days, absorbs redeliveries).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import { writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { purgeJournalKey, purgeMarkKey } from '#shared/table/keys.ts';

export interface PurgeJournal {
  /** Counts one TTL deletion of `kind` on `day`; false if this stream event was counted before. */
  record(streamEventId: string, day: string, kind: string, now: Date): Promise<boolean>;
}

export class DynamoPurgeJournal implements PurgeJournal {
  public constructor(private readonly table: TableContext) {}

  public async record(streamEventId: string, day: string, kind: string, now: Date): Promise<boolean> {
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
          ],
        }),
      ),
    );
  }
}
