/**
 * SES feedback: the configuration set publishes bounces and complaints to an encrypted, TLS-only SNS
 * topic, which delivers them (raw) to the email-feedback queue and its function.
 */
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { TopicConsumer } from '#infra/constructs/topicConsumer.ts';

export interface EmailFeedbackProps {
  readonly key: kms.Key;
  readonly configurationSet: ses.ConfigurationSet;
  readonly environment: Record<string, string>;
}

export class EmailFeedback extends TopicConsumer {
  public constructor(scope: Construct, id: string, props: EmailFeedbackProps) {
    super(scope, id, {
      key: props.key,
      publisher: 'ses.amazonaws.com',
      topicDisplayName: 'Bookdrop SES feedback',
      handlerFolder: 'email-feedback',
      description: 'Bookdrop: suppresses email after permanent bounces and complaints',
      environment: props.environment,
    });
    props.configurationSet.addEventDestination('Feedback', {
      destination: ses.EventDestination.snsTopic(this.topic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
  }
}
