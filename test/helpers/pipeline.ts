/**
 * The circulation and notifier handlers wired to DynamoDB Local, the local SES and a local SMS sink
 * (the real SNS client speaking to it), with the notifier queue held in memory so a test can deliver
 * its messages when it chooses.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { ContactDecrypter } from '#shared/contacts/contactCrypto.ts';
import type { SQSBatchResponse } from 'aws-lambda';
import { buildCirculationService, createCirculationHandler } from '#functions/circulation/app.ts';
import { buildNotifier, buildPagedJobs, createNotifierHandler } from '#functions/notifier/app.ts';
import { createTableStreamHandler } from '#functions/table-stream/app.ts';
import { buildEmailFeedback, createEmailFeedbackHandler } from '#functions/email-feedback/app.ts';
import { buildInboundSms, createInboundSmsHandler } from '#functions/inbound-sms/app.ts';
import { SnsOptOutList } from '#shared/sms/optOutList.ts';
import { DynamoPurgeJournal } from '#shared/stream/purgeJournal.ts';
import { StreamPoller } from '#sandbox/streamPoller.ts';
import type { OutboundEvent, OutboundEvents } from '#shared/outbound/outboundEvents.ts';
import { inject } from 'vitest';
import { lambdaContext } from '#sandbox/localQueues.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#sandbox/localServices.ts';
import { SmsSink } from '#sandbox/smsSink.ts';
import { fixedClock } from '#shared/clock.ts';
import type { Sweep } from '#shared/sweep/sweep.ts';
import type { FanOut } from '#shared/notices/fanOut.ts';
import type { Notifier } from '#shared/notices/notifier.ts';
import { SesEmailSender, SnsSmsSender } from '#shared/notices/senders.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { eventBridgeEvent, sqsEvent, testConfig } from '#test/helpers/factories.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { MemoryNoticeQueue } from '#test/helpers/memoryStores.ts';
import { freshTable, localKeys, sesClient, TEST_UNSUBSCRIBE_URL } from '#test/helpers/localAws.ts';
import { SignedUnsubscribeLinks } from '#shared/unsubscribe/unsubscribeToken.ts';
import type { FunctionManifest } from '#shared/config/functionManifest.ts';
import { circulationManifest } from '#functions/circulation/manifest.ts';
import { emailFeedbackManifest } from '#functions/email-feedback/manifest.ts';
import { inboundSmsManifest } from '#functions/inbound-sms/manifest.ts';
import { notifierManifest } from '#functions/notifier/manifest.ts';
import { tableStreamManifest } from '#functions/table-stream/manifest.ts';
import { grantCheckedClient, grantCheckedTable, type Refusal } from '#test/helpers/grantCheck.ts';

/** Outbound events, kept in memory (EventBridge has no local implementation to publish to). */
export class MemoryOutboundEvents implements OutboundEvents {
  public readonly published: OutboundEvent[] = [];
  public async publish(events: readonly OutboundEvent[]): Promise<void> {
    this.published.push(...events);
  }
}

/** A notice queue that keeps what it is given. */
export { MemoryNoticeQueue };

export interface Pipeline {
  readonly table: TableContext;
  readonly sms: SmsSink;
  /** The notifier's SNS client (speaking to the sink), for fault injection. */
  readonly snsClient: SNSClient;
  readonly queue: MemoryNoticeQueue;
  readonly outbound: MemoryOutboundEvents;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly patrons: DynamoPatronStore;
  readonly notifier: Notifier;
  readonly sweep: Sweep;
  readonly fanOut: FanOut;
  /** Runs the daily sweep for `day` and delivers everything it asks for. */
  runSweep(day: string): Promise<SQSBatchResponse>;
  readonly keys: ReturnType<typeof localKeys>;
  /** Marks the next deletion of this item as DynamoDB TTL's (as AWS marks it on the stream). */
  markTtlDeletion(pk: string, sk: string): void;
  /** Delivers patrons' SMS replies (the two-way SMS payload) to the inbound-SMS handler. */
  inbound(...messages: unknown[]): Promise<SQSBatchResponse>;
  /** Request ids of the renewal deadlines scheduled (delayed messages of the inbound-SMS queue), not yet run. */
  readonly renewalDeadlines: string[];
  /** The deadlines' delay is over: delivers every scheduled renewal deadline to the inbound-SMS handler. */
  runRenewalDeadlines(): Promise<SQSBatchResponse>;
  /** DynamoDB requests a function made that its manifest does not grant (each was refused, as IAM would). */
  readonly refusals: readonly Refusal[];
  /** A table for another function (unsubscribe), checked against its manifest; refusals go to {@link refusals}. */
  grantChecked(manifest: FunctionManifest): TableContext;
  /** Each function's own view of the table (its own client: inject a function's DynamoDB faults here). */
  readonly functionTables: Readonly<Record<'circulation' | 'notifier' | 'inbound-sms' | 'email-feedback' | 'table-stream', TableContext>>;
  /** Delivers SES events (as the configuration set publishes them) to the email-feedback handler. */
  feedback(...sesEvents: unknown[]): Promise<SQSBatchResponse>;
  /** Publishes events to the circulation handler as one SQS batch. */
  publish(...events: { detailType: string; detail: unknown }[]): Promise<SQSBatchResponse>;
  /**
   * Runs the table stream (DynamoDB Local's real stream) and the notifier until no work is left;
   * returns the notifier's batch item failures.
   */
  deliverNotices(): Promise<SQSBatchResponse>;
  stop(): Promise<void>;
}

