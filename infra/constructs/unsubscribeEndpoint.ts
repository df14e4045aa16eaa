/**
 * The unsubscribe endpoint: an API Gateway HTTP API with exactly two routes (`GET` and `POST
 * /unsubscribe`), throttled at its stage and access-logged without query strings (they hold tokens),
 * in front of its own function. The function's role may read a patron profile, write the profile and
 * its ledger entries, and verify (never generate) MACs with the endpoint's own KMS HMAC key; the
 * notifier is granted generation only. See docs/decisions/0008-unsubscribe-endpoint-http-api.md.
 */
import { environmentFor, grantedActions, type ScopeValues } from '#shared/config/functionManifest.ts';
import { unsubscribeManifest } from '#functions/unsubscribe/manifest.ts';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ServiceFunction } from '#infra/constructs/serviceFunction.ts';
import { UNSUBSCRIBE_PATH } from '#shared/unsubscribe/unsubscribeHttp.ts';

/** Steady requests per second and burst the stage lets through; more get 429 before any function runs. */
export const UNSUBSCRIBE_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

/** The table actions of one opt-out: a consistent read of the profile, a transaction of Puts. */
export const UNSUBSCRIBE_TABLE_ACTIONS = grantedActions(unsubscribeManifest, 'table');

export interface UnsubscribeEndpointProps {
  readonly table: dynamodb.ITable;
  /** The table's encryption key. */
  readonly dataKey: kms.IKey;
  /** `TABLE_NAME`, `BOOKDROP_CONFIG`, `CONTACT_KEYS`; the construct adds `UNSUBSCRIBE_KEY_ID`. */
  /** Its environment (its manifest's variables) but the verify key, which this construct creates. */
  readonly environment: Omit<ScopeValues<typeof unsubscribeManifest.env, 'aws'>, 'UNSUBSCRIBE_KEY_ID'>;
  /** @default UNSUBSCRIBE_THROTTLE */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

export class UnsubscribeEndpoint extends Construct {
  /** The HMAC key of unsubscribe tokens (kept on stack deletion: links in sent emails live a year). */
  public readonly macKey: kms.Key;
  public readonly service: ServiceFunction;
  public readonly api: apigw.HttpApi;
  /** The URL every email's unsubscribe link starts with. */
  public readonly url: string;

  public constructor(scope: Construct, id: string, props: UnsubscribeEndpointProps) {
    super(scope, id);
    this.macKey = new kms.Key(this, 'TokenKey', {
      description: 'Bookdrop: MAC of one-click unsubscribe tokens',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.service = new ServiceFunction(this, 'Handler', {
      handlerFolder: 'unsubscribe',
      description: 'Bookdrop: one-click unsubscribe page, confirmation and RFC 8058 POST',
      timeout: Duration.seconds(10),
      environment: environmentFor(unsubscribeManifest, { ...props.environment, UNSUBSCRIBE_KEY_ID: this.macKey.keyArn }),
      logKey: props.dataKey,
    });
    const fn = this.service.fn;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: UNSUBSCRIBE_TABLE_ACTIONS, resources: [props.table.tableArn] }));
    props.dataKey.grant(fn, 'kms:Decrypt', 'kms:GenerateDataKey');
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:VerifyMac'], resources: [this.macKey.keyArn] }));

    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-unsubscribe`,
      description: 'Bookdrop one-click unsubscribe (GET page, POST opt-out)',
      createDefaultStage: false,
    });
    this.api.addRoutes({
      path: UNSUBSCRIBE_PATH,
      methods: [apigw.HttpMethod.GET, apigw.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Integration', fn),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: props.dataKey,
    });
    const throttle = props.throttle ?? UNSUBSCRIBE_THROTTLE;
    new apigw.HttpStage(this, 'Stage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        // No path with query string, no source IP: the token is in the query, the IP is personal data.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.url = `${this.api.apiEndpoint}${UNSUBSCRIBE_PATH}`;
    for (const route of this.api.node.findAll().filter((child) => child instanceof apigw.HttpRoute)) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Public by design: mailbox providers (RFC 8058) and patrons call it without credentials; the MAC token in the URL is the authorization, verified by the function with KMS.',
      });
    }
    new CfnOutput(Stack.of(this), 'UnsubscribeUrl', { value: this.url, description: 'Where the unsubscribe links of emails point' });
  }

  /** Lets `grantee` (the notifier) sign tokens; verifying stays with the endpoint. */
  public grantIssue(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateMac'], resources: [this.macKey.keyArn] }));
  }
}
