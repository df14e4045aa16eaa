/**
 * Open holds, linked to their patron until the hold closes (docs/design.md, retention).
 */
import { BatchGetCommand, DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { holdKey, holdTombstoneKey, PATRON_RECORD, patronKey, patronPartition } from '#shared/table/keys.ts';
import { holdSweepKeys } from '#shared/sweep/sweepKeys.ts';
import { queryAll, writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { expiryAfterDays } from '#shared/clock.ts';
import { ConcurrentUpdateError } from '#shared/errors.ts';

export interface Hold {
  readonly holdId: string;
  readonly patronId: string;
  readonly title: string;
  readonly pickupBranch: string;
  readonly pickupBy: string;
  /** occurredAt of the HoldReady event (UTC). */
  readonly readyAt: string;
}

/** What a notice request needs of a ready hold. */
export type ReadyHold = Pick<Hold, 'holdId' | 'pickupBy'>;

export interface HoldStore {
  /**
   * Stores a ready hold unless a newer state of it is stored or the patron's account is closed;
   * returns false when it stored nothing.
   */
  putReady(hold: Hold): Promise<boolean>;
  /**
   * The ids and pick-up dates of the patron's ready holds (strongly consistent; no title). One past
   * its pick-up date is listed too: the notifier, reading the hold when it sends, is the one place
   * that decides it is too late (shared/notices/noticeSubjects.ts).
   */
  readyHolds(patronId: string): Promise<ReadyHold[]>;
}

export { holdKey };

export class DynamoHoldStore implements HoldStore {
  public constructor(
    private readonly table: TableContext,
    /** The library's time zone: pickup days of the sweep index are its calendar days. */
    private readonly timeZone: string,
    /** Fallback expiry: days after the pick-up date, in case the HoldClosed never arrives. */
    private readonly openHoldDays: number,
  ) {}

  /**
   * Writes first, then checks: one conditional write of the hold (1 WCU) and one strongly consistent
   * read of its tombstone and the profile, instead of a transaction with two condition checks (the
   * checked profile alone costs 4 WCU there). A hold closed, or an account closed, before the check
   * reads makes the write undone; a `HoldClosed` or closure committed after it deletes the hold itself.
   */
  public async putReady(hold: Hold): Promise<boolean> {
    const stored = await writeIf(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...holdKey(hold.patronId, hold.holdId),
            kind: 'hold',
            status: 'ready',
            ...hold,
            ...holdSweepKeys(this.timeZone, hold.patronId, hold.holdId, hold.pickupBy),
            [TABLE.ttlAttribute]: expiryAfterDays(new Date(hold.pickupBy), this.openHoldDays),
          },
          // Tie rule: of two HoldReady at the same time, the later pick-up date stands.
          ConditionExpression: 'attribute_not_exists(pk) OR readyAt < :at OR (readyAt = :at AND pickupBy <= :pickupBy)',
          ExpressionAttributeValues: { ':at': hold.readyAt, ':pickupBy': hold.pickupBy },
        }),
      ),
    );
    if (!stored) return false;
    const tombstone = holdTombstoneKey(hold.holdId);
    const profile = patronKey(hold.patronId);
    const { Responses, UnprocessedKeys } = await this.table.doc.send(
      new BatchGetCommand({
        RequestItems: {
          [this.table.tableName]: { Keys: [tombstone, profile], ConsistentRead: true, ProjectionExpression: 'pk, sk, closedAt' },
        },
      }),
    );
    if ((UnprocessedKeys?.[this.table.tableName]?.Keys?.length ?? 0) > 0) {
      // Unchecked: the event is retried (the write is idempotent), never kept without its checks.
      throw new ConcurrentUpdateError('DynamoDB left the hold checks unprocessed: the event is retried', {
        context: { holdId: hold.holdId },
      });
    }
    const found = Responses?.[this.table.tableName] ?? [];
    // A hold closed already (its HoldClosed came first) stays closed; a closed account gets no new
    // patron-linked records (an unknown patron passes).
    const closed = found.some((item) => item.pk === tombstone.pk || (item.sk === profile.sk && item.closedAt !== undefined));
    if (!closed) return true;
    await writeIf(() =>
      this.table.doc.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: holdKey(hold.patronId, hold.holdId),
          ConditionExpression: 'readyAt = :at AND pickupBy = :pickupBy',
          ExpressionAttributeValues: { ':at': hold.readyAt, ':pickupBy': hold.pickupBy },
        }),
      ),
    );
    return false;
  }

  public async readyHolds(patronId: string): Promise<ReadyHold[]> {
    const holds = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :hold)',
      FilterExpression: '#status = :ready',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': patronPartition(patronId), ':hold': PATRON_RECORD.hold, ':ready': 'ready' },
      ProjectionExpression: 'holdId, pickupBy',
      ConsistentRead: true,
    });
    return holds as ReadyHold[];
  }
}
