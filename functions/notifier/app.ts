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
import { configFromEnv } from '#shared/config/runtimeEnv.ts';
import { readManifestEnv } from '#shared/config/functionManifest.ts';
import { notifierManifest } from '#functions/notifier/manifest.ts';
import { noticeIdsFromEnv, unsubscribeKeyFromEnv } from '#shared/contacts/keys.ts';
import { contactDecrypterFromEnv } from '#shared/contacts/contactDecryption.ts';
import type { NoticeIds } from '#shared/notices/noticeIds.ts';
import { SignedUnsubscribeLinks, UnsubscribeTokens, type UnsubscribeLinks } from '#shared/unsubscribe/unsubscribeToken.ts';
import { parseMessage } from '#shared/events/parseMessage.ts';
import { sqsBatchHandler } from '#shared/lambda/batchHandlers.ts';
import { fanOutPageSchema, noticeRequestSchema, type NoticeRequest, type NotifierMessage } from '#shared/notices/noticeKinds.ts';
import { FanOut } from '#shared/notices/fanOut.ts';
import { DynamoPageLog } from '#shared/notices/pageLog.ts';
import { DynamoAudienceIndex } from '#shared/patrons/audienceIndex.ts';
import { Sweep, sweepPageSchema, sweepStartSchema } from '#shared/sweep/sweep.ts';
import { DynamoSweepIndex } from '#shared/sweep/sweepIndex.ts';
import { SqsNoticeQueue, type NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SmsPacer, randomFirstTurn } from '#shared/notices/smsPacer.ts';
import { DynamoNoticeLog } from '#shared/notices/noticeLog.ts';
import { DynamoNoticeSubjects } from '#shared/notices/noticeSubjects.ts';
import { Notifier } from '#shared/notices/notifier.ts';
import { SesEmailSender, SnsSmsSender } from '#shared/notices/senders.ts';
import { logger, metrics } from '#shared/observability.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';

/** Parses a notifier queue message; a malformed one fails its record and ends in the DLQ. */
export function parseNotifierMessage(body: string): NotifierMessage {
  const json = parseMessage(body, z.record(z.string(), z.unknown()), 'message', 'a JSON object');
  if (json.type === 'notice') return parseMessage(body, noticeRequestSchema, 'request', 'a JSON notice request');
  if ('fanOut' in json) return parseMessage(body, fanOutPageSchema, 'message', 'a JSON fan-out page');
  if ('sweepStart' in json) return parseMessage(body, sweepStartSchema, 'message', 'a JSON sweep start');
  if ('sweep' in json) return parseMessage(body, sweepPageSchema, 'message', 'a JSON sweep page');
  return parseMessage(body, noticeRequestSchema, 'request', 'a JSON notice request');
}

/** The notifier queue's consumer: notices, and the pages of fan-outs and sweeps. */
export interface NotifierJobs {
  readonly notifier: Notifier;
  readonly fanOut: FanOut;
  readonly sweep: Sweep;
  readonly clock: Clock;
}

export function createNotifierHandler(jobs: NotifierJobs) {
  // Records of one batch run concurrently. The same notice asked for twice in one batch (a hold's own
  // request and its patron's registration asking again) is delivered once: the second record shares the
  // first's delivery and its outcome, instead of meeting its claim in progress and being retried. Only
  // within one batch: both of its records were sent before it was received, so the delivery they share
  // reads consent after both were asked for. A delivery in another batch running at the same time may
  // have read consent before the second request was made (the registration that asks again), so it is
  // never shared across batches.
  return sqsBatchHandler(
    async (record, inFlight) => {
      const message = parseNotifierMessage(record.body);
      if ('fanOut' in message) await jobs.fanOut.page(message.fanOut, jobs.clock.now());
      else if ('sweepStart' in message) await jobs.sweep.start(message.sweepStart.day);
      else if ('sweep' in message) await jobs.sweep.page(message.sweep);
      else {
        const identity = requestIdentity(message);
        const running = inFlight.get(identity);
        if (running) {
          await running;
          return;
        }
        const delivery = jobs.notifier.deliver(message);
        inFlight.set(identity, delivery);
        await delivery;
      }
    },
    () => new Map<string, Promise<unknown>>(),
  );
}

