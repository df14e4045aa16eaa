/**
 * Template assertions for the security controls of docs/security.md: who may publish to the inbound
 * topics, the source conditions that stop a confused deputy, the contact key's policy, dead-letter
 * queues on every subscription, configured retention, and the cdk-nag packs. One synthesis (with every
 * pack) is shared by the file; a role added after the stack is built proves the Deny is generic.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { CONTACT_KEY_ADMIN_ACTIONS } from '#infra/constructs/keys.ts';
import { SECURITY_FEATURE_FLAGS } from '#infra/featureFlags.ts';
import { COMPLIANCE_PACKS } from '#infra/compliancePacks.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { testConfig } from '#test/helpers/factories.ts';
import { nagApp } from '#test/helpers/nagApp.ts';

const PUBLISHER = 'arn:aws:iam::111122223333:role/ils-publisher';
const OFFICER = 'arn:aws:iam::444455556666:role/privacy-officer';
const SMS_IDENTITY = 'arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123';

const config: ConsortiumConfig = {
  ...testConfig,
  events: { ...testConfig.events, publisherRoleArns: [PUBLISHER] },
  sms: { ...testConfig.sms, originationIdentityArn: SMS_IDENTITY },
  retention: { ...testConfig.retention, deadLetterDays: 2, pointInTimeRecoveryDays: 3 },
  privacy: { officerRoleArn: OFFICER },
};

type Condition = Record<string, Record<string, unknown>>;
type Statement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: { AWS?: unknown; Service?: unknown } | '*';
  Condition?: Condition;
};
type Resource = { Type: string; Properties: Record<string, unknown> };

const actionsOf = (statement: Statement) => [statement.Action].flat();
const listOf = (value: unknown) => [value].flat();
const ref = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const sorted = (values: unknown[]) => values.map((value) => JSON.stringify(value)).sort();

describe('Stack: BookdropStack security', () => {
  let stack: BookdropStack;
  let resources: Record<string, Resource>;

  beforeAll(() => {
    stack = new BookdropStack(nagApp(), 'Bookdrop', { config });
    // A role another construct adds later, even one allowed to publish anywhere, gets the Deny too.
    const late = new iam.Role(stack, 'LateRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    late.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    const testOnly = 'A role the test adds to prove the publish Deny reaches roles made after the stack; never deployed.';
    Validations.of(late).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: testOnly },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy', reason: testOnly },
      { id: 'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy', reason: testOnly },
    );
    resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  });

  const idsOf = (type: string, prefix = '') =>
    Object.entries(resources)
      .filter(([id, resource]) => resource.Type === type && id.startsWith(prefix))
      .map(([id]) => id);
  const idOf = (type: string, prefix: string) => {
    const [id, ...others] = idsOf(type, prefix);
    if (id === undefined || others.length > 0) throw new Error(`expected one ${type} ${prefix}, found ${[id, ...others].join(', ')}`);
    return id;
  };
  const propsOf = (id: string) => resources[id]!.Properties;
  const documentOf = (id: string, property = 'PolicyDocument') => (propsOf(id)[property] as { Statement: Statement[] }).Statement;
  const keyPolicy = (prefix: string) => documentOf(idOf('AWS::KMS::Key', prefix), 'KeyPolicy');
  /** Statements of every IAM policy attached to the role. */
  const roleStatements = (roleId: string) =>
    idsOf('AWS::IAM::Policy')
      .filter((id) => JSON.stringify(propsOf(id).Roles).includes(JSON.stringify(ref(roleId))))
      .flatMap((id) => documentOf(id));
  const allPolicyStatements = () => idsOf('AWS::IAM::Policy').flatMap((id) => documentOf(id));
  const topic = (prefix: string) => idOf('AWS::SNS::Topic', prefix);
  /** The statements of the policy resource of `type` attached to `targetId` through its `list` property. */
  const attachedPolicy = (type: string, list: string, targetId: string) => {
    const id = idsOf(type).find((candidate) => JSON.stringify(propsOf(candidate)[list]) === JSON.stringify([ref(targetId)]));
    return documentOf(id!);
  };
  const topicPolicyOf = (topicId: string) => attachedPolicy('AWS::SNS::TopicPolicy', 'Topics', topicId);
  const queuePolicyOf = (queueId: string) => attachedPolicy('AWS::SQS::QueuePolicy', 'Queues', queueId);
  const mentions = (statement: Statement, text: string) => JSON.stringify(statement.Principal ?? null).includes(text);
  const servicesIn = (statements: Statement[]) => statements.filter((statement) => mentions(statement, '"Service"'));
  const redriveTarget = (value: unknown) => (value as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn;

  describe('forged inbound messages', () => {
    it('denies sns:Publish on both inbound topics to every role of the stack, including one added after it was built', () => {
      const roles = idsOf('AWS::IAM::Role');
      expect(roles).toContain(idOf('AWS::IAM::Role', 'LateRole'));
      expect(roles.length).toBeGreaterThanOrEqual(7);
      const inbound = sorted([ref(topic('EmailFeedbackTopic')), ref(topic('InboundSmsTopic'))]);
      for (const role of roles) {
        const denies = roleStatements(role).filter(
          (statement) => statement.Effect === 'Deny' && actionsOf(statement).includes('sns:Publish'),
        );
        expect(
          denies.map((deny) => sorted(listOf(deny.Resource))),
          role,
        ).toEqual([inbound]);
      }
    });

    it('lets only SES publish email feedback, for this account and this configuration set', () => {
      const allows = topicPolicyOf(topic('EmailFeedbackTopic')).filter((statement) => statement.Effect === 'Allow');
      expect(allows.length).toBeGreaterThan(0);
      for (const allow of allows) {
        expect(allow.Principal).toEqual({ Service: 'ses.amazonaws.com' });
        const condition = JSON.stringify(allow.Condition);
        expect(condition).toMatch(/"aws:SourceAccount":\{"Ref":"AWS::AccountId"\}/i);
        expect(condition).toMatch(/"aws:SourceArn":\{"Fn::Join":\["",\["arn:",.*":configuration-set\/",\{"Ref":"EmailConfigurationSet/i);
      }
    });

    it('lets only the SMS service publish inbound SMS, for this account and the configured phone number', () => {
      const allows = topicPolicyOf(topic('InboundSmsTopic')).filter((statement) => statement.Effect === 'Allow');
      expect(allows).toEqual([
        expect.objectContaining({
          Principal: { Service: 'sms-voice.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') }, ArnLike: { 'aws:SourceArn': SMS_IDENTITY } },
        }),
      ]);
    });

    it('lets the publishing services use the topic key only for their own source', () => {
      const services = servicesIn(keyPolicy('KeysTopicKey'));
      expect(services.map((statement) => (statement.Principal as { Service: string }).Service).sort()).toEqual([
        'ses.amazonaws.com',
        'sms-voice.amazonaws.com',
      ]);
      for (const statement of services) {
        expect(Object.keys(statement.Condition?.StringEquals ?? {})).toEqual(['aws:SourceAccount']);
        expect(Object.keys(statement.Condition?.ArnLike ?? {})).toEqual(['aws:SourceArn']);
      }
    });

    it('gives each topic subscription a dead-letter queue that accepts only that topic', () => {
      const subscriptions = idsOf('AWS::SNS::Subscription');
      expect(subscriptions).toHaveLength(2);
      for (const id of subscriptions) {
        const { TopicArn, RedrivePolicy } = propsOf(id);
        const target = redriveTarget(RedrivePolicy) as { 'Fn::GetAtt': [string] } | undefined;
        expect(target, id).toBeDefined();
        const fromSns = queuePolicyOf(target!['Fn::GetAtt'][0]).filter((statement) => mentions(statement, 'sns.amazonaws.com'));
        expect(fromSns).toEqual([expect.objectContaining({ Effect: 'Allow', Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } })]);
      }
    });
  });

  describe('confused deputy', () => {
    it('lets EventBridge send to the circulation queue only for its own rule of this account', () => {
      const fromEvents = queuePolicyOf(idOf('AWS::SQS::Queue', 'CirculationInputQueue')).filter((statement) =>
        mentions(statement, 'events.amazonaws.com'),
      );
      expect(fromEvents).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Condition: {
            ArnEquals: { 'aws:SourceArn': arnOf(idOf('AWS::Events::Rule', 'IngressCirculationEvents')) },
            StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
          },
        }),
      ]);
    });

    it('lets AWS services use the data key only with a source condition', () => {
      const services = servicesIn(keyPolicy('KeysDataKey'));
      for (const statement of services) expect(Object.keys(statement.Condition ?? {}), JSON.stringify(statement.Principal)).not.toEqual([]);
      const rulesOfTheBus = expect.arrayContaining([':rule/', ref(idOf('AWS::Events::EventBus', 'IngressBus')), '/*']);
      expect(services.find((statement) => mentions(statement, 'events.amazonaws.com'))?.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', rulesOfTheBus] } },
      });
      const sns = services.filter((statement) => mentions(statement, 'sns.amazonaws.com'));
      expect(sorted(sns.map((statement) => statement.Condition))).toEqual(
        sorted([ref(topic('EmailFeedbackTopic')), ref(topic('InboundSmsTopic'))].map((arn) => ({ ArnEquals: { 'aws:SourceArn': arn } }))),
      );
      const logsStatement = services.find((statement) => mentions(statement, 'logs.'));
      expect(Object.keys(logsStatement?.Condition?.ArnLike ?? {})).toEqual(['kms:EncryptionContext:aws:logs:arn']);
    });

    it('lets every role use the data key only through DynamoDB and SQS (kms:ViaService)', () => {
      const dataKey = JSON.stringify(arnOf(idOf('AWS::KMS::Key', 'KeysDataKey')));
      const grants = allPolicyStatements().filter(
        (statement) => statement.Effect === 'Allow' && JSON.stringify(statement.Resource).includes(dataKey),
      );
      expect(grants.length).toBeGreaterThanOrEqual(10);
      for (const grant of grants) {
        expect(grant.Resource).toEqual(JSON.parse(dataKey));
        expect(grant.Condition?.StringEquals?.['kms:ViaService']).toEqual(
          ['dynamodb', 'sqs'].map((service) => ({ 'Fn::Join': ['', [`${service}.`, ref('AWS::Region'), '.amazonaws.com']] })),
        );
      }
    });

    it("lets the table-stream role put only Bookdrop's outbound events on the bus", () => {
      const puts = roleStatements(idOf('AWS::IAM::Role', 'TableStreamConsumerRole')).filter((statement) =>
        actionsOf(statement).includes('events:PutEvents'),
      );
      const onlyOutbound = { StringEquals: { 'events:source': ['library.notices'] } };
      expect(puts).toEqual([expect.objectContaining({ Effect: 'Allow', Condition: onlyOutbound })]);
      const everyPut = allPolicyStatements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('events:')));
      for (const put of everyPut) expect(Object.keys(put.Condition?.StringEquals ?? {})).toEqual(['events:source']);
    });

    it('lets only EventBridge Scheduler, for this account, assume the sweep role', () => {
      const trust = documentOf(idOf('AWS::IAM::Role', 'DailySweepRole'), 'AssumeRolePolicyDocument');
      expect(trust).toEqual([
        expect.objectContaining({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
            ArnLike: { 'aws:SourceArn': expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining([':schedule/default/*'])] }) },
          },
        }),
      ]);
    });

    it('trusts the configured publisher roles on the bus, never an account root', () => {
      const statements = idsOf('AWS::Events::EventBusPolicy').map((id) => propsOf(id).Statement as Statement);
      const onlyCirculation = { StringEquals: { 'events:source': ['library.circulation'] } };
      expect(statements).toEqual([expect.objectContaining({ Principal: { AWS: PUBLISHER }, Condition: onlyCirculation })]);
    });

    it('sets the CDK feature flags that add source conditions, whichever app builds the stack', () => {
      for (const flag of Object.keys(SECURITY_FEATURE_FLAGS)) expect(stack.node.tryGetContext(flag), flag).toBe(true);
    });
  });

  describe('contact key', () => {
    const crypto = /^kms:(\*|Decrypt|Encrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant)$/;

    it('lets the account administer the contact key but not use it', () => {
      const account = keyPolicy('KeysContactKey').filter((statement) => statement.Effect === 'Allow' && mentions(statement, ':root'));
      expect(account).toHaveLength(1);
      expect(actionsOf(account[0]!)).toEqual(CONTACT_KEY_ADMIN_ACTIONS);
      expect(actionsOf(account[0]!).filter((action) => crypto.test(action))).toEqual([]);
      expect(actionsOf(account[0]!)).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey']));
    });

    it('allows Decrypt only to the notifier role and the privacy officer, for contact ciphertexts', () => {
      const decrypts = keyPolicy('KeysContactKey').filter(
        (statement) => statement.Effect === 'Allow' && actionsOf(statement).some((action) => crypto.test(action)),
      );
      const byAction = (action: string) => decrypts.filter((statement) => actionsOf(statement).includes(action));
      expect(sorted(byAction('kms:Decrypt').map((statement) => (statement.Principal as { AWS: unknown }).AWS))).toEqual(
        sorted([OFFICER, arnOf(idOf('AWS::IAM::Role', 'NotifierConsumerRole'))]),
      );
      expect(byAction('kms:GenerateDataKey').map((statement) => (statement.Principal as { AWS: unknown }).AWS)).toEqual([
        arnOf(idOf('AWS::IAM::Role', 'CirculationConsumerRole')),
      ]);
      for (const statement of decrypts) {
        expect(actionsOf(statement)).toHaveLength(1);
        expect(statement.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:purpose': 'bookdrop-contact' } });
      }
    });

    it('denies decryption, re-encryption and grants to every other principal', () => {
      const denies = keyPolicy('KeysContactKey').filter((statement) => statement.Effect === 'Deny');
      expect(denies).toHaveLength(1);
      expect(denies[0]!.Principal).toEqual({ AWS: '*' });
      expect(actionsOf(denies[0]!).sort()).toEqual(['kms:CreateGrant', 'kms:Decrypt', 'kms:ReEncryptFrom']);
      expect(sorted(listOf(denies[0]!.Condition?.ArnNotEquals?.['aws:PrincipalArn']))).toEqual(
        sorted([OFFICER, arnOf(idOf('AWS::IAM::Role', 'NotifierConsumerRole'))]),
      );
    });
  });

  describe('personal data outside the table', () => {
    it('keeps dead letters for the configured days, and recovery points for the configured window', () => {
      const deadLetterQueues = new Set<string>();
      const collect = (value: unknown) => {
        const match = JSON.stringify(value ?? null).match(/"Fn::GetAtt":\["(\w+)","Arn"\]/);
        if (match?.[1]) deadLetterQueues.add(match[1]);
      };
      for (const id of [...idsOf('AWS::SQS::Queue'), ...idsOf('AWS::SNS::Subscription')]) collect(redriveTarget(propsOf(id).RedrivePolicy));
      for (const id of idsOf('AWS::Lambda::EventSourceMapping')) {
        collect((propsOf(id).DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination);
      }
      expect(deadLetterQueues.size).toBeGreaterThanOrEqual(5);
      for (const id of deadLetterQueues) expect(propsOf(id).MessageRetentionPeriod, id).toBe(2 * 86_400);
      expect(propsOf(idOf('AWS::DynamoDB::Table', 'DataTable')).PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
        RecoveryPeriodInDays: 3,
      });
    });

    it('encrypts every function log group with the data key', () => {
      const groups = idsOf('AWS::Logs::LogGroup');
      expect(groups.length).toBeGreaterThanOrEqual(5);
      for (const id of groups) expect(propsOf(id).KmsKeyId, id).toEqual(arnOf(idOf('AWS::KMS::Key', 'KeysDataKey')));
    });
  });

  it('gives every acknowledged cdk-nag finding a reason', () => {
    const acknowledgements = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    // Ids given without their pack are recorded as `Annotation::<id>`.
    const packOf = (id: string) => COMPLIANCE_PACKS.find((pack) => id.replace(/^Annotation::/, '').startsWith(pack)) ?? id;
    const packs = new Set(acknowledgements.map(([id]) => packOf(id)));
    expect([...packs].sort()).toEqual([...COMPLIANCE_PACKS].sort());
    for (const [id, reason] of acknowledgements) {
      expect(reason.length, id).toBeGreaterThanOrEqual(60);
      expect(reason, id).not.toMatch(/\b(todo|tbd|fixme|later)\b/i);
    }
  });
});

describe('Check: cdk-nag packs', () => {
  it('runs AwsSolutions, Serverless, NIST 800-53 R5 and HIPAA Security, each failing synthesis on its own finding', () => {
    const app = nagApp();
    const stack = new Stack(app, 'Careless');
    new sqs.Queue(stack, 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    new logs.LogGroup(stack, 'PlainLogs');
    let report = '';
    try {
      app.synth();
    } catch (error) {
      report = String(error);
    }
    expect(report).toMatch(/AwsSolutions-SQS/);
    expect(report).toMatch(/Serverless-SQSRedrivePolicy/);
    expect(report).toMatch(/NIST\.800\.53\.R5-CloudWatchLogGroupEncrypted/);
    expect(report).toMatch(/HIPAA\.Security-CloudWatchLogGroupEncrypted/);
  });
});
