/**
 * CDK assertions for the ILS bridges (signed webhook, report-file drop), with cdk-nag's AwsSolutions
 * checks on the same synth: every grant, deny and condition of the two bridges is asserted here.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { NO_FORGED_INBOUND_SID } from '#infra/aspects/forgedInboundGuard.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { WEBHOOK_BURST_LIMIT, WEBHOOK_PATH, WEBHOOK_RATE_LIMIT } from '#infra/constructs/ilsWebhook.ts';
import { testConfig } from '#test/helpers/factories.ts';

const config = { ...testConfig, events: { ...testConfig.events, publisherRoleArns: ['arn:aws:iam::111122223333:role/ils-publisher'] } };

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string; Principal?: unknown; Sid?: string };

describe('Constructs: IlsWebhook and IlsReportBridge', () => {
  let template: Template;
  let statementsOf: (fragment: string) => Statement[];

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    template = Template.fromStack(new BookdropStack(app, 'Bookdrop', { config }));
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')) as [
      string,
      { Properties: { PolicyDocument: { Statement: Statement[] } } },
    ][];
    statementsOf = (fragment) => {
      const found = policies.filter(([id]) => id.startsWith(fragment));
      if (found.length === 0) throw new Error(`no policy ${fragment}`);
      // The Deny on the inbound topics that every role carries is asserted in security.test.ts.
      return found
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => statement.Sid !== NO_FORGED_INBOUND_SID);
    };
  });

  const withoutLogsAndTracing = (statements: Statement[]) =>
    statements.filter((s) => ![s.Action].flat().some((action) => action.startsWith('logs:') || action.startsWith('xray:')));

  it('serves POST /ils/events through a throttled, access-logged HTTP API stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `POST ${WEBHOOK_PATH}` });
    // The webhook's own API has this one route (the unsubscribe endpoint's API has its own two).
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties.RouteKey as string);
    expect(routes.filter((key) => !key.endsWith(' /unsubscribe'))).toEqual([`POST ${WEBHOOK_PATH}`]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: WEBHOOK_RATE_LIMIT, ThrottlingBurstLimit: WEBHOOK_BURST_LIMIT },
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
  });

  it('keeps the webhook secret in Secrets Manager, encrypted with the data key, generated as {"current": ...}', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysDataKey'), 'Arn'] },
      GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'current', PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('lets the webhook function read its secret, write only replay markers, and put only circulation events on the bus', () => {
    const statements = withoutLogsAndTracing(statementsOf('IlsWebhookFunction'));

    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: { Ref: expect.stringMatching(/^IlsWebhookSecret/) },
        }),
        expect.objectContaining({
          Action: 'dynamodb:PutItem',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DataTable/), 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WEBHOOKSIG#*'] } },
        }),
        expect.objectContaining({
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^IngressBus/), 'Arn'] },
          Condition: { StringEquals: { 'events:source': ['library.circulation'] } },
        }),
      ]),
    );
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(
      [
        'dynamodb:PutItem',
        'events:PutEvents',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        // The consortium configuration, read from its parameter path.
        'ssm:GetParametersByPath',
      ].sort(),
    );
  });

  it('encrypts the drop bucket with its own rotating key, TLS only, no public access, and expires report files after a day', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IlsReportsDropKey'), 'Arn'] },
            },
            BucketKeyEnabled: true,
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'report-files',
            Prefix: 'incoming/',
            ExpirationInDays: 1,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          },
          { Id: 'rejection-reports', Prefix: 'rejections/', ExpirationInDays: 14, Status: 'Enabled' },
        ],
      },
    });
  });

  it('rotates the drop key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Bookdrop: ILS report files in the drop bucket',
      EnableKeyRotation: true,
    });
  });

  it('denies report files to every principal but the ILS role and the bridge function, and any request without TLS', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0] as {
      Properties: { PolicyDocument: { Statement: Statement[] } };
    };
    const statements = policy.Properties.PolicyDocument.Statement;

    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        {
          Sid: 'ReportFilesOnlyForTheIlsAndTheBridge',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*', 's3:RestoreObject'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^IlsReportsDropBucket/), 'Arn'] }, '/incoming/*']] },
          Condition: {
            ArnNotEquals: {
              'aws:PrincipalArn': [
                { 'Fn::GetAtt': [expect.stringMatching(/^IlsReportsIlsDropRole/), 'Arn'] },
                { 'Fn::GetAtt': [expect.stringMatching(/^IlsReportsBridgeConsumerRole/), 'Arn'] },
              ],
            },
          },
        },
      ]),
    );
  });

  it('lets the ILS role, assumed only by the publisher accounts, put report files and nothing else', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Bookdrop: the ILS assumes this role to drop its scheduled report files',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111122223333:role/ils-publisher' },
          },
        ],
      },
    });
    expect(statementsOf('IlsReportsIlsDropRole')).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^IlsReportsDropBucket/), 'Arn'] }, '/incoming/*']] },
      },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^IlsReportsDropKey/), 'Arn'] } },
    ]);
  });

  it('lets the bridge read/delete report files, read mappings, write rejections, keep ILSFEED# snapshots, put circulation events', () => {
    const statements = withoutLogsAndTracing(statementsOf('IlsReportsBridgeConsumerRole'));
    const objects = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^IlsReportsDropBucket/), 'Arn'] }, `/${prefix}*`]],
    });

    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['s3:GetObject', 's3:DeleteObject'], Resource: objects('incoming/') }),
        expect.objectContaining({ Action: 's3:GetObject', Resource: objects('mappings/') }),
        expect.objectContaining({ Action: 's3:PutObject', Resource: objects('rejections/') }),
        expect.objectContaining({
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ILSFEED#*'] } },
        }),
        expect.objectContaining({ Action: 'events:PutEvents', Condition: { StringEquals: { 'events:source': ['library.circulation'] } } }),
      ]),
    );
    const actions = new Set(statements.flatMap((s) => [s.Action].flat()));
    expect([...actions].filter((action) => !action.startsWith('kms:') && !action.startsWith('sqs:')).sort()).toEqual(
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        's3:DeleteObject',
        's3:GetObject',
        's3:PutObject',
        'ssm:GetParametersByPath',
      ].sort(),
    );
  });

  it('notifies the bridge queue of files created under incoming/ only, with no custom resource, and runs one file per invocation', () => {
    const [bucketId, bucket] = Object.entries(template.findResources('AWS::S3::Bucket'))[0] as [
      string,
      { Properties: Record<string, unknown>; DependsOn?: string[] },
    ];
    const queueArn = { 'Fn::GetAtt': [expect.stringMatching(/^IlsReportsBridgeInputQueue/), 'Arn'] };

    expect(bucketId).toMatch(/^IlsReportsDropBucket/);
    expect(bucket.Properties.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        { Event: 's3:ObjectCreated:*', Queue: queueArn, Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'incoming/' }] } } },
      ],
    });
    expect(bucket.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^IlsReportsBridgeInputQueuePolicy/)]));
    expect(template.findResources('Custom::S3BucketNotifications')).toEqual({});
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'DropBucketNotifications',
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: Match.anyValue(),
            Condition: {
              ArnEquals: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':s3:::bookdrop-ils-drop-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
                  ],
                },
              },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DropBucketNotificationsEncrypt',
            Principal: { Service: 's3.amazonaws.com' },
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('ILS report files'),
      Timeout: 900,
      MemorySize: 1769,
    });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 5400, RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionName: { Ref: Match.stringLikeRegexp('^IlsReportsBridgeConsumer') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});
