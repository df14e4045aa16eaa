/**
 * Remembers which pages of a paged job (fan-out, sweep) are done, for two days, so a page whose
 * message is delivered twice is processed once and never starts a second chain of pages.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';

export interface PageKey {
  readonly pk: string;
  readonly sk: string;
}

export class PageLog {
  public constructor(private readonly table: TableContext) {}

  public async done(key: PageKey): Promise<boolean> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }));
    return Item !== undefined;
  }

  public async markDone(key: PageKey, now: Date): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: { ...key, kind: 'job-page', [TABLE.ttlAttribute]: expiryAfterDays(now, 2) },
      }),
    );
  }
}
