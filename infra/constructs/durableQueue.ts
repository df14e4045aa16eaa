/**
 * An SQS queue with its dead-letter queue: both KMS-encrypted with the data key, TLS only, and a
 * redrive after three receives. Every asynchronous path in Bookdrop goes through one. Dead letters can
 * hold personal data (an ILS event with a contact), so they are kept only as long as configured.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { MAX_RECEIVE_COUNT } from '#shared/routing/rules.ts';
import { STORAGE_PERIODS } from '#infra/storagePeriods.ts';

export interface DurableQueueProps {
  readonly key: kms.IKey;
  /** Visibility timeout: at least six times the consumer's timeout. */
  readonly visibilityTimeout: Duration;
  /** How long the dead-letter queue keeps a message. @default 4 days */
  readonly deadLetterRetention?: Duration;
}

/** Dead-letter retention when none is given (the configuration's default too). */
export const DEFAULT_DEAD_LETTER_RETENTION = Duration.days(4);

/**
 * Records why a principal that sends to KMS-encrypted queues may hold CDK's wildcard KMS actions:
 * `grantSendMessages` grants `kms:GenerateDataKey*` and `kms:ReEncrypt*` on the data key.
 */
export function acknowledgeEncryptedQueueSends(scope: IConstruct): void {
  const reason = 'CDK grant for sending to a KMS-encrypted SQS queue, scoped to the one data key.';
  Validations.of(scope).acknowledge(
    { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
    { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
  );
}

/** A dead-letter queue: KMS-encrypted with the data key, TLS only, kept `retention` (4 days by default). */
export function deadLetterQueue(scope: Construct, id: string, key: kms.IKey, retention = DEFAULT_DEAD_LETTER_RETENTION): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: retention,
  });
  Validations.of(queue).acknowledge({
    id: 'Serverless::Serverless-SQSRedrivePolicy',
    reason: 'This queue is a dead-letter queue, the end of a redrive: a DLQ of a DLQ would only move the same messages again.',
  });
  return queue;
}

export class DurableQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: DurableQueueProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', props.key, props.deadLetterRetention);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(STORAGE_PERIODS.queueDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
}
