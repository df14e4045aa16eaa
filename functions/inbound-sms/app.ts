/**
 * Inbound SMS: consumes patrons' replies (two-way SMS → SNS topic → SQS) and handles STOP, START,
 * HELP, the text commands RENEW, RENEW ALL and ITEMS, and anything else, for every patron sharing the
 * number; and, delayed on the same queue, the deadlines of renewal requests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { processClock, type Clock } from '#shared/clock.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { configFromEnv } from '#shared/config/runtimeEnv.ts';
import { readManifestEnv } from '#shared/config/functionManifest.ts';
import { inboundSmsManifest } from '#functions/inbound-sms/manifest.ts';
import type { PhoneBlindIndex } from '#shared/contacts/contactCrypto.ts';
import { phoneIndexFromEnv } from '#shared/contacts/keys.ts';
import { parseMessage } from '#shared/events/parseMessage.ts';
import { sqsBatchHandler } from '#shared/lambda/batchHandlers.ts';
import { SnsSmsSender, type SmsSender } from '#shared/notices/senders.ts';
import { logger, metrics } from '#shared/observability.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { DynamoInboundLog } from '#shared/sms/inboundLog.ts';
import { InboundSmsService, inboundSmsSchema } from '#shared/sms/inboundSms.ts';
import { SnsOptOutList, type OptOutList } from '#shared/sms/optOutList.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';
import { SqsNoticeQueue, type NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { EventBridgeOutboundEvents, type OutboundEvents } from '#shared/outbound/outboundEvents.ts';
import { DynamoOpenLoans } from '#shared/sms/openLoans.ts';
import { DynamoRenewalStore, RenewalTracker } from '#shared/sms/renewalRequests.ts';
import { SmsCommandService, SqsRenewalDeadlines, type RenewalDeadlines } from '#shared/sms/smsCommandService.ts';

/** The queue carries patrons' texts and, delayed, the deadlines of their renewal requests. */
const renewalDeadlineSchema = z.object({
  renewalDeadline: z.object({ requestId: z.string().check(z.minLength(1, { error: 'must not be empty' })) }),
});

export function createInboundSmsHandler(service: InboundSmsService) {
  return sqsBatchHandler(async (record) => {
    if (/^\s*\{\s*"renewalDeadline"/.test(record.body)) {
      await service.renewalDeadline(parseMessage(record.body, renewalDeadlineSchema, 'renewalDeadline', 'a renewal deadline'));
      return;
    }
    await service.handle(parseMessage(record.body, inboundSmsSchema, 'inboundSms', 'a JSON inbound SMS'));
  });
}

export function buildInboundSms(parts: {
  table: TableContext;
  config: ConsortiumConfig;
  clock: Clock;
  phoneIndex: PhoneBlindIndex;
  sms: SmsSender;
  optOutList: OptOutList;
  /** Where `RenewalRequested` goes (the event bus). */
  outbound: OutboundEvents;
  /** The notifier queue: a renewal's reply goes out as a notice. */
  noticeQueue: NoticeQueue;
  /** The inbound-SMS queue itself, for renewal deadlines. */
  deadlines: RenewalDeadlines;
}): InboundSmsService {
  const patrons = new DynamoPatronStore(parts.table, parts.config.retention.consentLedgerDays, parts.clock);
  const renewals = new RenewalTracker({
    config: parts.config,
    clock: parts.clock,
    store: new DynamoRenewalStore(parts.table),
    notices: parts.noticeQueue,
  });
  return new InboundSmsService({
    config: parts.config,
    clock: parts.clock,
    patrons,
    // Keyword changes write no contact: this function can hash a number, never encrypt one.
    patronService: new PatronService({ patrons }),
    phoneIndex: parts.phoneIndex,
    inboundLog: new DynamoInboundLog(parts.table, parts.config.retention.inboundSmsLogDays),
    optOutList: parts.optOutList,
    sms: parts.sms,
    commands: new SmsCommandService({
      config: parts.config,
      clock: parts.clock,
      loans: new DynamoOpenLoans(parts.table),
      renewals,
      deadlines: parts.deadlines,
      outbound: parts.outbound,
    }),
    renewals,
    logger,
    metrics,
  });
}

export function inboundSmsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { dynamodb?: DynamoDBClient; sns?: SNSClient; sqs?: SQSClient; eventBridge?: EventBridgeClient } = {},
): InboundSmsService {
  const vars = readManifestEnv(inboundSmsManifest, env);
  const sqs = clients.sqs ?? new SQSClient({});
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  const sns = clients.sns ?? new SNSClient({});
  return buildInboundSms({
    table: tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME),
    config,
    clock: processClock,
    phoneIndex: phoneIndexFromEnv(vars),
    sms: new SnsSmsSender(sns, config.sms.originationNumber),
    optOutList: new SnsOptOutList(sns),
    outbound: new EventBridgeOutboundEvents(clients.eventBridge ?? new EventBridgeClient({}), vars.EVENT_BUS_NAME),
    noticeQueue: new SqsNoticeQueue(sqs, vars.NOTICE_QUEUE_URL),
    deadlines: new SqsRenewalDeadlines(sqs, vars.RENEWAL_DEADLINE_QUEUE_URL),
  });
}
