/**
 * An AWS service publishes to an encrypted, TLS-only SNS topic; the topic delivers raw messages to a
 * queue (with its DLQ) consumed by a function. The publishing service of this account may use the
 * data key to encrypt what it publishes.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { QueueConsumer, type QueueConsumerProps } from '#infra/constructs/queueConsumer.ts';

export interface TopicConsumerProps extends QueueConsumerProps {
  readonly key: kms.Key;
  /** The service principal that publishes, e.g. `ses.amazonaws.com`. */
  readonly publisher: string;
  readonly topicDisplayName: string;
}

export class TopicConsumer extends Construct {
  public readonly topic: sns.Topic;
  public readonly consumer: QueueConsumer;

  public constructor(scope: Construct, id: string, props: TopicConsumerProps) {
    super(scope, id);
    const sourceAccount = { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } };
    this.topic = new sns.Topic(this, 'Topic', { masterKey: props.key, enforceSSL: true, displayName: props.topicDisplayName });
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(props.publisher)],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: sourceAccount,
      }),
    );
    this.consumer = new QueueConsumer(this, 'Consumer', props);
    this.topic.addSubscription(new SqsSubscription(this.consumer.input.queue, { rawMessageDelivery: true }));
  }

  /** Lets only the publishing service of this account publish to the topic. */
  public restrictPublishingToService(publisher: string): void {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThePublishingService',
        principals: [new iam.ServicePrincipal(publisher)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }
}
