/**
 * DynamoDB access shared by the repositories: one document client per table, and the rule that an
 * item past its TTL is absent even before DynamoDB deletes it (deletion is typically within two days).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
export async function queryAll(table: TableContext, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(new QueryCommand({ ...input, TableName: table.tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
