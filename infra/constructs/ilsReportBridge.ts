/**
 * The report-file bridge: an encrypted, TLS-only drop bucket with a short lifecycle, a role the ILS
 * assumes to drop its report files, and the function (behind a queue with a DLQ) that turns each
 * file into events on the circulation bus.
 *
 * Report files (`incoming/`) can be written only by the ILS role and read or deleted only by the
 * bridge: the bucket policy denies every other principal. The bridge reads mappings (`mappings/`),
 * writes rejection reports (`rejections/`), keeps loans snapshots under `ILSFEED#` keys of the table
 * and puts events on the bus, nothing else.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INLINE_POLICY_ACKNOWLEDGEMENTS } from '#infra/constructs/serviceFunction.ts';
import { QueueConsumer } from '#infra/constructs/queueConsumer.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { ILS_FEED_PARTITION } from '#shared/table/keys.ts';
import { INCOMING_PREFIX, MAPPINGS_PREFIX, REJECTIONS_PREFIX } from '#shared/ilsBridge/reportBridge.ts';

/** Days a report file may stay in the bucket if the bridge never processes it. */
export const REPORT_FILE_DAYS = 1;
/** Days a rejection report is kept. */
export const REJECTION_DAYS = 14;

/** Logical id of the drop bucket in the stack (cdk-nag names wildcard resources by it). */
const BUCKET_ID = 'IlsReportsDropBucketE8597107';

export interface IlsReportBridgeProps {
  readonly config: ConsortiumConfig;
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  readonly bus: events.IEventBus;
}

export class IlsReportBridge extends Construct {
  public readonly bucket: s3.Bucket;
  /** Encrypts the report files (its own key: the data key's policy names this bucket for notifications). */
  public readonly dropKey: kms.Key;
  public readonly ilsRole: iam.Role;
  public readonly consumer: QueueConsumer;

  public constructor(scope: Construct, id: string, props: IlsReportBridgeProps) {
    super(scope, id);
    const { config, table, key, bus } = props;
    this.dropKey = new kms.Key(this, 'DropKey', {
      description: 'Bookdrop: ILS report files in the drop bucket',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stack = Stack.of(this);
    // A name known before the bucket exists lets the queue policy name the bucket without a cycle, so
    // the notification is plain CloudFormation (no custom resource, no AWS managed policy).
    const bucketName = `${stack.stackName.toLowerCase()}-ils-drop-${stack.account}-${stack.region}`;
    this.bucket = new s3.Bucket(this, 'DropBucket', {
      bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.dropKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'report-files',
          prefix: INCOMING_PREFIX,
          expiration: Duration.days(REPORT_FILE_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'rejection-reports', prefix: REJECTIONS_PREFIX, expiration: Duration.days(REJECTION_DAYS) },
      ],
    });
    const shortLived =
      'Report files live minutes (deleted once processed, expired after a day): logs, versions or replicas would keep ' +
      'circulation data with contacts longer than the files themselves.';
    Validations.of(this.bucket).acknowledge(
      ...['S3BucketLoggingEnabled', 'S3BucketReplicationEnabled', 'S3BucketVersioningEnabled'].flatMap((rule) => [
        { id: `NIST.800.53.R5::NIST.800.53.R5-${rule}`, reason: shortLived },
        { id: `HIPAA.Security::HIPAA.Security-${rule}`, reason: shortLived },
      ]),
    );
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Report files live minutes (deleted once processed, expired after a day); server access logs would keep their keys ' +
        'longer than the files. Use CloudTrail data events if an audit trail of drops is required.',
    });

