/**
 * The notifier queue: circulation processing, the table stream and sweeps enqueue notice requests
 * and fan-out pages; the notifier consumes them at the SMS rate the consortium configures.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BookdropError } from '#shared/errors.ts';
import type { NotifierMessage } from '#shared/notices/noticeKinds.ts';

export interface EnqueueOptions {
  /** Seconds before the messages become visible (SQS allows 0 to 900). */
  readonly delaySeconds?: number;
}

export interface NoticeQueue {
  enqueue(messages: readonly NotifierMessage[], options?: EnqueueOptions): Promise<void>;
}

/** SQS's longest message delay. */
export const MAX_DELAY_SECONDS = 900;

const BATCH = 10;

export class SqsNoticeQueue implements NoticeQueue {
  public constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  public async enqueue(messages: readonly NotifierMessage[], options: EnqueueOptions = {}): Promise<void> {
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(options.delaySeconds ?? 0)));
    for (let start = 0; start < messages.length; start += BATCH) {
      const chunk = messages.slice(start, start + BATCH);
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message),
            ...(delay > 0 ? { DelaySeconds: delay } : {}),
          })),
        }),
      );
      if (result.Failed && result.Failed.length > 0) {
        // A retry re-enqueues the whole batch; notice keys make the duplicates harmless.
        throw new BookdropError(`could not enqueue ${result.Failed.length} notifier message(s)`, {
          context: { codes: [...new Set(result.Failed.map((entry) => entry.Code))].join(',') },
        });
      }
    }
  }
}
