/**
 * Two-way SMS: patrons' replies arrive on an encrypted, TLS-only SNS topic that only AWS End User
 * Messaging SMS (`sms-voice.amazonaws.com`) of this account may publish to, and reach the inbound-SMS
 * function through a queue with a DLQ.
 */
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TopicConsumer } from '#infra/constructs/topicConsumer.ts';

const SMS_SERVICE = 'sms-voice.amazonaws.com';

export class InboundSms extends TopicConsumer {
  public constructor(scope: Construct, id: string, props: { readonly key: kms.Key; readonly environment: Record<string, string> }) {
    super(scope, id, {
      key: props.key,
      publisher: SMS_SERVICE,
      topicDisplayName: 'Bookdrop inbound SMS',
      handlerFolder: 'inbound-sms',
      description: 'Bookdrop: STOP, START and HELP replies by SMS',
      environment: props.environment,
    });
    this.restrictPublishingToService(SMS_SERVICE);
  }
}
