/**
 * Notifier: consumes notice requests and sends each at most once per channel, by SMS (SNS) and
 * email (SES), only while the channel is opted in.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import * as z from 'zod/mini';
import { processClock, type Clock } from '#shared/clock.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import type { ContactDecrypter } from '#shared/contacts/contactCrypto.ts';
import type { EmailSender, SmsSender } from '#shared/notices/senders.ts';
import { baseEnv, configFromEnv, keyEnv, readEnv } from '#shared/config/runtimeEnv.ts';
import { contactCryptoFromEnv } from '#shared/contacts/keys.ts';
import { parseMessage } from '#shared/events/parseMessage.ts';
import { sqsBatchHandler } from '#shared/lambda/batchHandlers.ts';
import { noticeRequestSchema, type NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { DynamoNoticeLog } from '#shared/notices/noticeLog.ts';
import { Notifier } from '#shared/notices/notifier.ts';
import { SesEmailSender, SnsSmsSender } from '#shared/notices/senders.ts';
import { logger, metrics } from '#shared/observability.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';

/** Parses a notifier queue message; a malformed one fails its record and ends in the DLQ. */
export function parseNoticeRequest(body: string): NoticeRequest {
  return parseMessage(body, noticeRequestSchema, 'request', 'a JSON notice request');
}

export function createNotifierHandler(notifier: Notifier) {
  return sqsBatchHandler(async (record) => {
    await notifier.deliver(parseNoticeRequest(record.body));
  });
}

/** The notifier over one table; the single place its parts are put together. */
export function buildNotifier(parts: {
  table: TableContext;
  config: ConsortiumConfig;
  clock: Clock;
  decrypter: ContactDecrypter;
  sms: SmsSender;
  email: EmailSender;
}): Notifier {
  return new Notifier({
    config: parts.config,
    clock: parts.clock,
    patrons: new DynamoPatronStore(parts.table, parts.config.retention.consentLedgerDays),
    notices: new DynamoNoticeLog(parts.table, parts.config.retention.noticeLogDays),
    decrypter: parts.decrypter,
    sms: parts.sms,
    email: parts.email,
    logger,
    metrics,
  });
}

export function notifierFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { dynamodb?: DynamoDBClient; sns?: SNSClient; ses?: SESv2Client } = {},
): Notifier {
  const vars = readEnv({ ...baseEnv, ...keyEnv, SES_CONFIGURATION_SET: z.optional(z.string()) }, env);
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  const table = tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME);
  return buildNotifier({
    table,
    config,
    clock: processClock,
    decrypter: contactCryptoFromEnv(vars),
    sms: new SnsSmsSender(clients.sns ?? new SNSClient({}), config.sms.originationNumber),
    email: new SesEmailSender(clients.ses ?? new SESv2Client({}), vars.SES_CONFIGURATION_SET || undefined),
  });
}
