/**
 * The local sandbox: the whole Bookdrop pipeline on one machine, with no AWS account.
 *
 * DynamoDB Local, the local SES and a local SMS sink stand in for AWS; the real handlers run
 * in-process with the real AWS SDK clients pointed at them through the SDK's standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables. PutEvents is routed with the same rule patterns the CDK
 * stack deploys, into in-process queues that the handlers consume. Every request returns only after
 * all the work it caused is done.
 */
import { randomUUID, createHash } from 'node:crypto';
import { DynamoDBClient, ScanCommand, DeleteItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dayIn, processClock } from '#shared/clock.ts';
import { addDays } from '#shared/sweep/sweepKeys.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { EsdkContactCrypto, localContactKeyring } from '#shared/contacts/contactCrypto.ts';
import { loadOrCreateLocalKeys } from '#shared/contacts/keys.ts';
import { EventValidationError } from '#shared/errors.ts';
import { OUTBOUND_SOURCE } from '#shared/events/contract.ts';
import { parseCirculationEvent } from '#shared/events/parseEvent.ts';
import { patronReport, type PatronReport } from '#shared/patrons/patronReport.ts';
import { matchesPattern, routes, type RouteTarget } from '#shared/routing/rules.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  ensureTable,
  readSesStore,
  startDynamoDbLocal,
  startSesLocal,
  type LocalService,
} from '#sandbox/localServices.ts';
import { LocalQueue, drainQueues, type SqsHandler } from '#sandbox/localQueues.ts';
import { SmsSink } from '#sandbox/smsSink.ts';
import { SIMULATOR, simulatedFeedback } from '#sandbox/sesMailboxSimulator.ts';
import { StreamPoller, type StreamHandler } from '#sandbox/streamPoller.ts';
import { SandboxIlsBridges } from '#sandbox/ilsBridges.ts';
import { dirname, join } from 'node:path';

export interface SandboxOptions {
  readonly config: ConsortiumConfig;
  /** Port of the sandbox API; the EventBridge and SQS endpoints of the handlers point here. */
  readonly port: number;
  /** Local key file for contact encryption and the phone blind index (created on first run). */
  readonly keyFile: string;
  readonly tableName?: string;
  readonly eventBusName?: string;
  /** The ILS report drop folder. @default `ils-drop` beside the key file */
  readonly dropDir?: string;
}

/** A PutEvents request entry (AWS JSON 1.1). */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string | number;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface Outbox {
  sms: { id: string; to: string; body: string; sentAt: string }[];
  email: { id: string; to: string; from: string; subject: string; text: string; html: string; sentAt: string }[];
}

const ACCOUNT = '000000000000';
/** How many missed daily sweeps the sandbox runs at most when its clock jumps. */
export const SANDBOX_SWEEP_CATCH_UP_DAYS = 31;

export class Sandbox {
  public readonly tableName: string;
  public readonly eventBusName: string;
  public readonly sms: SmsSink;
  /** Events Bookdrop published to the bus (`source: library.notices`). */
  public readonly published: Record<string, unknown>[] = [];
  private readonly queues: Record<RouteTarget | 'notices' | 'emailFeedback' | 'inboundSms', LocalQueue>;
  private emailsSeen = 0;
  /** The last day whose daily sweep ran (the sandbox starts with today's counted as run). */
  private lastSweptDay: string;
  private readonly dynamo: DynamoDBClient;
  private readonly table: TableContext;
  private readonly contactCrypto: EsdkContactCrypto;
  private readonly stream: StreamPoller;
  private work: Promise<unknown> = Promise.resolve();
  /** The ILS bridges: the signed webhook and the drop-folder report bridge. */
  public readonly ils: SandboxIlsBridges;