/** What makes two notice requests the same delivery: the notice (its key's parts), the channels asked for and when. */
function requestIdentity(request: NoticeRequest): string {
  const { patronId, kind, subjectId, subjectVersion, channels, notBefore } = request;
  return JSON.stringify([patronId, kind, subjectId, subjectVersion, channels ?? null, notBefore ?? null]);
}

/** The notifier over one table; the single place its parts are put together. */
export function buildNotifier(parts: {
  table: TableContext;
  config: ConsortiumConfig;
  clock: Clock;
  decrypter: ContactDecrypter;
  noticeIds: NoticeIds;
  sms: SmsSender;
  email: EmailSender;
  later: NoticeQueue;
  unsubscribe: UnsubscribeLinks;
}): Notifier {
  const patrons = new DynamoPatronStore(parts.table, parts.config.retention.consentLedgerDays, parts.clock);
  return new Notifier({
    config: parts.config,
    clock: parts.clock,
    patrons,
    patronService: new PatronService({ patrons }),
    notices: new DynamoNoticeLog(parts.table, parts.config.retention.noticeLogDays),
    subjects: new DynamoNoticeSubjects(parts.table, parts.config.timeZone),
    decrypter: parts.decrypter,
    noticeIds: parts.noticeIds,
    sms: parts.sms,
    email: parts.email,
    later: parts.later,
    unsubscribe: parts.unsubscribe,
    logger,
    metrics,
  });
}

/** The paged jobs over one table, the fan-out of updates and the daily sweep (tests pass smaller pages). */
export function buildPagedJobs(parts: {
  table: TableContext;
  config: ConsortiumConfig;
  clock: Clock;
  queue: NoticeQueue;
  sweepPageSize?: number | undefined;
  fanOutPageSize?: number | undefined;
}): { fanOut: FanOut; sweep: Sweep } {
  const pages = new DynamoPageLog(parts.table);
  return {
    fanOut: new FanOut({ audience: new DynamoAudienceIndex(parts.table), pages, queue: parts.queue, pageSize: parts.fanOutPageSize }),
    sweep: new Sweep({
      index: new DynamoSweepIndex(parts.table),
      pages,
      queue: parts.queue,
      config: parts.config,
      clock: parts.clock,
      pageSize: parts.sweepPageSize,
    }),
  };
}

export function notifierFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { dynamodb?: DynamoDBClient; sns?: SNSClient; ses?: SESv2Client; sqs?: SQSClient } = {},
): NotifierJobs {
  const vars = readManifestEnv(notifierManifest, env);
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  const table = tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME);
  const queue = new SqsNoticeQueue(clients.sqs ?? new SQSClient({}), vars.NOTICE_QUEUE_URL);
  const notifier = buildNotifier({
    table,
    config,
    clock: processClock,
    later: queue,
    unsubscribe: new SignedUnsubscribeLinks(new UnsubscribeTokens(unsubscribeKeyFromEnv(vars)), vars.UNSUBSCRIBE_URL),
    decrypter: contactDecrypterFromEnv(vars),
    noticeIds: noticeIdsFromEnv(vars),
    sms: new SnsSmsSender(
      clients.sns ?? new SNSClient({}),
      config.sms.originationNumber,
      new SmsPacer(Number(vars.SMS_MIN_INTERVAL_MS ?? 0), Date.now, undefined, randomFirstTurn),
    ),
    email: new SesEmailSender(
      clients.ses ?? new SESv2Client({}),
      vars.SES_CONFIGURATION_SET || undefined,
      new SmsPacer(Number(vars.EMAIL_MIN_INTERVAL_MS ?? 0), Date.now, undefined, randomFirstTurn),
    ),
  });
  return { notifier, ...buildPagedJobs({ table, config, clock: processClock, queue }), clock: processClock };
}
