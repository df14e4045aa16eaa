/**
 * An SQS queue with its dead-letter queue: both KMS-encrypted with the data key, TLS only, and a
 * redrive after three receives. Every asynchronous path in Bookdrop goes through one.
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
}

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

/** A dead-letter queue: KMS-encrypted with the data key, TLS only, kept {@link STORAGE_PERIODS} days. */
export function deadLetterQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(STORAGE_PERIODS.deadLetterQueueDays),
  });
}

export class DurableQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: DurableQueueProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', props.key);
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
