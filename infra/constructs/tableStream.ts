/**
 * The table-stream consumer: the transactional outbox. It reads the table's change stream and
 * publishes outbound events to the bus and SMS opt-in confirmations to the notifier queue. Records it
 * cannot process after its retries go to a dead-letter queue (as stream positions to replay).
 */
import { environmentFor } from '#shared/config/functionManifest.ts';
import { tableStreamManifest } from '#functions/table-stream/manifest.ts';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { deadLetterQueue } from '#infra/constructs/durableQueue.ts';
import { Construct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { OUTBOUND_SOURCE } from '#shared/events/contract.ts';
import { ServiceFunction } from '#infra/constructs/serviceFunction.ts';
import { PURGE_PARTITION, statisticsPartition } from '#shared/table/keys.ts';

export interface TableStreamProps {
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  readonly bus: events.IEventBus;
  readonly noticeQueue: sqs.IQueue;
  readonly config: ConsortiumConfig;
  /** How long the dead-letter queue keeps a stream position. @default 4 days */
  readonly deadLetterRetention?: Duration;
}

export class TableStream extends Construct {
  public readonly service: ServiceFunction;
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: TableStreamProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', props.key, props.deadLetterRetention);
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is the dead-letter queue: the stream mapping's on-failure destination, which SQS redrive does not describe.",
    });
    this.service = new ServiceFunction(this, 'Consumer', {
      handlerFolder: 'table-stream',
      description: 'Bookdrop: outbox of the table stream (outbound events, SMS opt-in confirmations)',
      environment: environmentFor(tableStreamManifest, {
        EVENT_BUS_NAME: props.bus.eventBusName,
        NOTICE_QUEUE_URL: props.noticeQueue.queueUrl,
        TABLE_NAME: props.table.tableName,
        BOOKDROP_CONFIG: JSON.stringify(props.config),
      }),
      logKey: props.key,
    });
    this.service.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 3,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    // Only Bookdrop's own outbound events: it cannot put an event that looks like the ILS's.
    this.service.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': [OUTBOUND_SOURCE] } },
      }),
    );
    // The purge journal and the statistics totals it folds expired per-event counts into are the only
    // things it writes: items in their partitions.
    this.service.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${PURGE_PARTITION}*`, `${statisticsPartition('')}*`] } },
      }),
    );
    props.key.grant(this.service.fn, 'kms:Decrypt', 'kms:GenerateDataKey');
    props.noticeQueue.grantSendMessages(this.service.fn);
  }
}
