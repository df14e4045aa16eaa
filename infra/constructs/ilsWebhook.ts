/**
 * The signed ILS webhook: an HTTP API (`POST /ils/events`, throttled at the stage, access-logged) in
 * front of a function that checks the HMAC signature with a secret from Secrets Manager, refuses
 * replays through the table, validates each event and puts it on the circulation bus.
 *
 * The function may only: read that one secret, write replay markers (`WEBHOOKSIG#` keys) to the
 * table, and put events on the bus.
 */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ServiceFunction } from '#infra/constructs/serviceFunction.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { WEBHOOK_SIGNATURE_PARTITION } from '#shared/table/keys.ts';

/** Steady requests per second the stage lets through (each carries up to ten events). */
export const WEBHOOK_RATE_LIMIT = 20;
/** Requests the stage lets through at once above the steady rate. */
export const WEBHOOK_BURST_LIMIT = 40;
/** The webhook's path. */
export const WEBHOOK_PATH = '/ils/events';

export interface IlsWebhookProps {
  readonly config: ConsortiumConfig;
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  readonly bus: events.IEventBus;
}

export class IlsWebhook extends Construct {
  public readonly secret: secretsmanager.Secret;
  public readonly service: ServiceFunction;
  public readonly api: apigw.HttpApi;

  public constructor(scope: Construct, id: string, props: IlsWebhookProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Bookdrop ILS webhook HMAC secret: {"current": ..., "previous"?: ...} (rotation: docs/ils-bridges.md)',
      encryptionKey: props.key,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The ILS holds a copy of this secret, so rotation is a coordinated two-step change (new value as current, old kept as ' +
        'previous until the ILS switches), documented in docs/ils-bridges.md; a rotation Lambda cannot update the ILS.',
    });

    this.service = new ServiceFunction(this, 'Function', {
      logKey: props.key,
      handlerFolder: 'ils-webhook',
      description: 'Bookdrop: signed ILS webhook, puts validated circulation events on the bus',
      timeout: Duration.seconds(10),
      environment: {
        TABLE_NAME: props.table.tableName,
        BOOKDROP_CONFIG: JSON.stringify(props.config),
        EVENT_BUS_NAME: props.bus.eventBusName,
        WEBHOOK_SECRET_ID: this.secret.secretArn,
      },
    });
    const fn = this.service.fn;
    this.secret.grantRead(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${WEBHOOK_SIGNATURE_PARTITION}*`] } },
      }),
    );
    props.key.grant(fn, 'kms:Decrypt', 'kms:GenerateDataKey');
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': [props.config.events.source] } },
      }),
    );

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: props.key,
    });
    this.api = new apigw.HttpApi(this, 'Api', { description: 'Bookdrop: signed ILS webhook', createDefaultStage: false });
    new apigw.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: WEBHOOK_RATE_LIMIT, burstLimit: WEBHOOK_BURST_LIMIT },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    this.api.addRoutes({ path: WEBHOOK_PATH, methods: [apigw.HttpMethod.POST], integration: new HttpLambdaIntegration('Integration', fn) });
    Validations.of(this).acknowledge(
      {
        id: 'Serverless::Serverless-APIGWStructuredLogging',
        reason:
          'Access logs hold request metadata only (caller IP of the ILS, time, method, status, request id), never bodies; nothing to query.',
      },
      {
        id: 'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled',
        reason: 'The webhook secret is shared with the ILS vendor, who must change it at the same time; a rotation function cannot.',
      },
      {
        id: 'HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled',
        reason: 'The webhook secret is shared with the ILS vendor, who must change it at the same time; a rotation function cannot.',
      },
    );
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The ILS cannot sign AWS requests: every request is authenticated by its HMAC-SHA256 signature, timestamp and ' +
        'replay check in the function.',
    });

    new CfnOutput(this, 'Url', {
      value: `${this.api.apiEndpoint}${WEBHOOK_PATH}`,
      description: 'Signed ILS webhook (docs/ils-bridges.md)',
    });
    new CfnOutput(this, 'SecretArn', {
      value: this.secret.secretArn,
      description: 'The webhook HMAC secret; share its current value with the ILS',
    });
  }
}
