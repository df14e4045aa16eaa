/**
 * Refuses a signed webhook request seen before. Each accepted signature is remembered (a conditional
 * put) until its timestamp can no longer pass the freshness check, so a captured request replayed
 * within the tolerance window is refused, and after it as stale.
 * The marker's key is {@link webhookSignatureKey} (shared/table/keys.ts).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { webhookSignatureKey } from '#shared/table/keys.ts';

/** Remembers signatures; `firstUse` is false when the signature was used before. */
export interface ReplayGuard {
  firstUse(signature: string, rememberUntilEpochSeconds: number): Promise<boolean>;
}

export class DynamoReplayGuard implements ReplayGuard {
  public constructor(private readonly table: TableContext) {}

  public firstUse(signature: string, rememberUntilEpochSeconds: number): Promise<boolean> {
    return writeIf(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...webhookSignatureKey(signature), kind: 'webhook-signature', [TABLE.ttlAttribute]: rememberUntilEpochSeconds },
          // An expired item may linger until DynamoDB deletes it; its signature is stale by then anyway.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}
