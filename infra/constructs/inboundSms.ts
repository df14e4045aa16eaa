/**
 * Two-way SMS: patrons' replies arrive on an encrypted, TLS-only SNS topic that only AWS End User
 * Messaging SMS (`sms-voice.amazonaws.com`) of this account, for the configured origination identity,
 * may publish to, and reach the inbound-SMS function through a queue with a DLQ.
 */
import type { Duration } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { TopicConsumer } from '#infra/constructs/topicConsumer.ts';

const SMS_SERVICE = 'sms-voice.amazonaws.com';

export interface InboundSmsProps {
  readonly key: kms.IKey;
  readonly topicKey: kms.IKey;
  readonly environment: Record<string, string>;
  /** The phone number whose replies come here; any phone number of this account when absent. */
  readonly originationIdentityArn?: string | undefined;
  readonly deadLetterRetention?: Duration;
}

export class InboundSms extends TopicConsumer {
  public constructor(scope: Construct, id: string, props: InboundSmsProps) {
    const anyNumber = Stack.of(scope).formatArn({ service: 'sms-voice', resource: 'phone-number', resourceName: '*' });
    super(scope, id, {
      key: props.key,
      topicKey: props.topicKey,
      publisher: SMS_SERVICE,
      sourceArn: props.originationIdentityArn ?? anyNumber,
      topicDisplayName: 'Bookdrop inbound SMS',
      handlerFolder: 'inbound-sms',
      description: 'Bookdrop: STOP, START and HELP replies by SMS',
      environment: props.environment,
      ...(props.deadLetterRetention ? { deadLetterRetention: props.deadLetterRetention } : {}),
    });
  }
}
