/**
 * SES feedback: the configuration set publishes bounces and complaints to an encrypted, TLS-only SNS
 * topic (only SES of this account, for this configuration set, may publish), which delivers them (raw)
 * to the email-feedback queue and its function.
 */
import type { Duration } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { TopicConsumer } from '#infra/constructs/topicConsumer.ts';

export interface EmailFeedbackProps {
  readonly key: kms.IKey;
  readonly topicKey: kms.IKey;
  readonly configurationSet: ses.ConfigurationSet;
  readonly environment: Record<string, string>;
  readonly deadLetterRetention?: Duration;
}

export class EmailFeedback extends TopicConsumer {
  public constructor(scope: Construct, id: string, props: EmailFeedbackProps) {
    super(scope, id, {
      key: props.key,
      topicKey: props.topicKey,
      publisher: 'ses.amazonaws.com',
      sourceArn: Stack.of(scope).formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: props.configurationSet.configurationSetName,
      }),
      topicDisplayName: 'Bookdrop SES feedback',
      handlerFolder: 'email-feedback',
      description: 'Bookdrop: suppresses email after permanent bounces and complaints',
      environment: props.environment,
      ...(props.deadLetterRetention ? { deadLetterRetention: props.deadLetterRetention } : {}),
    });
    props.configurationSet.addEventDestination('Feedback', {
      destination: ses.EventDestination.snsTopic(this.topic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
  }
}
