/**
 * DynamoDB access shared by the repositories: one document client per table, and the rule that an
 * item past its TTL is absent even before DynamoDB deletes it (deletion is typically within two days).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '#shared/table/tableDefinition.ts';

/** A document client and the table it works on. */
export interface TableContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

export function tableContext(client: DynamoDBClient, tableName: string): TableContext {
  return {
    doc: DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    }),
    tableName,
  };
}

/** True if the item has a TTL and it has passed at `now`. */
export function isExpired(item: Record<string, unknown>, now: Date): boolean {
  const expiresAt = item[TABLE.ttlAttribute];
  return typeof expiresAt === 'number' && expiresAt * 1000 <= now.getTime();
}

/** True if a transaction was cancelled because one of its conditions failed. */
export function isConditionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConditionalCheckFailedException') return true;
  if (error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
}

/** Error names and cancellation reasons that mean "too fast (or a transient fault), try again later". */
const THROTTLING = new Set([
  // A 5xx that AWS asks clients to retry; DynamoDB Local also answers it when a transaction waited too long for its lock.
  'InternalServerError',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'TransactionConflict',
]);

/** True if DynamoDB refused a request (or cancelled a transaction) for throttling or a transient conflict. */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (THROTTLING.has(error.name)) return true;
  if (error.name !== 'TransactionCanceledException') return false;
  const codes = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((reason) => reason.Code ?? '');
  return codes.some((code) => THROTTLING.has(code)) && !codes.includes('ConditionalCheckFailed');
}

/** Waits before retry `attempt` (1, 2, ...): exponential backoff with full jitter, at most 2 s. */
export function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2000, 50 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/**
 * Runs `request`, retrying throttling (beyond the SDK's own retries) with backoff, `attempts` times
 * in all; any other error, and the last throttling error, is rethrown.
 */
export async function retryThrottled<T>(request: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!isThrottling(error) || attempt >= attempts) throw error;
      await backoff(attempt);
    }
  }
}

/** Capacity units a request consumed, from its `ConsumedCapacity` (0 where DynamoDB reports none). */
export function capacityOf(consumed: readonly { CapacityUnits?: number | undefined }[] | undefined): number {
  return (consumed ?? []).reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

/**
 * The names of the transaction items whose condition failed. `names` labels the items in the order
 * they were sent, so callers ask by name (`failed.has('tombstone')`) instead of by position.
 */
export function failedConditions<const Name extends string>(error: unknown, names: readonly Name[]): Set<Name> {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  const failed = new Set<Name>();
  reasons.forEach((reason, index) => {
    const name = names[index];
    if (reason.Code === 'ConditionalCheckFailed' && name !== undefined) failed.add(name);
  });
  return failed;
}

/** Runs a conditional write; false if its condition failed, any other error rethrown. */
export async function writeIf(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Every item a query matches, page after page. */
export async function queryAll(
  table: TableContext,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(new QueryCommand({ ...input, TableName: table.tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