  private constructor(
    private readonly options: SandboxOptions,
    private readonly dynamoService: LocalService,
    private readonly sesService: LocalService,
    sms: SmsSink,
  ) {
    this.tableName = options.tableName ?? 'bookdrop-sandbox';
    this.lastSweptDay = dayIn(options.config.timeZone, processClock.now());
    this.eventBusName = options.eventBusName ?? 'bookdrop-sandbox';
    this.sms = sms;
    const base = `http://127.0.0.1:${options.port}/${ACCOUNT}`;
    const handler = (module: string) => async () =>
      ((await import(module)) as { handler: SqsHandler }).handler;
    this.queues = {
      circulation: new LocalQueue('bookdrop-circulation', `${base}/bookdrop-circulation`, handler('#functions/circulation/handler.ts')),
      notices: new LocalQueue('bookdrop-notices', `${base}/bookdrop-notices`, handler('#functions/notifier/handler.ts')),
      inboundSms: new LocalQueue('bookdrop-inbound-sms', `${base}/bookdrop-inbound-sms`, handler('#functions/inbound-sms/handler.ts')),
      emailFeedback: new LocalQueue('bookdrop-email-feedback', `${base}/bookdrop-email-feedback`, handler('#functions/email-feedback/handler.ts')),
    };
    this.stream = new StreamPoller(dynamoService.endpoint, this.tableName, async () =>
      ((await import('#functions/table-stream/handler.ts')) as { handler: StreamHandler }).handler,
    );
    this.dynamo = new DynamoDBClient({ endpoint: dynamoService.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    this.table = tableContext(this.dynamo, this.tableName);
    this.contactCrypto = new EsdkContactCrypto(localContactKeyring(loadOrCreateLocalKeys(options.keyFile).contactKey));
    const dir = dirname(options.keyFile);
    this.ils = new SandboxIlsBridges({
      table: this.table,
      config: options.config,
      api: `http://127.0.0.1:${options.port}`,
      eventBusName: this.eventBusName,
      dropDir: options.dropDir ?? join(dir, 'ils-drop'),
      secretFile: join(dir, 'ils-webhook-secret.json'),
    });
  }

  /** Starts the local services, creates the table and points the handlers' SDK clients at them. */
  public static async start(options: SandboxOptions): Promise<Sandbox> {
    const sms = new SmsSink(processClock);
    const [dynamo, ses] = await Promise.all([startDynamoDbLocal(), startSesLocal(), sms.start()]);
    const sandbox = new Sandbox(options, dynamo, ses, sms);
    try {
      await ensureTable(sandbox.dynamo, sandbox.tableName);
      await sandbox.stream.start();
      sandbox.configureHandlers();
      sandbox.ils.watch();
    } catch (error) {
      await sandbox.stop();
      throw error;
    }
    return sandbox;
  }

  /** The handlers read their environment once, at import: set it before the first delivery. */
  private configureHandlers(): void {
    const api = `http://127.0.0.1:${this.options.port}`;
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamoService.endpoint,
      AWS_ENDPOINT_URL_SESV2: this.sesService.endpoint,
      AWS_ENDPOINT_URL_SNS: this.sms.endpoint,
      AWS_ENDPOINT_URL_SQS: api,
      AWS_ENDPOINT_URL_EVENTBRIDGE: api,
      TABLE_NAME: this.tableName,
      EVENT_BUS_NAME: this.eventBusName,
      BOOKDROP_CONFIG: JSON.stringify(this.options.config),
      CONTACT_KEYS: 'local',
      LOCAL_KEY_FILE: this.options.keyFile,
      NOTICE_QUEUE_URL: this.queues.notices.url,
      SES_CONFIGURATION_SET: 'bookdrop-sandbox',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.BOOKDROP_LOG_LEVEL ?? 'WARN',
    });
  }

  public async stop(): Promise<void> {
    this.ils?.stop();
    this.stream.stop();
    this.dynamo.destroy();
    await Promise.all([this.dynamoService.stop(), this.sesService.stop(), this.sms.stop()]);
  }

