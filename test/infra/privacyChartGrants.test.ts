/**
 * Drift test for the privacy chart against the synthesized stack: every function's access as the
 * chart states it (table, indexes, stream, contact key, blind-index key, input) equals what its IAM
 * policies and event sources grant, and every storage period the chart states equals the template's.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { STORAGE_PERIODS } from '#infra/storagePeriods.ts';
import { FUNCTION_ACCESS, type FunctionAccess, type FunctionName } from '#shared/privacy/functionAccess.ts';
import { testConfig } from '#test/helpers/factories.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>>; Effect: string };
type Derived = Omit<FunctionAccess, 'does' | 'input'> & { input: 'queue' | 'stream' | undefined };

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const DAY = 86_400;

const getAtt = (value: unknown): [string, string] | undefined => {
  const att = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(att) ? att : undefined;
};

describe('Privacy chart: the synthesized stack', () => {
  let resources: Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const idOf = (type: string, fragment = '') => {
    const found = ofType(type).filter(([id]) => id.includes(fragment));
    expect(found, `${type} ${fragment}`).toHaveLength(1);
    return found[0]![0];
  };

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    resources = Template.fromStack(new BookdropStack(app, 'Bookdrop', { config: testConfig })).toJSON().Resources as Resources;
  });

  /** Function name (its folder) to logical id, from the service name each function is given. */
  const functions = () =>
    Object.fromEntries(
      ofType('AWS::Lambda::Function').flatMap(([id, resource]) => {
        // CDK's own helper functions (custom resources) carry no service name.
        const service = (resource.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME;
        return service ? [[service.replace(/^bookdrop-/, ''), id]] : [];
      }),
    );

  /** What a function may do, read from its role's policies and its event sources. */
  function derive(functionId: string): Derived {
    const table = idOf('AWS::DynamoDB::Table');
    const contactKey = idOf('AWS::KMS::Key', 'ContactKey');
    const phoneIndexKey = idOf('AWS::KMS::Key', 'PhoneIndexKey');
    const role = getAtt(resources[functionId]!.Properties.Role)![0];
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(`"${role}"`))
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => statement.Effect === 'Allow');
    const grants = statements.flatMap((statement) =>
      [statement.Action]
        .flat()
        .flatMap((action) => [statement.Resource].flat().map((resource) => ({ action, resource, condition: statement.Condition }))),
    );
    const on = (actions: readonly string[], test: (resource: unknown) => boolean) =>
      grants.filter((grant) => actions.includes(grant.action) && test(grant.resource));
    const isTable = (resource: unknown) => getAtt(resource)?.join() === `${table},Arn`;
    const indexOf = (resource: unknown) =>
      JSON.stringify(resource).includes(`"${table}"`) ? /\/index\/([A-Za-z0-9]+)/.exec(JSON.stringify(resource))?.[1] : undefined;
    const isKey = (key: string) => (resource: unknown) => getAtt(resource)?.join() === `${key},Arn`;
    /** All, none, or only some partitions (a LeadingKeys condition on every grant). */
    const scope = (found: typeof grants): boolean | { limitedTo: string[] } => {
      if (found.length === 0) return false;
      const keysOf = (grant: (typeof grants)[number]) =>
        [grant.condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? []].flat() as string[];
      return found.every((grant) => keysOf(grant).length > 0) ? { limitedTo: [...new Set(found.flatMap(keysOf))] } : true;
    };
    const sources = ofType('AWS::Lambda::EventSourceMapping').filter(([, mapping]) =>
      JSON.stringify(mapping.Properties.FunctionName).includes(`"${functionId}"`),
    );
    const input = sources.map(([, mapping]) => {
      const [source, attribute] = getAtt(mapping.Properties.EventSourceArn)!;
      if (attribute === 'StreamArn' && source === table) return 'stream' as const;
      return resources[source]!.Type === 'AWS::SQS::Queue' ? ('queue' as const) : undefined;
    });
    expect(input.length, `${functionId} has at most one input`).toBeLessThanOrEqual(1);
    return {
      readsTable: scope(on(READ_ACTIONS, isTable)),
      queriesIndexes: [
        ...new Set(on(['dynamodb:Query'], (resource) => indexOf(resource) !== undefined).map((grant) => indexOf(grant.resource)!)),
      ].sort(),
      writesTable: scope(on(WRITE_ACTIONS, isTable)),
      readsStream: on(['dynamodb:GetRecords'], (resource) => getAtt(resource)?.join() === `${table},StreamArn`).length > 0,
      decryptsContacts: on(['kms:Decrypt'], isKey(contactKey)).length > 0,
      encryptsContacts: on(['kms:GenerateDataKey', 'kms:GenerateDataKey*'], isKey(contactKey)).length > 0,
      hashesPhones: on(['kms:GenerateMac'], isKey(phoneIndexKey)).length > 0,
      input: input[0],
    };
  }

  it('lists exactly the functions the stack deploys', () => {
    expect(Object.keys(functions()).sort()).toEqual(Object.keys(FUNCTION_ACCESS).sort());
  });

  it('states for every function the access its grants give it (readers, decrypters, writers)', () => {
    for (const [name, functionId] of Object.entries(functions())) {
      const { does: _does, input, ...stated } = FUNCTION_ACCESS[name as FunctionName];
      const fromEventSource = input.from === 'queue' || input.from === 'stream' ? input.from : undefined;
      expect(derive(functionId), name).toEqual({ ...stated, queriesIndexes: [...stated.queriesIndexes].sort(), input: fromEventSource });
    }
  });

  it('lets only the functions the chart names decrypt contacts, and at least one', () => {
    const decrypters = Object.entries(functions())
      .filter(([, id]) => derive(id).decryptsContacts)
      .map(([name]) => name);
    expect(decrypters).toEqual(['notifier']);
  });

  it('keeps queue messages, dead letters, logs and backups exactly as long as the chart says', () => {
    const queues = ofType('AWS::SQS::Queue');
    const deadLetterIds = new Set([
      ...queues.flatMap(([, queue]) => {
        const target = getAtt((queue.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn);
        return target ? [target[0]] : [];
      }),
      ...ofType('AWS::Lambda::EventSourceMapping').flatMap(([, mapping]) => {
        const target = getAtt(
          (mapping.Properties.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination,
        );
        return target ? [target[0]] : [];
      }),
    ]);
    expect(deadLetterIds.size).toBeGreaterThan(0);
    for (const [id, queue] of queues) {
      const days = deadLetterIds.has(id) ? testConfig.retention.deadLetterDays : STORAGE_PERIODS.queueDays;
      expect(queue.Properties.MessageRetentionPeriod, id).toBe(days * DAY);
    }
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThanOrEqual(Object.keys(FUNCTION_ACCESS).length);
    for (const [id, group] of logGroups) expect(group.Properties.RetentionInDays, id).toBe(STORAGE_PERIODS.logDays);
    const table = resources[idOf('AWS::DynamoDB::Table')]!;
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
      RecoveryPeriodInDays: testConfig.retention.pointInTimeRecoveryDays,
    });
  });
});