    // The configured publisher roles (never a whole other account), or this account when none is configured.
    const { publisherRoleArns } = config.events;
    const trusted =
      publisherRoleArns.length > 0
        ? publisherRoleArns.map((arn) => new iam.ArnPrincipal(arn))
        : [new iam.AccountPrincipal(Stack.of(this).account)];
    this.ilsRole = new iam.Role(this, 'IlsDropRole', {
      description: 'Bookdrop: the ILS assumes this role to drop its scheduled report files',
      assumedBy: new iam.CompositePrincipal(...trusted),
      maxSessionDuration: Duration.hours(1),
    });
    this.ilsRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${INCOMING_PREFIX}*`)] }),
    );
    this.ilsRole.addToPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.dropKey.keyArn] }));
    const dropped = 'Report files have names chosen by the ILS at drop time: the grant is limited to the incoming/ prefix.';
    Validations.of(this.ilsRole).acknowledge(...INLINE_POLICY_ACKNOWLEDGEMENTS);
    Validations.of(this.ilsRole).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${BUCKET_ID}.Arn>/incoming/*]`, reason: dropped });

    this.consumer = new QueueConsumer(this, 'Bridge', {
      key,
      deadLetterRetention: Duration.days(config.retention.deadLetterDays),
      handlerFolder: 'ils-reports',
      description: 'Bookdrop: turns ILS report files (CSV) into circulation events',
      // A first snapshot of a large library (50,000 open loans) is the longest run: give it Lambda's maximum and a full vCPU.
      timeout: Duration.minutes(15),
      memorySize: 1769,
      batchSize: 1,
      maxConcurrency: 2,
      environment: {
        TABLE_NAME: table.tableName,
        BOOKDROP_CONFIG: JSON.stringify(config),
        EVENT_BUS_NAME: bus.eventBusName,
        DROP_BUCKET_NAME: this.bucket.bucketName,
      },
    });
    const fn = this.consumer.service.fn;
    const bridgeRole = this.consumer.service.role;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects(`${INCOMING_PREFIX}*`)],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${MAPPINGS_PREFIX}*`)] }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${REJECTIONS_PREFIX}*`)] }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ILS_FEED_PARTITION}*`] } },
      }),
    );
    key.grant(fn, 'kms:Decrypt', 'kms:GenerateDataKey');
    this.dropKey.grant(fn, 'kms:Decrypt', 'kms:GenerateDataKey');
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': [config.events.source] } },
      }),
    );
    Validations.of(this.consumer.service).acknowledge(
      { id: `AwsSolutions-IAM5[Resource::<${BUCKET_ID}.Arn>/incoming/*]`, reason: dropped },
      {
        id: `AwsSolutions-IAM5[Resource::<${BUCKET_ID}.Arn>/mappings/*]`,
        reason: 'Mappings are named after the reports the operator configures: read-only, mappings/ prefix.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${BUCKET_ID}.Arn>/rejections/*]`,
        reason: 'Rejection reports are named after the rejected file: write-only, rejections/ prefix.',
      },
    );

    // Report files: only the ILS role may write them, only the bridge may read or delete them.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReportFilesOnlyForTheIlsAndTheBridge',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*', 's3:RestoreObject'],
        resources: [this.bucket.arnForObjects(`${INCOMING_PREFIX}*`)],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [this.ilsRole.roleArn, bridgeRole.roleArn] } },
      }),
    );
    this.notifyOnDrop(this.consumer.input.queue, key, `arn:${stack.partition}:s3:::${bucketName}`);

    new CfnOutput(this, 'DropBucketName', {
      value: this.bucket.bucketName,
      description: 'Drop ILS report files under incoming/<mapping>/ (docs/ils-bridges.md)',
    });
    new CfnOutput(this, 'IlsDropRoleArn', { value: this.ilsRole.roleArn, description: 'The role the ILS assumes to drop report files' });
    new CfnOutput(this, 'DeadLetterQueue', { value: this.consumer.input.deadLetterQueue.queueUrl });
  }

  /** S3 tells the bridge queue of every file created under `incoming/`; only this bucket may send. */
  private notifyOnDrop(queue: sqs.Queue, queueKey: kms.IKey, bucketArn: string): void {
    const s3Service = new iam.ServicePrincipal('s3.amazonaws.com');
    const account = Stack.of(this).account;
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DropBucketNotifications',
        principals: [s3Service],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': bucketArn }, StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    queueKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DropBucketNotificationsEncrypt',
        principals: [s3Service],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    const bucket = this.bucket.node.defaultChild as s3.CfnBucket;
    bucket.notificationConfiguration = {
      queueConfigurations: [
        { event: 's3:ObjectCreated:*', queue: queue.queueArn, filter: { s3Key: { rules: [{ name: 'prefix', value: INCOMING_PREFIX }] } } },
      ],
    };
    // S3 checks that it may send when the configuration is created.
    const policy = queue.node.tryFindChild('Policy')?.node.defaultChild;
    if (policy) bucket.node.addDependency(policy);
  }
}
