/**
 * Table stream: the transactional outbox of Bookdrop's table. Publishes `PatronConsentChanged`,
 * `NoticeSent` and `NoticeFailed`, and asks for SMS opt-in confirmations, from committed changes.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { readEnv } from '#shared/config/runtimeEnv.ts';
import { streamBatchHandler } from '#shared/lambda/batchHandlers.ts';
import { SqsNoticeQueue, type NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { EventBridgeOutboundEvents, type OutboundEvents } from '#shared/outbound/outboundEvents.ts';
import { effectsOf, type TableChange } from '#shared/stream/tableChanges.ts';

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

export function createTableStreamHandler(deps: { outbound: OutboundEvents; noticeQueue: NoticeQueue }) {
  return streamBatchHandler(async (record) => {
    const effects = effectsOf(toTableChange(record));
    if (effects.events.length > 0) await deps.outbound.publish(effects.events);
    if (effects.notices.length > 0) await deps.noticeQueue.enqueue(effects.notices);
  });
}

export function tableStreamDepsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { eventBridge?: EventBridgeClient; sqs?: SQSClient } = {},
) {
  const required = z.string().check(z.minLength(1, { error: 'is required' }));
  const vars = readEnv({ EVENT_BUS_NAME: required, NOTICE_QUEUE_URL: required }, env);
  return {
    outbound: new EventBridgeOutboundEvents(clients.eventBridge ?? new EventBridgeClient({}), vars.EVENT_BUS_NAME),
    noticeQueue: new SqsNoticeQueue(clients.sqs ?? new SQSClient({}), vars.NOTICE_QUEUE_URL),
  };
}
