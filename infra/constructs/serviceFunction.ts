/**
 * One Bookdrop Lambda function: Node.js 22 on arm64, bundled locally with esbuild as a minified ESM
 * file (infra/bundling.ts), X-Ray tracing, its own KMS-encrypted log group with a retention, and its own role (no AWS
 * managed policies: logs only to its log group). The compliance findings every such function shares
 * by design are acknowledged here, once, with their reasons.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { STORAGE_PERIODS } from '#infra/storagePeriods.ts';
import { FUNCTION_NODE_OPTIONS, functionCode, functionEntry } from '#infra/bundling.ts';

export interface ServiceFunctionProps {
  /** Folder under `functions/` holding `handler.ts`. */
  readonly handlerFolder: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Key that encrypts the log group (its policy must let CloudWatch Logs use it; see BookdropKeys). */
  readonly logKey?: kms.IKey;
}

export class ServiceFunction extends Construct {
  public readonly fn: NodejsFunction;
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: STORAGE_PERIODS.logDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
      ...(props.logKey ? { encryptionKey: props.logKey } : {}),
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Bookdrop ${props.handlerFolder} function`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      ...functionCode(functionEntry(props.handlerFolder)),
      description: props.description,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup,
      environment: {
        ...(FUNCTION_NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: FUNCTION_NODE_OPTIONS }),
        POWERTOOLS_SERVICE_NAME: `bookdrop-${props.handlerFolder}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Bookdrop',
        ...props.environment,
      },
    });
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: RUNTIME,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
      },
      ...FUNCTION_ACKNOWLEDGEMENTS,
    );
  }
}

const NO_VPC =
  'Bookdrop reaches only AWS service endpoints (DynamoDB, SQS, SNS, SES, KMS, EventBridge) over TLS with IAM; it has no private resource ' +
  'to reach, and a VPC would add NAT or endpoints without narrowing who can call what.';
const INLINE_POLICY =
  "CDK's per-role AWS::IAM::Policy is attached to exactly one role and generated from its grants, each asserted in tests; a managed " +
  'policy would add a reusable object, not a narrower permission.';
const CONCURRENCY =
  'Each function is driven only by its event source mapping, which bounds concurrency (SQS maxConcurrency, one stream shard each); ' +
  'reserved concurrency would take from a small account pool and can block deployment.';
const ASYNC_DLQ =
  'Functions are never invoked asynchronously: SQS and stream event source mappings call them, and failed records go to the queue ' +
  "redrive DLQ or the stream mapping's on-failure DLQ, which the stack sets.";
const RUNTIME =
  'Pinned to nodejs22.x on purpose: the toolchain, middy 7 and the tests run on Node 22; a newer runtime is a tested upgrade.';

/** Findings every Bookdrop function shares by design, with the reason each is not a gap. */
const FUNCTION_ACKNOWLEDGEMENTS = [
  { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC', reason: NO_VPC },
  { id: 'HIPAA.Security::HIPAA.Security-LambdaInsideVPC', reason: NO_VPC },
  { id: 'NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy', reason: INLINE_POLICY },
  { id: 'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY },
  { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency', reason: CONCURRENCY },
  { id: 'HIPAA.Security::HIPAA.Security-LambdaConcurrency', reason: CONCURRENCY },
  { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ', reason: ASYNC_DLQ },
  { id: 'HIPAA.Security::HIPAA.Security-LambdaDLQ', reason: ASYNC_DLQ },
  { id: 'Serverless::Serverless-LambdaDLQ', reason: ASYNC_DLQ },
  { id: 'Serverless::Serverless-LambdaLatestVersion', reason: RUNTIME },
];

/** The reason CDK's one inline policy per role is acknowledged, for roles made outside ServiceFunction. */
export const INLINE_POLICY_ACKNOWLEDGEMENTS = FUNCTION_ACKNOWLEDGEMENTS.filter((ack) => ack.id.endsWith('IAMNoInlinePolicy'));
