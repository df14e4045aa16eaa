/**
 * Circulation state: consumes the circulation queue (EventBridge events from the ILS), validates
 * each event against contract v1, and applies it. Invalid events fail their record and end in the DLQ.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CirculationService } from '#shared/circulation/circulationService.ts';
import { configFromEnv } from '#shared/config/runtimeEnv.ts';
import { readManifestEnv } from '#shared/config/functionManifest.ts';
import { circulationManifest } from '#functions/circulation/manifest.ts';
import { phoneIndexFromEnv } from '#shared/contacts/keys.ts';
import { contactEncrypterFromEnv } from '#shared/contacts/contactEncryption.ts';
import { parseCirculationRecordBody } from '#shared/events/parseEvent.ts';
import { DynamoHoldStore } from '#shared/holds/holdStore.ts';
import { SqsNoticeQueue } from '#shared/notices/noticeQueue.ts';
import { logger, metrics } from '#shared/observability.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { sqsBatchHandler } from '#shared/lambda/batchHandlers.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import type { ContactEncrypter, PhoneBlindIndex } from '#shared/contacts/contactCrypto.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { DynamoPolicyStore } from '#shared/policy/policyStore.ts';
import { DynamoCirculationStore } from '#shared/circulation/circulationStore.ts';
import { processClock, type Clock } from '#shared/clock.ts';
import { DynamoRenewalStore, RenewalTracker } from '#shared/sms/renewalRequests.ts';

export function createCirculationHandler(service: CirculationService) {
  return sqsBatchHandler(async (record) => {
    await service.apply(parseCirculationRecordBody(record.body));
  });
}

/** The circulation service over one table; the single place its parts are put together. */
export function buildCirculationService(parts: {
  table: TableContext;
  config: ConsortiumConfig;
  encrypter: ContactEncrypter;
  phoneIndex: PhoneBlindIndex;
  noticeQueue: NoticeQueue;
  clock?: Clock;
}): CirculationService {
  const patrons = new DynamoPatronStore(parts.table, parts.config.retention.consentLedgerDays, parts.clock ?? processClock);
  return new CirculationService({
    config: parts.config,
    clock: parts.clock ?? processClock,
    patrons,
    loans: new DynamoCirculationStore(parts.table, parts.config.retention, parts.config.timeZone),
    patronService: new PatronService({ patrons, encrypter: parts.encrypter, phoneIndex: parts.phoneIndex }),
    holds: new DynamoHoldStore(parts.table, parts.config.timeZone, parts.config.retention.openHoldDays),
    policies: new DynamoPolicyStore(parts.table),
    noticeQueue: parts.noticeQueue,
    renewals: new RenewalTracker({
      config: parts.config,
      clock: parts.clock ?? processClock,
      store: new DynamoRenewalStore(parts.table),
      notices: parts.noticeQueue,
    }),
    logger,
    metrics,
  });
}

/** Builds the service from the function's environment and the given (or default) AWS clients. */
export function circulationServiceFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { dynamodb?: DynamoDBClient; sqs?: SQSClient } = {},
): CirculationService {
  const vars = readManifestEnv(circulationManifest, env);
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  const table = tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME);
  return buildCirculationService({
    table,
    config,
    encrypter: contactEncrypterFromEnv(vars),
    phoneIndex: phoneIndexFromEnv(vars),
    noticeQueue: new SqsNoticeQueue(clients.sqs ?? new SQSClient({}), vars.NOTICE_QUEUE_URL),
  });
}
