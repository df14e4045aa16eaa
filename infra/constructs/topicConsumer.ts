/**
 * An AWS service publishes to an encrypted, TLS-only SNS topic; the topic delivers raw messages to a
 * queue (with its DLQ) consumed by a function. Only that service, for this account and the one
 * configured source (a configuration set, a phone number), may publish, and may use the topic key to
 * encrypt what it publishes; no role of the stack may publish at all (see ForgedInboundGuard). What
 * SNS cannot deliver to the queue goes to the consumer's dead-letter queue instead of being dropped.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ForgedInboundGuard } from '#infra/aspects/forgedInboundGuard.ts';
import { QueueConsumer, type QueueConsumerProps } from '#infra/constructs/queueConsumer.ts';

export interface TopicConsumerProps extends QueueConsumerProps {
  /** Encrypts the topic; the publishing service may use it (the queue uses `key`). */
  readonly topicKey: kms.IKey;
  /** The service principal that publishes, e.g. `ses.amazonaws.com`. */
  readonly publisher: string;
  /** ARN (or ARN pattern) of the resource the service publishes for: `aws:SourceArn`. */
  readonly sourceArn: string;
  readonly topicDisplayName: string;
}

/** The statement id of the topic policy's one Allow. */
export const ONLY_THE_PUBLISHING_SERVICE_SID = 'OnlyThePublishingService';

export class TopicConsumer extends Construct {
  public readonly topic: sns.Topic;
  public readonly consumer: QueueConsumer;

  public constructor(scope: Construct, id: string, props: TopicConsumerProps) {
    super(scope, id);
    const source = {
      StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      ArnLike: { 'aws:SourceArn': props.sourceArn },
    };
    this.topic = new sns.Topic(this, 'Topic', { masterKey: props.topicKey, enforceSSL: true, displayName: props.topicDisplayName });
    const publisher = new iam.ServicePrincipal(props.publisher);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: ONLY_THE_PUBLISHING_SERVICE_SID,
        principals: [publisher],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: source,
      }),
    );
    props.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [publisher],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: source,
      }),
    );
    ForgedInboundGuard.of(this).protect(this.topic);
    this.consumer = new QueueConsumer(this, 'Consumer', props);
    this.topic.addSubscription(
      new SqsSubscription(this.consumer.input.queue, { rawMessageDelivery: true, deadLetterQueue: this.consumer.input.deadLetterQueue }),
    );
  }
}
