/**
 * Table stream: the transactional outbox of Bookdrop's table. Publishes `PatronConsentChanged`,
 * `NoticeSent` and `NoticeFailed`, and asks for SMS opt-in confirmations, from committed changes.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { configFromEnv } from '#shared/config/runtimeEnv.ts';
import { readManifestEnv } from '#shared/config/functionManifest.ts';
import { tableStreamManifest } from '#functions/table-stream/manifest.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dayIn, processClock, type Clock } from '#shared/clock.ts';
import { DynamoPurgeJournal, type PurgeJournal } from '#shared/stream/purgeJournal.ts';
import { tableContext } from '#shared/table/documentClient.ts';
import { streamBatchHandler } from '#shared/lambda/batchHandlers.ts';
import { SqsNoticeQueue, type NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { EventBridgeOutboundEvents, type OutboundEvents } from '#shared/outbound/outboundEvents.ts';
import { effectsOf, type TableChange } from '#shared/stream/tableChanges.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics, type BookdropMetrics } from '#shared/observability.ts';

/** DynamoDB's TTL process, as a stream record names it. */
export function isTtlDeletion(record: DynamoDBRecord): boolean {
  return record.userIdentity?.type === 'Service' && record.userIdentity?.principalId === 'dynamodb.amazonaws.com';
}

export function toTableChange(record: DynamoDBRecord): TableChange {
  const image = (value: unknown) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);
  return {
    eventName: record.eventName ?? 'MODIFY',
    newImage: image(record.dynamodb?.NewImage),
    oldImage: image(record.dynamodb?.OldImage),
    expiredByTtl: record.eventName === 'REMOVE' && isTtlDeletion(record),
  };
}

export interface TableStreamDeps {
  readonly outbound: OutboundEvents;
  readonly noticeQueue: NoticeQueue;
  readonly purgeJournal: PurgeJournal;
  readonly timeZone: string;
  readonly clock: Clock;
  /** Counts fallback expiries of records whose closing event never came (`orphan-<kind>-expired`). */
  readonly metrics?: BookdropMetrics;
}

/** Record kinds with a fallback expiry: their TTL deletion means the closing event never arrived. */
const ORPHAN_KINDS: ReadonlySet<string> = new Set(['loan', 'hold', 'fine']);

export function createTableStreamHandler(deps: TableStreamDeps) {
  return streamBatchHandler(async (record) => {
    const effects = effectsOf(toTableChange(record));
    if (effects.events.length > 0) await deps.outbound.publish(effects.events);
    if (effects.notices.length > 0) await deps.noticeQueue.enqueue(effects.notices);
    if (effects.purged !== undefined) {
      const at = record.dynamodb?.ApproximateCreationDateTime;
      const when = at === undefined ? deps.clock.now() : new Date(at * 1000);
      const counted = await deps.purgeJournal.record(
        record.eventID ?? `${record.dynamodb?.SequenceNumber}`,
        dayIn(deps.timeZone, when),
        effects.purged,
        deps.clock.now(),
        effects.rollUp,
      );
      if (counted && ORPHAN_KINDS.has(effects.purged)) deps.metrics?.addMetric(`orphan-${effects.purged}-expired`, MetricUnit.Count, 1);
    }
  });
}

export function tableStreamDepsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { eventBridge?: EventBridgeClient; sqs?: SQSClient; dynamodb?: DynamoDBClient } = {},
): TableStreamDeps {
  const vars = readManifestEnv(tableStreamManifest, env);
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  return {
    outbound: new EventBridgeOutboundEvents(clients.eventBridge ?? new EventBridgeClient({}), vars.EVENT_BUS_NAME),
    noticeQueue: new SqsNoticeQueue(clients.sqs ?? new SQSClient({}), vars.NOTICE_QUEUE_URL),
    purgeJournal: new DynamoPurgeJournal(tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME)),
    timeZone: config.timeZone,
    clock: processClock,
    metrics,
  };
}
