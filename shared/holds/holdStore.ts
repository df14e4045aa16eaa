/**
 * Open holds, linked to their patron until the hold closes (docs/design.md, retention).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { holdKey, holdTombstoneKey, patronKey } from '#shared/table/keys.ts';
import { holdSweepKeys } from '#shared/sweep/sweepKeys.ts';
import { writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { expiryAfterDays } from '#shared/clock.ts';

export interface Hold {
  readonly holdId: string;
  readonly patronId: string;
  readonly title: string;
  readonly pickupBranch: string;
  readonly pickupBy: string;
  /** occurredAt of the HoldReady event (UTC). */
  readonly readyAt: string;
}

export interface HoldStore {
  /**
   * Stores a ready hold unless a newer state of it is stored or the patron's account is closed;
   * returns false when it stored nothing.
   */
  putReady(hold: Hold): Promise<boolean>;
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

  public async putReady(hold: Hold): Promise<boolean> {
    return writeIf(() =>
      this.table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
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
              },
            },
            {
              // A hold closed already (its HoldClosed came first) stays closed.
              ConditionCheck: {
                TableName: this.table.tableName,
                Key: holdTombstoneKey(hold.holdId),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              // A closed account gets no new patron-linked records (an unknown patron passes).
              ConditionCheck: {
                TableName: this.table.tableName,
                Key: patronKey(hold.patronId),
                ConditionExpression: 'attribute_not_exists(closedAt)',
              },
            },
          ],
        }),
      ),
    );
  }
}
