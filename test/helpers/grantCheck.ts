/**
 * IAM for DynamoDB Local: a table context for one function that refuses, as IAM would, every
 * DynamoDB action its manifest (functions/<name>/manifest.ts) does not grant. DynamoDB Local checks
 * no permissions, so without this a repository that starts using a new action (a `BatchGetItem`, a
 * `DeleteItem`) passes every local test and fails in AWS with `AccessDeniedException`.
 *
 * Each refusal is also recorded, so a test fails even when the code under test turns the error into
 * a retry or a dead letter.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { grantedActions, type FunctionManifest, type GrantResource } from '#shared/config/functionManifest.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#sandbox/localServices.ts';
import { patronPartition } from '#shared/table/keys.ts';

type DynamoResource = 'table' | 'table-index';

/** The IAM actions one DynamoDB request needs, on which resource, and for a query its partition key value. */
export function dynamoActionsOf(
  commandName: string,
  input: Record<string, unknown>,
): { action: string; resource: DynamoResource; partition?: string }[] {
  const operation = commandName.replace(/Command$/, '');
  if (operation === 'TransactWriteItems') {
    const kinds: Record<string, string> = {
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      ConditionCheck: 'ConditionCheckItem',
    };
    const items = (input.TransactItems ?? []) as Record<string, unknown>[];
    return items.flatMap((item) =>
      Object.keys(item).map((kind) => ({ action: `dynamodb:${kinds[kind] ?? kind}`, resource: 'table' as const })),
    );
  }
  if (operation === 'TransactGetItems') return [{ action: 'dynamodb:GetItem', resource: 'table' }];
  if ((operation === 'Query' || operation === 'Scan') && typeof input.IndexName === 'string') {
    return [{ action: `dynamodb:${operation}`, resource: 'table-index' }];
  }
  return [{ action: `dynamodb:${operation}`, resource: 'table', partition: partitionOf(input) }];
}

/** The partition key value a query names (`pk = :value`), marshalled or not. */
function partitionOf(input: Record<string, unknown>): string | undefined {
  const placeholder = /\bpk\s*=\s*(:\w+)/.exec(String(input.KeyConditionExpression ?? ''))?.[1];
  if (placeholder === undefined) return undefined;
  const value = (input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[placeholder];
  if (typeof value === 'string') return value;
  const marshalled = (value as { S?: unknown } | undefined)?.S;
  return typeof marshalled === 'string' ? marshalled : undefined;
}

/** A refused request: which function, which action, on which resource. */
export interface Refusal {
  readonly functionName: string;
  readonly action: string;
  readonly resource: DynamoResource | GrantResource;
}

/** An `AccessDeniedException`, as DynamoDB answers a request IAM does not allow. */
class AccessDeniedException extends Error {
  public override readonly name = 'AccessDeniedException';
  public readonly $fault = 'client';
}

/**
 * A table context whose own client refuses what `manifest` does not grant; refusals go to `refusals`.
 * Each function gets its own client: a middleware on a shared one would apply to every function.
 */
export function grantCheckedTable(table: TableContext, endpoint: string, manifest: FunctionManifest, refusals: Refusal[]): TableContext {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const granted = {
    table: new Set(grantedActions(manifest, 'table')),
    'table-index': new Set(grantedActions(manifest, 'table-index')),
    'patron-partitions': new Set(grantedActions(manifest, 'patron-partitions')),
  };
  // As the IAM condition on dynamodb:LeadingKeys allows it: a query of one patron partition.
  const allowed = ({ action, resource, partition }: ReturnType<typeof dynamoActionsOf>[number]) =>
    granted[resource].has(action) ||
    (resource === 'table' && granted['patron-partitions'].has(action) && partition?.startsWith(patronPartition('')) === true);
  refuseUngranted(client, manifest, refusals, (commandName, input) =>
    dynamoActionsOf(commandName, input)
      .filter((need) => !allowed(need))
      .map(({ action, resource }) => ({ action, resource })),
  );
  return tableContext(client, table.tableName);
}

/** A client of a service other than DynamoDB: anything with a middleware stack. */
interface ServiceClient {
  readonly middlewareStack: { add: DynamoDBClient['middlewareStack']['add'] };
}

/**
 * The check behind the table and the SNS and SES clients: before a request leaves `client`, `refused` names what the manifest does
 * not grant; each is recorded in `refusals` and the request fails with AccessDeniedException.
 */
function refuseUngranted(
  client: ServiceClient,
  manifest: FunctionManifest,
  refusals: Refusal[],
  refused: (commandName: string, input: Record<string, unknown>) => { action: string; resource: Refusal['resource'] }[],
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const missing = refused(String(context.commandName), args.input as Record<string, unknown>);
      if (missing.length > 0) {
        refusals.push(...missing.map(({ action, resource }) => ({ functionName: manifest.name, action, resource })));
        const what = missing.map(({ action, resource }) => `${action} on the ${resource}`).join(', ');
        throw new AccessDeniedException(`${manifest.name} is not granted ${what} (functions/${manifest.name}/manifest.ts)`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'bookdropGrantCheck' },
  );
}

/**
 * Makes `client` (one function's own SNS or SES client) refuse, as IAM would, every request whose
 * action (`sns:Publish`, `ses:SendEmail`: the service prefix and the command's operation) the
 * manifest does not grant on `resource`. The emulators behind these clients check no permissions.
 */
export function grantCheckedClient<C extends ServiceClient>(
  client: C,
  service: 'sns' | 'ses',
  resource: GrantResource,
  manifest: FunctionManifest,
  refusals: Refusal[],
): C {
  const granted = new Set(grantedActions(manifest, resource));
  refuseUngranted(client, manifest, refusals, (commandName) => {
    const action = `${service}:${commandName.replace(/Command$/, '')}`;
    return granted.has(action) ? [] : [{ action, resource }];
  });
  return client;
}
