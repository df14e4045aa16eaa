/**
 * The circulation and notifier handlers wired to DynamoDB Local, the local SES and a local SMS sink
 * (the real SNS client speaking to it), with the notifier queue held in memory so a test can deliver
 * its messages when it chooses.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import type { SQSBatchResponse } from 'aws-lambda';
import { createCirculationHandler } from '#functions/circulation/app.ts';
import { createNotifierHandler } from '#functions/notifier/app.ts';
import { lambdaContext } from '#sandbox/localQueues.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#sandbox/localServices.ts';
import { SmsSink } from '#sandbox/smsSink.ts';
import { CirculationService } from '#shared/circulation/circulationService.ts';
import { fixedClock } from '#shared/clock.ts';
import { DynamoHoldStore } from '#shared/holds/holdStore.ts';
import type { NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { DynamoNoticeLog } from '#shared/notices/noticeLog.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { Notifier } from '#shared/notices/notifier.ts';
import { SesEmailSender, SnsSmsSender } from '#shared/notices/senders.ts';
import { logger, metrics } from '#shared/observability.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { eventBridgeEvent, sqsEvent, testConfig } from '#test/helpers/factories.ts';
import { freshTable, localKeys, sesClient } from '#test/helpers/localAws.ts';

/** A notice queue that keeps what it is given. */
export class MemoryNoticeQueue implements NoticeQueue {
  public readonly requests: NoticeRequest[] = [];
  public async enqueue(requests: readonly NoticeRequest[]): Promise<void> {
    this.requests.push(...requests);
  }
  public take(): NoticeRequest[] {
    return this.requests.splice(0, this.requests.length);
  }
}

export interface Pipeline {
  readonly table: TableContext;
  readonly sms: SmsSink;
  readonly queue: MemoryNoticeQueue;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly patrons: DynamoPatronStore;
  readonly notifier: Notifier;
  readonly keys: ReturnType<typeof localKeys>;
  /** Publishes events to the circulation handler as one SQS batch. */
  publish(...events: { detailType: string; detail: unknown }[]): Promise<SQSBatchResponse>;
  /** Delivers every queued notice request to the notifier handler as one SQS batch. */
  deliverNotices(): Promise<SQSBatchResponse>;
  stop(): Promise<void>;
}

export async function startPipeline(options: { snsClient?: SNSClient } = {}): Promise<Pipeline> {
  const table = await freshTable();
  const clock = fixedClock('2026-11-04T15:00:00Z');
  const sms = new SmsSink(clock);
  await sms.start();
  const keys = localKeys();
  const patrons = new DynamoPatronStore(table, testConfig.retention.consentLedgerDays);
  const queue = new MemoryNoticeQueue();
  const circulation = createCirculationHandler(
    new CirculationService({
      patronService: new PatronService({ patrons, encrypter: keys.crypto, phoneIndex: keys.phoneIndex }),
      holds: new DynamoHoldStore(table),
      noticeQueue: queue,
      logger,
      metrics,
    }),
  );
  const sns = options.snsClient ?? new SNSClient({ endpoint: sms.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const notifier = new Notifier({
    config: testConfig,
    clock,
    patrons,
    notices: new DynamoNoticeLog(table, testConfig.retention.noticeLogDays),
    decrypter: keys.crypto,
    sms: new SnsSmsSender(sns, undefined),
    email: new SesEmailSender(sesClient(), 'bookdrop-test'),
    logger,
    metrics,
  });
  const notify = createNotifierHandler(notifier);
  return {
    table,
    sms,
    queue,
    clock,
    patrons,
    notifier,
    keys,
    publish: async (...events) =>
      circulation(sqsEvent(...events.map((event) => eventBridgeEvent(event.detailType, event.detail))), lambdaContext('circulation')),
    deliverNotices: async () => notify(sqsEvent(...queue.take()), lambdaContext('notifier')),
    stop: () => sms.stop(),
  };
}
