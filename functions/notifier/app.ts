/**
 * Notifier: consumes notice requests and sends each at most once per channel, by SMS (SNS) and
 * email (SES), only while the channel is opted in.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import * as z from 'zod/mini';
import { processClock } from '#shared/clock.ts';
import { baseEnv, configFromEnv, keyEnv, readEnv } from '#shared/config/runtimeEnv.ts';
import { contactCryptoFromEnv } from '#shared/contacts/keys.ts';
import { EventValidationError } from '#shared/errors.ts';
import { describeIssues } from '#shared/events/issues.ts';
import { sqsBatchHandler } from '#shared/lambda/sqsBatchHandler.ts';
import { noticeRequestSchema, type NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { DynamoNoticeLog } from '#shared/notices/noticeLog.ts';
import { Notifier } from '#shared/notices/notifier.ts';
import { SesEmailSender, SnsSmsSender } from '#shared/notices/senders.ts';
import { logger, metrics } from '#shared/observability.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { tableContext } from '#shared/table/documentClient.ts';

/** Parses a notifier queue message; a malformed one fails its record and ends in the DLQ. */
export function parseNoticeRequest(body: string): NoticeRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new EventValidationError([{ field: 'body', rule: 'must be a JSON notice request' }]);
  }
  const result = noticeRequestSchema.safeParse(json);
  if (!result.success) throw new EventValidationError(describeIssues(result.error.issues, 'request'));
  return result.data;
}

export function createNotifierHandler(notifier: Notifier) {
  return sqsBatchHandler(async (record) => {
    await notifier.deliver(parseNoticeRequest(record.body));
  });
}

export function notifierFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { dynamodb?: DynamoDBClient; sns?: SNSClient; ses?: SESv2Client } = {},
): Notifier {
  const vars = readEnv({ ...baseEnv, ...keyEnv, SES_CONFIGURATION_SET: z.optional(z.string()) }, env);
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  const table = tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME);
  return new Notifier({
    config,
    clock: processClock,
    patrons: new DynamoPatronStore(table, config.retention.consentLedgerDays),
    notices: new DynamoNoticeLog(table, config.retention.noticeLogDays),
    decrypter: contactCryptoFromEnv(vars),
    sms: new SnsSmsSender(clients.sns ?? new SNSClient({}), config.sms.originationNumber),
    email: new SesEmailSender(clients.ses ?? new SESv2Client({}), vars.SES_CONFIGURATION_SET || undefined),
    logger,
    metrics,
  });
}
