/**
 * DynamoDB adapter for the loans snapshots of the report-file bridge. A snapshot keeps, per open
 * loan, only its id, its patron and its due date, and expires with an open loan's fallback expiry
 * (`retention.openLoanDays` after the due date) should a return never be reported. Returned loans are
 * deleted from it at once.
 *
 * Keys (shared/table/keys.ts): a feed's head (report time, processing lease) and one item per open
 * loan of its snapshot (TTL), in the feed's own partition.
 */
import { BatchWriteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import { ConcurrentUpdateError } from '#shared/errors.ts';
import type { SnapshotLoan } from '#shared/ilsBridge/reportEvents.ts';
import { isExpired, queryAll, writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { ILS_FEED_LOAN, ilsFeedHeadKey, ilsFeedLoanKey, ilsFeedPartition } from '#shared/table/keys.ts';

/** The stored loans snapshots, one per feed (mapping). */
export interface LoanSnapshotStore {
  /** Takes the feed's processing lease until `until`; false if another run holds it. */
  lease(feed: string, now: Date, until: Date): Promise<boolean>;
  release(feed: string): Promise<void>;
  /** The report time of the stored snapshot, if any. */
  asOf(feed: string): Promise<string | undefined>;
  loans(feed: string, now: Date): Promise<Map<string, SnapshotLoan>>;
  /** Applies the changes, then records the new report time. */
  save(feed: string, asOf: string, upserts: readonly SnapshotLoan[], removals: readonly SnapshotLoan[]): Promise<void>;
}

const BATCH = 25;
/** Batch writes in flight at once while saving a snapshot. */
const WRITERS = 8;

export class DynamoLoanSnapshotStore implements LoanSnapshotStore {
  public constructor(
    private readonly table: TableContext,
    /** Days after its due date an open loan is forgotten if no return is reported (`retention.openLoanDays`). */
    private readonly openLoanDays: number,
  ) {}

  public lease(feed: string, now: Date, until: Date): Promise<boolean> {
    return writeIf(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: ilsFeedHeadKey(feed),
          UpdateExpression: 'SET leaseUntil = :until, kind = :kind',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':until': until.toISOString(), ':now': now.toISOString(), ':kind': 'ils-feed' },
        }),
      ),
    );
  }

  public async release(feed: string): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({ TableName: this.table.tableName, Key: ilsFeedHeadKey(feed), UpdateExpression: 'REMOVE leaseUntil' }),
    );
  }

  public async asOf(feed: string): Promise<string | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: ilsFeedHeadKey(feed), ConsistentRead: true }),
    );
    return typeof Item?.asOf === 'string' ? Item.asOf : undefined;
  }

  public async loans(feed: string, now: Date): Promise<Map<string, SnapshotLoan>> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': ilsFeedPartition(feed), ':prefix': ILS_FEED_LOAN },
      ConsistentRead: true,
    });
    const loans = new Map<string, SnapshotLoan>();
    for (const item of items) {
      if (isExpired(item, now)) continue;
      loans.set(String(item.loanId), { loanId: String(item.loanId), patronId: String(item.patronId), dueAt: String(item.dueAt) });
    }
    return loans;
  }

  public async save(feed: string, asOf: string, upserts: readonly SnapshotLoan[], removals: readonly SnapshotLoan[]): Promise<void> {
    const requests = [
      ...upserts.map((loan) => ({
        PutRequest: {
          Item: {
            ...ilsFeedLoanKey(feed, loan.loanId),
            kind: 'ils-snapshot-loan',
            ...loan,
            [TABLE.ttlAttribute]: expiryAfterDays(new Date(loan.dueAt), this.openLoanDays),
          },
        },
      })),
      ...removals.map((loan) => ({ DeleteRequest: { Key: ilsFeedLoanKey(feed, loan.loanId) } })),
    ];
    const batches: unknown[][] = [];
    for (let start = 0; start < requests.length; start += BATCH) batches.push(requests.slice(start, start + BATCH));
    // A few batches in flight at once: a first snapshot of 50,000 loans is 2,000 batch writes.
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await this.writeBatch(feed, batches[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(WRITERS, batches.length) }, worker));
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: ilsFeedHeadKey(feed),
        UpdateExpression: 'SET asOf = :asOf, kind = :kind',
        ExpressionAttributeValues: { ':asOf': asOf, ':kind': 'ils-feed' },
      }),
    );
  }

  /** One batch write, retrying what DynamoDB leaves unprocessed with a growing pause. */
  private async writeBatch(feed: string, requests: unknown[]): Promise<void> {
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 8)
        throw new ConcurrentUpdateError('DynamoDB left snapshot writes unprocessed after 8 attempts', { context: { feed } });
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const result = await this.table.doc.send(new BatchWriteCommand({ RequestItems: { [this.table.tableName]: pending as never } }));
      pending = result.UnprocessedItems?.[this.table.tableName] ?? [];
    }
  }
}
