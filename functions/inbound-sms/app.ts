/**
 * Inbound SMS: consumes patrons' replies (two-way SMS → SNS topic → SQS) and handles STOP, START,
 * HELP and anything else, for every patron sharing the number.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
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

export function createInboundSmsHandler(service: InboundSmsService) {
  return sqsBatchHandler(async (record) => {
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
}): InboundSmsService {
  const patrons = new DynamoPatronStore(parts.table, parts.config.retention.consentLedgerDays);
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
    logger,
    metrics,
  });
}

export function inboundSmsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { dynamodb?: DynamoDBClient; sns?: SNSClient } = {},
): InboundSmsService {
  const vars = readManifestEnv(inboundSmsManifest, env);
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  const sns = clients.sns ?? new SNSClient({});
  return buildInboundSms({
    table: tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME),
    config,
    clock: processClock,
    phoneIndex: phoneIndexFromEnv(vars),
    sms: new SnsSmsSender(sns, config.sms.originationNumber),
    optOutList: new SnsOptOutList(sns),
  });
}
