/**
 * The notifier queue: circulation processing, the table stream and sweeps enqueue notice requests
 * and fan-out pages; the notifier consumes them at the SMS rate the consortium configures.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BookdropError } from '#shared/errors.ts';
import type { NotifierMessage } from '#shared/notices/noticeKinds.ts';

export interface NoticeQueue {
  enqueue(messages: readonly NotifierMessage[]): Promise<void>;
}

const BATCH = 10;

export class SqsNoticeQueue implements NoticeQueue {
  public constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  public async enqueue(messages: readonly NotifierMessage[]): Promise<void> {
    for (let start = 0; start < messages.length; start += BATCH) {
      const chunk = messages.slice(start, start + BATCH);
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) })),
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
