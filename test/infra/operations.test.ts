/**
 * Template assertions for the operations constructs: every queue, dead-letter queue, function and
 * stream consumer of the synthesized stack has its alarm (found from the template itself, so a queue
 * another construct adds must be covered too), the SES, SMS and failed-notice alarms, the alarm
 * topic and its recipients, the dashboard, and the configuration parameters that replace the
 * functions' configuration variable. cdk-nag runs on the same synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { ALARM_LEVELS } from '#infra/constructs/operationsAlarms.ts';
import type { StageSettings } from '#shared/config/stageSettings.ts';
import { testConfig } from '#test/helpers/factories.ts';

const stage: StageSettings = {
  name: 'prod',
  alarmEmails: ['oncall@library.example.org', 'it@library.example.org'],
  logRetentionDays: 365,
  removal: 'retain',
  smsMonthlyBudgetUsd: 500,
};

type Resource = { Type: string; Properties: Record<string, unknown> };
type AlarmProps = {
  AlarmName: string;
  AlarmDescription: string;
  MetricName?: string;
  Namespace?: string;
  Threshold: number;
  Dimensions?: { Name: string; Value: unknown }[];
  AlarmActions: unknown[];
  Metrics?: { Expression?: string }[];
};

let template: Template;
let resources: Record<string, Resource>;
let alarms: AlarmProps[];

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  template = Template.fromStack(new BookdropStack(app, 'Bookdrop-prod', { config: testConfig, stage }));
  resources = template.toJSON().Resources as Record<string, Resource>;
  alarms = Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map((resource) => resource.Properties as unknown as AlarmProps);
});

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const refersTo = (value: unknown, logicalId: string) => JSON.stringify(value).includes(`"${logicalId}"`);
const alarmsOn = (metricName: string, logicalId: string) =>
  alarms.filter((alarm) => alarm.MetricName === metricName && refersTo(alarm.Dimensions, logicalId));

/** Dead-letter queues, read from the template: whatever a redrive policy, rule target, mapping or subscription names. */
function deadLetterQueueIds(): Set<string> {
  const refs = JSON.stringify(
    Object.values(resources).map((resource) => [
      (resource.Properties as { RedrivePolicy?: unknown }).RedrivePolicy,
      resource.Type === 'AWS::Events::Rule'
        ? (resource.Properties.Targets as { DeadLetterConfig?: unknown }[]).map((t) => t.DeadLetterConfig)
        : null,
      (resource.Properties as { DestinationConfig?: unknown }).DestinationConfig,
    ]),
  );
  return new Set(
    ofType('AWS::SQS::Queue')
      .map(([id]) => id)
      .filter((id) => refs.includes(`"${id}"`)),
  );
}

