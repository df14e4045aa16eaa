/**
 * The one way Bookdrop consumes an SQS queue: each record is handled on its own, a failing record
 * is reported as a batch item failure (the queue retries it and, after the last attempt, moves it to
 * the dead-letter queue), and the others still go through. Failures are logged with safe fields only.
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BookdropError } from '#shared/errors.ts';
import { logger, metrics, type BookdropLogger } from '#shared/observability.ts';

/** The loggable part of an error: our own messages are safe by construction; others give their name. */
export function safeErrorFields(error: unknown): Record<string, unknown> {
  if (error instanceof BookdropError) {
    return { errorName: error.name, errorMessage: error.message, ...error.context };
  }
  const err = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return { errorName: err?.name ?? 'UnknownError', httpStatus: err?.$metadata?.httpStatusCode };
}

/** Wraps a per-record handler into an SQS batch handler with partial batch responses. */
export function sqsBatchHandler(
  handleRecord: (record: SQSRecord) => Promise<void>,
  log: BookdropLogger = logger,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (item: SQSRecord): Promise<void> => {
    try {
      await handleRecord(item);
      metrics.addMetric('record-processed', MetricUnit.Count, 1);
    } catch (error) {
      metrics.addMetric('record-failed', MetricUnit.Count, 1);
      log.error('record failed', { messageId: item.messageId, receiveCount: item.attributes?.ApproximateReceiveCount, ...safeErrorFields(error) });
      throw error;
    }
  };
  return middy(async (event: SQSEvent, context: Context) =>
    processPartialResponse(event, record, processor, { context, throwOnFullBatchFailure: false }),
  )
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