export async function startPipeline(
  options: {
    snsClient?: SNSClient;
    sesClient?: SESv2Client;
    /** Wraps the contact decrypter the notifier uses (to inject KMS faults). */
    decrypter?: (decrypter: ContactDecrypter) => ContactDecrypter;
    fanOutPageSize?: number;
    sweepPageSize?: number;
    config?: ConsortiumConfig;
  } = {},
): Promise<Pipeline> {
  const config = options.config ?? testConfig;
  const table = await freshTable(undefined, { streams: true });
  const clock = fixedClock('2026-11-04T15:00:00Z');
  const sms = new SmsSink(clock);
  await sms.start();
  const keys = localKeys();
  const patrons = new DynamoPatronStore(table, config.retention.consentLedgerDays);
  const queue = new MemoryNoticeQueue();
  // Each function gets only the DynamoDB actions its manifest grants, as IAM would allow them.
  const refusals: Refusal[] = [];
  const tableOf = (manifest: FunctionManifest) => grantCheckedTable(table, inject('dynamoEndpoint'), manifest, refusals);
  const functionTables = {
    circulation: tableOf(circulationManifest),
    notifier: tableOf(notifierManifest),
    'inbound-sms': tableOf(inboundSmsManifest),
    'email-feedback': tableOf(emailFeedbackManifest),
    'table-stream': tableOf(tableStreamManifest),
  };
  const circulation = createCirculationHandler(
    buildCirculationService({
      table: functionTables.circulation,
      config,
      encrypter: keys.crypto,
      phoneIndex: keys.phoneIndex,
      noticeQueue: queue,
      clock,
    }),
  );
  // Each function's own SNS and SES clients refuse what its manifest does not grant (a test's mocked
  // client, for faults, is used as it is).
  const snsOf = (manifest: FunctionManifest) =>
    options.snsClient ??
    grantCheckedClient(
      new SNSClient({ endpoint: sms.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
      'sns',
      'sms',
      manifest,
      refusals,
    );
  const notifierSns = snsOf(notifierManifest);
  const inboundSns = snsOf(inboundSmsManifest);
  const notifier = buildNotifier({
    table: functionTables.notifier,
    config,
    clock,
    decrypter: options.decrypter ? options.decrypter(keys.crypto) : keys.crypto,
    noticeIds: keys.noticeIds,
    sms: new SnsSmsSender(notifierSns, undefined),
    email: new SesEmailSender(
      options.sesClient ?? grantCheckedClient(sesClient(), 'ses', 'email', notifierManifest, refusals),
      'bookdrop-test',
    ),
    later: queue,
    unsubscribe: new SignedUnsubscribeLinks(keys.unsubscribeTokens, TEST_UNSUBSCRIBE_URL),
  });
  const { fanOut, sweep } = buildPagedJobs({
    table: functionTables.notifier,
    config,
    clock,
    queue,
    sweepPageSize: options.sweepPageSize,
    fanOutPageSize: options.fanOutPageSize,
  });
  const notify = createNotifierHandler({ notifier, fanOut, sweep, clock });
  const outbound = new MemoryOutboundEvents();
  const deadlines: string[] = [];
  const inboundHandler = createInboundSmsHandler(
    buildInboundSms({
      table: functionTables['inbound-sms'],
      config,
      clock,
      phoneIndex: keys.phoneIndex,
      sms: new SnsSmsSender(inboundSns, undefined),
      optOutList: new SnsOptOutList(inboundSns),
      outbound,
      noticeQueue: queue,
      deadlines: { schedule: async (requestId) => void deadlines.push(requestId) },
    }),
  );
  const feedbackHandler = createEmailFeedbackHandler(buildEmailFeedback({ table: functionTables['email-feedback'], config, clock }));
  const streamHandler = createTableStreamHandler({
    outbound,
    noticeQueue: queue,
    purgeJournal: new DynamoPurgeJournal(functionTables['table-stream']),
    timeZone: config.timeZone,
    clock,
  });
  const stream = new StreamPoller(inject('dynamoEndpoint'), table.tableName, async () => streamHandler);
  await stream.start();
  const settle = async (): Promise<SQSBatchResponse> => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (;;) {
      await stream.poll();
      const requests = queue.take();
      if (requests.length === 0) return { batchItemFailures: failures };
      failures.push(...(await notify(sqsEvent(...requests), lambdaContext('notifier'))).batchItemFailures);
    }
  };
  return {
    table,
    sms,
    snsClient: notifierSns,
    queue,
    outbound,
    clock,
    patrons,
    notifier,
    sweep,
    fanOut,
    runSweep: async (day) => {
      await sweep.start(day);
      return settle();
    },
    keys,
    publish: async (...events) =>
      circulation(sqsEvent(...events.map((event) => eventBridgeEvent(event.detailType, event.detail))), lambdaContext('circulation')),
    deliverNotices: settle,
    markTtlDeletion: (pk, sk) => stream.markTtlDeletion(pk, sk),
    inbound: async (...messages) => inboundHandler(sqsEvent(...messages), lambdaContext('inbound-sms')),
    renewalDeadlines: deadlines,
    runRenewalDeadlines: async () =>
      inboundHandler(
        sqsEvent(...deadlines.splice(0, deadlines.length).map((requestId) => ({ renewalDeadline: { requestId } }))),
        lambdaContext('inbound-sms'),
      ),
    feedback: async (...sesEvents) => feedbackHandler(sqsEvent(...sesEvents), lambdaContext('email-feedback')),
    refusals,
    functionTables,
    grantChecked: tableOf,
    stop: async () => {
      stream.stop();
      await sms.stop();
      // A refusal the code under test retried or dead-lettered still fails the test file.
      if (refusals.length > 0) {
        const what = [...new Set(refusals.map(({ functionName, action, resource }) => `${functionName}: ${action} on the ${resource}`))];
        throw new Error(`DynamoDB requests no manifest grants (IAM would refuse them in AWS): ${what.join('; ')}`);
      }
    },
  };
}