  /** Runs `job` after every earlier job, so requests never interleave their work. */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const next = this.work.then(job, job);
    this.work = next.catch(() => undefined);
    return next;
  }

  /** EventBridge PutEvents: validates, routes with the stack's rule patterns, and runs the work. */
  public putEvents(entries: readonly PutEventsEntry[]): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[] }> {
    const events = entries.map((entry) => this.toEvent(entry));
    const outbound = events.every((event) => !('ErrorCode' in event) && event.source === OUTBOUND_SOURCE);
    // Bookdrop's own outbound events come from handlers mid-request: record them without waiting.
    if (outbound) return Promise.resolve(this.deliver(events));
    return this.serial(async () => {
      const result = this.deliver(events);
      const origins = new Map<string, number>();
      result.routed.forEach((messageIds, index) => messageIds.forEach((id) => origins.set(id, index)));
      const deadLettered = await this.settle();
      for (const letter of deadLettered) {
        const index = origins.get(letter.messageId);
        if (index === undefined) continue;
        result.Entries[index] = {
          ErrorCode: 'InternalFailure',
          ErrorMessage: `the ${letter.queue} consumer failed this event ${letter.receiveCount} times; it is in the dead-letter queue`,
        };
      }
      const { routed: _routed, ...response } = result;
      return { ...response, FailedEntryCount: response.Entries.filter((entry) => 'ErrorCode' in entry).length };
    });
  }

  private toEvent(entry: PutEventsEntry): Record<string, unknown> | { ErrorCode: string; ErrorMessage: string } {
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source, DetailType and Detail are required' };
    }
    const bus = entry.EventBusName;
    if (bus !== undefined && bus !== this.eventBusName && !bus.endsWith(`/${this.eventBusName}`)) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `event bus ${bus} does not exist; the sandbox bus is ${this.eventBusName}` };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: ACCOUNT,
      time: new Date(entry.Time === undefined ? processClock.now() : entry.Time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: entry.Resources ?? [],
      detail,
    };
    if (entry.Source === this.options.config.events.source) {
      // In AWS the consumer rejects such an event into the DLQ with this message; the sandbox says it at once.
      try {
        parseCirculationEvent(event);
      } catch (error) {
        if (error instanceof EventValidationError) return { ErrorCode: 'InvalidArgument', ErrorMessage: error.message };
        throw error;
      }
    }
    return event;
  }

  private deliver(events: (Record<string, unknown> | { ErrorCode: string; ErrorMessage: string })[]) {
    const rules = routes(this.options.config);
    const Entries: PutEventsResultEntry[] = [];
    const routed: string[][] = [];
    for (const event of events) {
      if ('ErrorCode' in event) {
        Entries.push(event as { ErrorCode: string; ErrorMessage: string });
        routed.push([]);
        continue;
      }
      if (event.source === OUTBOUND_SOURCE) this.published.push(event);
      const ids = rules
        .filter((rule) => matchesPattern(rule.pattern, event))
        .map((rule) => this.queues[rule.target].send(JSON.stringify(event)));
      Entries.push({ EventId: event.id as string });
      routed.push(ids);
    }
    return { FailedEntryCount: Entries.filter((entry) => 'ErrorCode' in entry).length, Entries, routed };
  }

  /**
   * The days whose daily sweep is due by `now`: as deployed, the sweep runs when quiet hours end
   * (08:00 by default) in the library's time zone.
   */
  private dueSweeps(now: Date): string[] {
    const { timeZone, notices } = this.options.config;
    const today = dayIn(timeZone, now);
    const localTime = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
    const days: string[] = [];
    // A jump of months or years runs only the last month's sweeps: older ones would only send stale
    // reminders (what a scheduler that was down for years would not do either).
    const oldest = addDays(today, -SANDBOX_SWEEP_CATCH_UP_DAYS);
    const from = this.lastSweptDay < oldest ? oldest : addDays(this.lastSweptDay, 1);
    for (let day = from; day <= today; day = addDays(day, 1)) {
      if (day === today && localTime < notices.quietHours.end) break;
      days.push(day);
    }
    if (days.length > 0) this.lastSweptDay = days[days.length - 1]!;
    return days;
  }

  /** Runs queues and the table stream until no work is left; returns what was dead-lettered. */
  private async settle() {
    const deadLettered = [];
    for (;;) {
      deadLettered.push(...(await drainQueues(Object.values(this.queues))));
      const streamed = await this.stream.poll();
      const feedback = await this.simulateMailboxes();
      if (streamed === 0 && feedback === 0 && Object.values(this.queues).every((queue) => queue.visibleDepth === 0)) return deadLettered;
    }
  }

  /** Turns emails sent to the SES mailbox simulator into the feedback SES would publish. */
  private async simulateMailboxes(): Promise<number> {
    const emails = await readSesStore(this.sesService.endpoint);
    const fresh = emails.slice(this.emailsSeen);
    this.emailsSeen = emails.length;
    let produced = 0;
    for (const email of fresh) {
      if (!Object.values(SIMULATOR).some((address) => email.destination.to.includes(address))) continue;
      const noticeId = (await this.scan('providerMessageId = :id', { ':id': { S: email.messageId } }))[0]?.noticeId?.S;
      const event = simulatedFeedback(email, noticeId, processClock.now());
      if (!event) continue;
      this.queues.emailFeedback.send(JSON.stringify(event));
      produced++;
    }
    return produced;
  }

  /** SQS SendMessage / SendMessageBatch from the handlers (AWS JSON 1.0). */
  public sqs(action: string, input: { QueueUrl?: string; MessageBody?: string; DelaySeconds?: number; Entries?: { Id: string; MessageBody: string; DelaySeconds?: number }[] }) {
    const queue = Object.values(this.queues).find((candidate) => candidate.url === input.QueueUrl);
    if (!queue) return { error: { type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' } };
    const md5 = (body: string) => createHash('md5').update(body).digest('hex');
    if (action === 'SendMessage' && input.MessageBody !== undefined) {
      return { result: { MessageId: queue.send(input.MessageBody, input.DelaySeconds), MD5OfMessageBody: md5(input.MessageBody) } };
    }
    if (action === 'SendMessageBatch' && input.Entries) {
      return {
        result: {
          Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: queue.send(entry.MessageBody, entry.DelaySeconds), MD5OfMessageBody: md5(entry.MessageBody) })),
          Failed: [],
        },
      };
    }
    return { error: { type: 'com.amazonaws.sqs#UnsupportedOperation', message: `${action} is not supported by the sandbox` } };
  }

  /**
   * A patron's SMS reply, as two-way SMS publishes it to the inbound topic: delivered to the
   * inbound-SMS handler; resolves when all the work it caused is done.
   */
  public inboundSms(message: Record<string, unknown>): Promise<{ inboundMessageId: string; deadLettered: boolean }> {
    return this.serial(async () => {
      const messageId = this.queues.inboundSms.send(JSON.stringify(message));
      const deadLettered = await this.settle();
      return { inboundMessageId: String(message.inboundMessageId), deadLettered: deadLettered.some((letter) => letter.messageId === messageId) };
    });
  }

  /** Everything sent so far, oldest first, in the shape of the sandbox API contract. */
  public async outbox(): Promise<Outbox> {
    const emails = await readSesStore(this.sesService.endpoint);
    return {
      sms: this.sms.messages.map(({ id, to, body, sentAt }) => ({ id, to, body, sentAt })),
      email: emails.map((email) => ({
        id: email.messageId,
        to: email.destination.to.join(', '),
        from: email.from,
        subject: email.subject,
        text: email.body.text ?? '',
        html: email.body.html ?? '',
        sentAt: new Date(email.at * 1000).toISOString(),
      })),
    };
  }

  /**
   * Moves the sandbox clock forward and deletes what DynamoDB TTL would have deleted by then.
   * Returns how many items of each kind expired.
   */
  public advanceClock(target: Date): Promise<{ now: string; expired: Record<string, number>; swept: string[] }> {
    return this.serial(async () => {
      const before = processClock.now();
      processClock.advanceTo(target);
      // The clock runs on from the target: answer with the target itself, not a millisecond later.
      const now = target > before ? target : before;
      const expired: Record<string, number> = {};
      const doomed = await this.scan('#ttl <= :now', { ':now': { N: String(Math.floor(now.getTime() / 1000)) } }, { '#ttl': TABLE.ttlAttribute });
      for (const item of doomed) {
        this.stream.markTtlDeletion(item.pk?.S ?? '', item.sk?.S ?? '', now);
        await this.dynamo.send(new DeleteItemCommand({ TableName: this.tableName, Key: { pk: item.pk!, sk: item.sk! } }));
        const kind = String(unmarshall(item).kind ?? 'unknown');
        expired[kind] = (expired[kind] ?? 0) + 1;
      }
      const swept = this.dueSweeps(now);
      for (const day of swept) this.queues.notices.send(JSON.stringify({ sweepStart: { day } }));
      await this.settle();
      return { now: now.toISOString(), expired, swept };
    });
  }

  /** Items of one kind (`purge-journal`, `statistics`), for the sandbox's read-only views. */
  public async itemsOfKind(kind: string): Promise<Record<string, unknown>[]> {
    const items = (await this.scan('kind = :kind', { ':kind': { S: kind } })).map((item) => {
      const { pk: _pk, sk: _sk, kind: _kind, ...rest } = unmarshall(item);
      return rest;
    });
    return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }

  /** Every item matching a filter: sandbox views and TTL emulation only (AWS code never scans). */
  private async scan(filter: string, values: Record<string, AttributeValue>, names?: Record<string, string>): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamo.send(
        new ScanCommand({ TableName: this.tableName, FilterExpression: filter, ExpressionAttributeValues: values, ExpressionAttributeNames: names, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  public patron(patronId: string): Promise<PatronReport> {
    return patronReport(this.table, patronId, processClock.now(), this.contactCrypto);
  }

  public status() {
    return {
      eventBusName: this.eventBusName,
      endpoints: {
        api: `http://127.0.0.1:${this.options.port}`,
        dynamodb: this.dynamoService.endpoint,
        ses: this.sesService.endpoint,
        sms: this.sms.endpoint,
      },
      tables: [this.tableName],
      now: processClock.now().toISOString(),
      queues: Object.values(this.queues).map((queue) => ({ name: queue.name, depth: queue.depth, deadLetters: queue.deadLetters.length })),
      streamFailures: this.stream.failed.length,
    };
  }
}
