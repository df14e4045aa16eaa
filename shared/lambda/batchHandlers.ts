/**
 * The one way Bookdrop consumes a batch (an SQS queue or the table's stream): each record is handled
 * on its own, a failing record is reported as a batch item failure (SQS retries it and then moves it
 * to the DLQ; the stream retries from it and then sends it to the on-failure destination), and the
 * others still go through. Failures are logged with safe fields only.
 *
 * Each invocation gets its own batch processor: Powertools' processor keeps the records and failures
 * of the batch it is processing on itself, so one shared by two invocations at once (the sandbox runs
 * a queue's batches concurrently through one module) would report one batch's failures in the other's
 * response, and a failed record could be deleted from its queue instead of retried.
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { safeErrorFields } from '#shared/lambda/safeErrors.ts';
import { logger, metrics } from '#shared/observability.ts';

function guarded<R>(handleRecord: (record: R) => Promise<void>, describe: (record: R) => Record<string, unknown>) {
  return async (record: R): Promise<void> => {
    try {
      await handleRecord(record);
      metrics.addMetric('record-processed', MetricUnit.Count, 1);
    } catch (error) {
      metrics.addMetric('record-failed', MetricUnit.Count, 1);
      logger.error('record failed', { ...describe(record), ...safeErrorFields(error) });
      throw error;
    }
  };
}

function withObservability<E, R>(handler: (event: E, context: Context) => Promise<R>) {
  return middy(handler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

/**
 * Wraps a per-record handler into an SQS batch handler with partial batch responses. `perBatch` makes
 * whatever the records of one batch share (a map of deliveries in flight, say); it is made afresh for
 * each batch, so nothing is shared between batches that run at the same time.
 */
export function sqsBatchHandler<B = undefined>(
  handleRecord: (record: SQSRecord, batch: B) => Promise<void>,
  perBatch: () => B = () => undefined as B,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const describe = (item: SQSRecord) => ({ messageId: item.messageId, receiveCount: item.attributes?.ApproximateReceiveCount });
  return withObservability((event: SQSEvent, context: Context) => {
    const batch = perBatch();
    return processPartialResponse(
      event,
      guarded((record: SQSRecord) => handleRecord(record, batch), describe),
      new BatchProcessor(EventType.SQS),
      {
        context,
        throwOnFullBatchFailure: false,
      },
    );
  });
}

/** Wraps a per-record handler into a DynamoDB stream batch handler with partial batch responses. */
export function streamBatchHandler(
  handleRecord: (record: DynamoDBRecord) => Promise<void>,
): (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> {
  const record = guarded(handleRecord, (item) => ({ sequenceNumber: item.dynamodb?.SequenceNumber, eventName: item.eventName }));
  return withObservability((event: DynamoDBStreamEvent, context: Context) =>
    processPartialResponse(event, record, new BatchProcessor(EventType.DynamoDBStreams), { context, throwOnFullBatchFailure: false }),
  );
}
