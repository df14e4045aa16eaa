/**
 * CDK assertions for the Bookdrop stack, with cdk-nag's packs (AwsSolutions, Serverless, NIST 800-53 R5,
 * HIPAA Security) running on the same synth: any unacknowledged finding makes `Template.fromStack` throw.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { routes } from '#shared/routing/rules.ts';
import { INDEXES, TABLE } from '#shared/table/tableDefinition.ts';
import { testConfig } from '#test/helpers/factories.ts';
import { nagApp } from '#test/helpers/nagApp.ts';

const config = { ...testConfig, events: { ...testConfig.events, publisherRoleArns: ['arn:aws:iam::111122223333:role/ils-publisher'] } };

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

describe('Stack: BookdropStack', () => {
  let template: Template;
  let policies: Record<string, Statement[]>;

  beforeAll(() => {
    template = Template.fromStack(new BookdropStack(nagApp(), 'Bookdrop', { config }));
    policies = Object.fromEntries(
      Object.entries(template.findResources('AWS::IAM::Policy')).map(([id, resource]) => [
        id,
        (resource as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
      ]),
    );
  });

  const policyOf = (prefix: string): Statement[] => {
    const entry = Object.entries(policies).find(([id]) => id.startsWith(prefix));
    if (!entry) throw new Error(`no policy ${prefix}`);
    return entry[1];
  };
  const actionsOn = (statements: Statement[], logicalIdFragment: string) =>
    statements
      .filter((statement) => JSON.stringify(statement.Resource).includes(logicalIdFragment))
      .flatMap((statement) => [statement.Action].flat());
  const keyId = (fragment: string) => Object.keys(template.findResources('AWS::KMS::Key')).find((id) => id.includes(fragment))!;

  it('builds the table from the shared definition: keys, GSI, TTL and stream, encrypted with the data key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: TABLE.streamView },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table')) as {
      Properties: { GlobalSecondaryIndexes: { IndexName: string; Projection: unknown }[] };
    }[];
    const deployed = Object.fromEntries(table!.Properties.GlobalSecondaryIndexes.map((index) => [index.IndexName, index.Projection]));
    expect(Object.keys(deployed).sort()).toEqual(INDEXES.map((index) => index.name).sort());
    for (const index of INDEXES) {
      expect(deployed[index.name]).toEqual({
        ProjectionType: index.projection,
        ...(index.include ? { NonKeyAttributes: [...index.include] } : {}),
      });
    }
  });

  it('rotates the symmetric keys and makes the blind-index key an HMAC key', () => {
    // The data, topic and contact keys, the ILS drop bucket's key and the alarm topic's key.
    template.resourcePropertiesCountIs('AWS::KMS::Key', { EnableKeyRotation: true }, 5);
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  });

  it('encrypts every queue with the data key, refuses plain HTTP, and redrives to a DLQ after three receives', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    // circulation, notifier, email feedback, inbound SMS and ILS reports with their DLQs, and the table stream's DLQ
    expect(Object.keys(queues)).toHaveLength(11);
    for (const queue of Object.values(queues)) {
      expect((queue as { Properties: { KmsMasterKeyId?: unknown } }).Properties.KmsMasterKeyId).toBeDefined();
    }
    template.resourcePropertiesCountIs(
      'AWS::SQS::Queue',
      { RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: Match.anyValue() } },
      5,
    );
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      },
      11,
    );
  });

  it('routes with the shared rule patterns', () => {
    for (const route of routes(config)) {
      template.hasResourceProperties('AWS::Events::Rule', { EventPattern: route.pattern });
    }
  });

  it('lets only the configured publisher roles put events, with the circulation source', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Action: 'events:PutEvents',
        Principal: { AWS: 'arn:aws:iam::111122223333:role/ils-publisher' },
        Condition: { StringEquals: { 'events:source': ['library.circulation'] } },
      }),
    });
  });

  it('runs every function on Node.js 22, arm64, traced, with partial batch responses', () => {
    // The consumers, the ILS bridge functions and the unsubscribe endpoint (an HTTP function: no event source mapping).
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } },
      8,
    );
    template.resourcePropertiesCountIs('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'] }, 6);
  });

  it('reads the table stream from the start, retries, and sends what it cannot process to a DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('publishes SES bounces and complaints to an encrypted, TLS-only topic feeding the email-feedback queue', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', RawMessageDelivery: true });
  });

  it('gives the circulation function encrypt-only use of the contact key, bound to the contact encryption context', () => {
    const statements = policyOf('CirculationConsumerRoleDefaultPolicy');
    expect(actionsOn(statements, keyId('ContactKey'))).toEqual(['kms:GenerateDataKey']);
    const grant = statements.find((statement) => JSON.stringify(statement.Resource).includes(keyId('ContactKey')));
    expect(grant?.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:purpose': 'bookdrop-contact' } });
    expect(actionsOn(statements, keyId('PhoneIndexKey'))).toEqual(['kms:GenerateMac']);
  });

  it('gives the notifier decrypt-only use of the contact key and no use of the blind-index key', () => {
    const statements = policyOf('NotifierConsumerRoleDefaultPolicy');
    expect(actionsOn(statements, keyId('ContactKey'))).toEqual(['kms:Decrypt']);
    expect(actionsOn(statements, keyId('PhoneIndexKey'))).toEqual([]);
  });

  it('gives the email-feedback function no contact key at all, and only the notice-id index', () => {
    const statements = policyOf('EmailFeedbackConsumerRoleDefaultPolicy');
    expect(actionsOn(statements, keyId('ContactKey'))).toEqual([]);
    expect(actionsOn(statements, keyId('PhoneIndexKey'))).toEqual([]);
    const query = statements.find((statement) => [statement.Action].flat().includes('dynamodb:Query'));
    expect(JSON.stringify(query?.Resource)).toContain('/index/byNoticeId');
  });

  it('lets the table-stream function publish to the bus and write only the purge journal and the statistics totals', () => {
    const statements = policyOf('TableStreamConsumerRoleDefaultPolicy');
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).toContain('events:PutEvents');
    const writes = statements.filter((statement) =>
      [statement.Action].flat().some((action) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(action)),
    );
    expect(writes).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PURGE#*', 'STATS#*'] } },
      }),
    ]);
    expect(actionsOn(statements, keyId('ContactKey'))).toEqual([]);
  });

  it('lets only the SMS service of this account publish inbound SMS, and gives the inbound function the blind index, not the contact key', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OnlyThePublishingService',
            Principal: { Service: 'sms-voice.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': Match.anyValue() } }),
          }),
        ]),
      },
    });
    const statements = policyOf('InboundSmsConsumerRoleDefaultPolicy');
    expect(actionsOn(statements, keyId('PhoneIndexKey'))).toEqual(['kms:GenerateMac']);
    expect(actionsOn(statements, keyId('ContactKey'))).toEqual([]);
    const query = statements.find((statement) => [statement.Action].flat().includes('dynamodb:Query'));
    expect(JSON.stringify(query?.Resource)).toContain('/index/byPhone');
  });

  it('runs the daily sweep in the library time zone when SMS quiet hours end, onto the notifier queue, with a DLQ', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 8 * * ? *)',
      ScheduleExpressionTimezone: 'America/New_York',
      Target: Match.objectLike({ Input: JSON.stringify({ sweepStart: {} }), DeadLetterConfig: { Arn: Match.anyValue() } }),
    });
    const query = policyOf('NotifierConsumerRoleDefaultPolicy').find((statement) => [statement.Action].flat().includes('dynamodb:Query'));
    expect(JSON.stringify(query?.Resource)).toContain('/index/bySweep');
  });

  it('never grants Scan or table-wide deletes', () => {
    const actions = Object.values(policies)
      .flat()
      .flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => /dynamodb:(Scan|DeleteTable|\*)/.test(action))).toEqual([]);
  });

  it('lets the notifier send email only from the configured senders and configuration set', () => {
    const statements = policyOf('NotifierConsumerRoleDefaultPolicy');
    const ses = statements.find((statement) => [statement.Action].flat().includes('ses:SendEmail'));
    const resources = JSON.stringify(ses?.Resource);
    for (const sender of [testConfig.consortium, ...testConfig.libraries]) expect(resources).toContain(`identity/${sender.senderEmail}`);
    expect(resources).toContain('configuration-set/');
  });

  it('uses no AWS managed policies', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as { Properties: { ManagedPolicyArns?: unknown } }[];
    expect(roles.filter((role) => role.Properties.ManagedPolicyArns !== undefined)).toEqual([]);
  });
});

describe('Check: cdk-nag AwsSolutions', () => {
  it('fails synthesis on an unacknowledged finding', () => {
    const app = nagApp();
    const stack = new Stack(app, 'Careless');
    new sqs.Queue(stack, 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
