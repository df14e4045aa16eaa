/**
 * Each function's manifest against the synthesized stack: its environment there is exactly the
 * manifest's AWS variables (the configuration JSON replaced by its parameter path, plus the
 * variables every function construct sets), and every action its role is granted is one its
 * manifest declares.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_MANIFESTS } from '#functions/manifests.ts';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { namesIn } from '#shared/config/functionManifest.ts';
import { testConfig } from '#test/helpers/factories.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };

/** Set by the function construct (ServiceFunction) on every function, not by a manifest. */
const CONSTRUCT_VARIABLES = ['POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME'];
/** Granted by the function and queue constructs to every function: logs, traces, its queue, its configuration. */
const CONSTRUCT_ACTIONS = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'ssm:GetParametersByPath',
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
  'sqs:SendMessage',
  'kms:Decrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
  'kms:Encrypt',
]);

let resources: Record<string, Resource>;
beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  resources = Template.fromStack(new BookdropStack(app, 'Bookdrop', { config: testConfig })).toJSON().Resources as Record<string, Resource>;
});

/** The function resource whose service name is `bookdrop-<name>`. */
function functionOf(name: string): [string, Resource] {
  const found = Object.entries(resources).filter(
    ([, resource]) =>
      resource.Type === 'AWS::Lambda::Function' &&
      (resource.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME ===
        `bookdrop-${name}`,
  );
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

function actionsOfRole(roleRef: unknown): string[] {
  const roleId = JSON.stringify(roleRef).match(/"([A-Za-z0-9]+)"/)?.[1];
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((resource) => (resource.Properties.PolicyDocument as { Statement: { Effect: string; Action: string | string[] }[] }).Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => [statement.Action].flat());
}

describe('Function manifests in the template', () => {
  it.each(Object.entries(FUNCTION_MANIFESTS))('%s: its environment is its manifest', (name, manifest) => {
    const [, fn] = functionOf(name);
    const variables = Object.keys((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).sort();
    const expected = [
      ...namesIn(manifest, 'aws').map((variable) => (variable === 'BOOKDROP_CONFIG' ? 'BOOKDROP_CONFIG_PATH' : variable)),
      ...CONSTRUCT_VARIABLES,
    ];
    expect(variables).toEqual([...new Set(expected)].sort());
  });

  it.each(Object.entries(FUNCTION_MANIFESTS))('%s: every action its role holds is in its manifest', (name, manifest) => {
    const [, fn] = functionOf(name);
    const declared = new Set(manifest.grants.flatMap((grant) => grant.actions));
    const undeclared = actionsOfRole(fn.Properties.Role).filter((action) => !declared.has(action) && !CONSTRUCT_ACTIONS.has(action));
    expect(undeclared, name).toEqual([]);
    // And each declared action is held (no stale declaration).
    const held = new Set(actionsOfRole(fn.Properties.Role));
    expect(
      [...declared].filter((action) => !held.has(action)),
      name,
    ).toEqual([]);
  });
});