describe('Construct: OperationsAlarms', () => {
  it('alarms on any message in every dead-letter queue, and before dead letters expire', () => {
    const dlqs = deadLetterQueueIds();
    expect(dlqs.size).toBeGreaterThanOrEqual(5);
    for (const id of dlqs) {
      const [visible] = alarmsOn('ApproximateNumberOfMessagesVisible', id);
      expect(visible, id).toMatchObject({ Threshold: 1, AlarmDescription: expect.stringContaining('docs/operations.md#dead-letters') });
      expect(alarmsOn('ApproximateAgeOfOldestMessage', id)[0]?.Threshold, id).toBe(ALARM_LEVELS.deadLetterAgeDays * 86_400);
    }
  });

  it('alarms on the age of the oldest message of every other queue', () => {
    const dlqs = deadLetterQueueIds();
    const sources = ofType('AWS::SQS::Queue')
      .map(([id]) => id)
      .filter((id) => !dlqs.has(id));
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const id of sources) {
      expect(alarmsOn('ApproximateAgeOfOldestMessage', id)[0]?.Threshold, id).toBe(ALARM_LEVELS.oldestMessageMinutes * 60);
      expect(alarmsOn('ApproximateNumberOfMessagesVisible', id), id).toHaveLength(0);
    }
  });

  it('alarms on errors and throttles of every function', () => {
    const functions = ofType('AWS::Lambda::Function').map(([id]) => id);
    expect(functions.length).toBeGreaterThanOrEqual(5);
    for (const id of functions) {
      expect(alarmsOn('Errors', id)[0]?.Threshold, id).toBe(1);
      expect(alarmsOn('Throttles', id)[0]?.Threshold, id).toBe(1);
    }
  });

  it('alarms on the iterator age of the stream consumer', () => {
    const [streamMapping] = ofType('AWS::Lambda::EventSourceMapping').filter(([, resource]) =>
      JSON.stringify(resource.Properties.EventSourceArn).includes('StreamArn'),
    );
    const consumer = JSON.stringify(streamMapping?.[1].Properties.FunctionName).match(/"([A-Za-z0-9]+)"/)?.[1] ?? 'none';
    expect(alarmsOn('IteratorAge', consumer)[0]?.Threshold).toBe(ALARM_LEVELS.iteratorAgeMinutes * 60_000);
  });

  it('alarms before SES reviews or pauses the account for bounces and complaints', () => {
    const ses = (metric: string) =>
      alarms.filter((alarm) => alarm.Namespace === 'AWS/SES' && alarm.MetricName === metric).map((alarm) => alarm.Threshold);
    expect(ses('Reputation.BounceRate').sort()).toEqual([0.04, 0.08]);
    expect(ses('Reputation.ComplaintRate').sort()).toEqual([0.0008, 0.004]);
    expect(Math.max(...ses('Reputation.BounceRate'))).toBeLessThan(ALARM_LEVELS.bounceRate.pause);
    expect(Math.min(...ses('Reputation.ComplaintRate'))).toBeLessThan(ALARM_LEVELS.complaintRate.review);
  });

  it('alarms at 80 % of the stage SMS budget', () => {
    const [spend] = alarms.filter((alarm) => alarm.MetricName === 'SMSMonthToDateSpentUSD');
    expect(spend).toMatchObject({ Namespace: 'AWS/SNS', Threshold: 400 });
  });

  it('alarms on the share of failed notices, only when enough were tried', () => {
    const [share] = alarms.filter((alarm) => alarm.Metrics?.some((metric) => metric.Expression?.includes('failed / (sent + failed)')));
    expect(share?.Threshold).toBe(5);
    expect(share?.Metrics?.[0]?.Expression).toBe('IF((sent + failed) >= 20, 100 * failed / (sent + failed), 0)');
    expect(JSON.stringify(share?.Metrics)).toContain('notice-failed');
  });

  it('sends every alarm to one encrypted topic with the stage recipients', () => {
    const [topicId] = ofType('AWS::SNS::Topic').find(([id]) => id.startsWith('Alarms')) ?? [];
    expect(topicId).toBeDefined();
    expect(resources[topicId!]!.Properties.KmsMasterKeyId).toBeDefined();
    for (const alarm of alarms) {
      expect(alarm.AlarmName).toMatch(/^Bookdrop-prod-/);
      expect(refersTo(alarm.AlarmActions, topicId!), alarm.AlarmName).toBe(true);
    }
    const emails = ofType('AWS::SNS::Subscription')
      .filter(([, resource]) => resource.Properties.Protocol === 'email' && refersTo(resource.Properties.TopicArn, topicId!))
      .map(([, resource]) => resource.Properties.Endpoint);
    expect(emails.sort()).toEqual([...stage.alarmEmails].sort());
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('Construct: OperationsDashboard', () => {
  it('shows events by type, notices by kind and channel, failures, opt-outs, queue depths and purges', () => {
    const [, dashboard] = ofType('AWS::CloudWatch::Dashboard')[0]!;
    expect(dashboard.Properties.DashboardName).toBe('Bookdrop-prod');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of [
      'Events in by type',
      'Notices by kind, channel and outcome',
      'Failures',
      'Opt-outs and suppressions per day',
      'Queue depths',
      'Dead-letter queue depths',
      'Purged records per day',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('MatchedEvents');
    expect(body).toContain('stats count(*) as notices by kind, channel, outcome');
    expect(body).toContain('inbound-sms-opt-out');
    expect(body).toContain('TimeToLiveDeletedItemCount');
  });
});

describe('Construct: ConfigParameters', () => {
  it('replaces every function configuration variable with the parameter path and a read grant on it', () => {
    const functions = ofType('AWS::Lambda::Function').filter(([, resource]) =>
      JSON.stringify(resource.Properties.Environment ?? {}).includes('TABLE_NAME'),
    );
    // circulation, notifier, table-stream, email-feedback, inbound-sms, unsubscribe, ils-webhook, ils-reports
    expect(functions.length).toBe(8);
    for (const [id, resource] of functions) {
      const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.BOOKDROP_CONFIG, id).toBeUndefined();
      expect(variables.BOOKDROP_CONFIG_PATH, id).toBe('/bookdrop/prod/config');
    }
    const grants = ofType('AWS::IAM::Policy').flatMap(([, resource]) =>
      (resource.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement.filter(
        (statement) => statement.Action === 'ssm:GetParametersByPath',
      ),
    );
    expect(grants).toHaveLength(8);
    for (const grant of grants) expect(JSON.stringify(grant.Resource)).toContain(':parameter/bookdrop/prod/config"');
  });

  it('stores the configuration as standard parameters under the stage path', () => {
    const names = ofType('AWS::SSM::Parameter').map(([, resource]) => resource.Properties.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        '/bookdrop/prod/config/consortium',
        ...testConfig.libraries.map((_, index) => `/bookdrop/prod/config/libraries/00${index}`),
      ]),
    );
    template.allResourcesProperties('AWS::SSM::Parameter', { Tier: 'Standard', Type: 'String' });
  });
});
