/**
 * The batch handlers when two batches run at once through one module, as the sandbox runs a queue's
 * batches (and as a function's execution environment never does in AWS): each batch's response names
 * exactly its own failed records, so no failed record is deleted from its queue instead of retried.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { sqsBatchHandler, streamBatchHandler } from '#shared/lambda/batchHandlers.ts';
import { lambdaContext } from '#sandbox/localQueues.ts';
import { captureLogs } from '#test/helpers/captureLogs.ts';
import { sqsEvent } from '#test/helpers/factories.ts';

/** A promise the test resolves when it chooses. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('Batch handlers: concurrent batches', () => {
  it('an SQS batch keeps its own failure while another batch starts and ends in the middle of it', async () => {
    const slow = gate();
    const handler = sqsBatchHandler(async (record) => {
      const { action } = JSON.parse(record.body) as { action: string };
      if (action === 'fail') throw new Error('this record fails');
      if (action === 'wait') await slow.opened;
    });
    const first = sqsEvent({ action: 'fail' }, { action: 'wait' });
    const second = sqsEvent({ action: 'pass' }, { action: 'pass' });
    const logs = captureLogs();
    try {
      const firstResponse = handler(first, lambdaContext('first'));
      // Let the first batch's failing record fail (promise callbacks only, no I/O) before the second batch begins.
      await new Promise((resolve) => setImmediate(resolve));
      const secondResponse = await handler(second, lambdaContext('second'));
      slow.open();

      expect(secondResponse.batchItemFailures).toEqual([]);
      expect((await firstResponse).batchItemFailures).toEqual([{ itemIdentifier: first.Records[0]!.messageId }]);
    } finally {
      logs.restore();
    }
  });

  it("an SQS batch's shared state is its own: two batches at once each get a fresh one", async () => {
    const both = gate();
    const seen: Map<string, number>[] = [];
    const handler = sqsBatchHandler(
      async (record, shared) => {
        shared.set(record.body, (shared.get(record.body) ?? 0) + 1);
        if (!seen.includes(shared)) seen.push(shared);
        await both.opened;
      },
      () => new Map<string, number>(),
    );
    const first = handler(sqsEvent({ n: 1 }, { n: 1 }), lambdaContext('first'));
    const second = handler(sqsEvent({ n: 1 }), lambdaContext('second'));
    both.open();
    await Promise.all([first, second]);

    expect(seen.map((shared) => [...shared.values()])).toEqual([[2], [1]]);
  });

  it('a stream batch keeps its own failure while another batch starts and ends in the middle of it', async () => {
    const slow = gate();
    const handler = streamBatchHandler(async (record) => {
      if (record.eventName === 'REMOVE') throw new Error('this record fails');
      if (record.eventName === 'MODIFY') await slow.opened;
    });
    const stream = (...records: [string, string][]): DynamoDBStreamEvent => ({
      Records: records.map(([eventName, sequenceNumber]) => ({
        eventName: eventName as 'INSERT' | 'MODIFY' | 'REMOVE',
        dynamodb: { SequenceNumber: sequenceNumber },
      })),
    });
    const logs = captureLogs();
    try {
      const firstResponse = handler(stream(['REMOVE', '100'], ['MODIFY', '101']), lambdaContext('first'));
      await new Promise((resolve) => setImmediate(resolve));
      const secondResponse = await handler(stream(['INSERT', '200']), lambdaContext('second'));
      slow.open();

      expect(secondResponse.batchItemFailures).toEqual([]);
      expect((await firstResponse).batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    } finally {
      logs.restore();
    }
  });
});
