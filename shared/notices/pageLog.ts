/**
 * Remembers which pages of a paged job (fan-out, sweep) are done, for two days, so a page whose
 * message is delivered twice is processed once and never starts a second chain of pages. The port
 * and its DynamoDB adapter.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';

/** A page's marker: its key in the table (built by `sweepPageKey` or `fanOutPageKey`). */
export interface PageKey {
  readonly pk: string;
  readonly sk: string;
}

/** The port the paged jobs remember their done pages through. */
export interface PageLog {
  /** Whether the page was marked done (and its mark has not expired). */
  done(key: PageKey): Promise<boolean>;
  /** Marks the page done, for two days from `now`. */
  markDone(key: PageKey, now: Date): Promise<void>;
}

/** Days a done page is remembered: longer than any redelivery of its message. */
export const PAGE_MARK_DAYS = 2;

export class DynamoPageLog implements PageLog {
  public constructor(private readonly table: TableContext) {}

  public async done(key: PageKey): Promise<boolean> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }));
    return Item !== undefined;
  }

  public async markDone(key: PageKey, now: Date): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: { ...key, kind: 'job-page', [TABLE.ttlAttribute]: expiryAfterDays(now, PAGE_MARK_DAYS) },
      }),
    );
  }
}
