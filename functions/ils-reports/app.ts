/**
 * The report-file bridge: consumes S3 "object created" notifications (through a queue with a DLQ),
 * one file per record, and turns each report file into events on the circulation bus.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';
import { processClock } from '#shared/clock.ts';
import { configFromEnv } from '#shared/config/runtimeEnv.ts';
import { readManifestEnv } from '#shared/config/functionManifest.ts';
import { ilsReportsManifest } from '#functions/ils-reports/manifest.ts';
import { parseMessage } from '#shared/events/parseMessage.ts';
import { EventBridgeCirculationPublisher } from '#shared/ilsBridge/circulationPublisher.ts';
import { INCOMING_PREFIX, ReportBridge } from '#shared/ilsBridge/reportBridge.ts';
import { S3ReportStore } from '#shared/ilsBridge/s3ReportStore.ts';
import { DynamoLoanSnapshotStore } from '#shared/ilsBridge/snapshotStore.ts';
import { sqsBatchHandler } from '#shared/lambda/batchHandlers.ts';
import { logger, metrics } from '#shared/observability.ts';
import { tableContext } from '#shared/table/documentClient.ts';

/** An S3 event notification as SQS delivers it; `s3:TestEvent` has no records. */
const notification = z.object({
  Records: z.optional(z.array(z.object({ eventName: z.string(), s3: z.object({ object: z.object({ key: z.string() }) }) }))),
});

/** The object keys of one notification message (S3 URL-encodes keys, spaces as `+`). */
export function objectKeys(body: string): string[] {
  const message = parseMessage(body, notification, 'message', 'an S3 event notification');
  return (message.Records ?? [])
    .filter((record) => record.eventName.startsWith('ObjectCreated:'))
    .map((record) => decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')))
    .filter((key) => key.startsWith(INCOMING_PREFIX));
}

export function createReportHandler(bridge: ReportBridge) {
  return sqsBatchHandler(async (record) => {
    for (const key of objectKeys(record.body)) await bridge.process(key);
  });
}

/** Builds the bridge from the function's environment and the given (or default) AWS clients. */
export function reportBridgeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { dynamodb?: DynamoDBClient; eventBridge?: EventBridgeClient; s3?: S3Client } = {},
): ReportBridge {
  const vars = readManifestEnv(ilsReportsManifest, env);
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  return new ReportBridge({
    store: new S3ReportStore(clients.s3 ?? new S3Client({}), vars.DROP_BUCKET_NAME),
    snapshots: new DynamoLoanSnapshotStore(
      tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME),
      config.retention.openLoanDays,
    ),
    publisher: new EventBridgeCirculationPublisher(
      clients.eventBridge ?? new EventBridgeClient({}),
      vars.EVENT_BUS_NAME,
      config.events.source,
    ),
    clock: processClock,
    source: config.events.source,
    logger,
    metrics,
  });
}
