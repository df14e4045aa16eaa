/**
 * The notifier queue: circulation processing and sweeps enqueue notice requests; the notifier
 * consumes them at the SMS rate the consortium configures.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BookdropError } from '#shared/errors.ts';
import { noticeKey, type NoticeRequest } from '#shared/notices/noticeKinds.ts';

export interface NoticeQueue {
  enqueue(requests: readonly NoticeRequest[]): Promise<void>;
}

const BATCH = 10;

export class SqsNoticeQueue implements NoticeQueue {
  public constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  public async enqueue(requests: readonly NoticeRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += BATCH) {
      const chunk = requests.slice(start, start + BATCH);
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((request, index) => ({ Id: String(index), MessageBody: JSON.stringify(request) })),
        }),
      );
      if (result.Failed && result.Failed.length > 0) {
        const failed = result.Failed.map((entry) => chunk[Number(entry.Id)]).filter((r) => r !== undefined);
        throw new BookdropError(`could not enqueue ${failed.length} notice request(s)`, {
          context: { firstKind: failed[0]?.kind, firstSubject: failed[0] ? noticeKey(failed[0], 'sms') : undefined },
        });
      }
    }
  }
}
