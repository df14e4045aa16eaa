/**
 * SES feedback: the configuration set publishes bounces and complaints to an encrypted, TLS-only SNS
 * topic, which delivers them (raw) to the email-feedback queue and its function.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { QueueConsumer } from '#infra/constructs/queueConsumer.ts';

export interface EmailFeedbackProps {
  readonly key: kms.Key;
  readonly configurationSet: ses.ConfigurationSet;
  readonly environment: Record<string, string>;
}

export class EmailFeedback extends Construct {
  public readonly consumer: QueueConsumer;
  public readonly topic: sns.Topic;

  public constructor(scope: Construct, id: string, props: EmailFeedbackProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Events', { masterKey: props.key, enforceSSL: true, displayName: 'Bookdrop SES feedback' });
    // SES encrypts what it publishes to the topic with the data key.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.topic.stack.account } },
      }),
    );
    props.configurationSet.addEventDestination('Feedback', {
      destination: ses.EventDestination.snsTopic(this.topic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    this.consumer = new QueueConsumer(this, 'Feedback', {
      key: props.key,
      handlerFolder: 'email-feedback',
      description: 'Bookdrop: suppresses email after permanent bounces and complaints',
      environment: props.environment,
    });
    this.topic.addSubscription(new SqsSubscription(this.consumer.input.queue, { rawMessageDelivery: true }));
  }
}
