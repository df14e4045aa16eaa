/**
 * The local sandbox: the whole Bookdrop pipeline on one machine, with no AWS account.
 *
 * DynamoDB Local, the local SES and a local SMS sink stand in for AWS; the real handlers run
 * in-process with the real AWS SDK clients pointed at them through the SDK's standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables. PutEvents is routed with the same rule patterns the CDK
 * stack deploys, into in-process queues that the handlers consume concurrently, as Lambda would. Every
 * request returns only after all the work it caused is done. The emulators are supervised (restarted
 * if they die); work that failed meanwhile waits in dead-letter lists for `redrive()`. State lives in
 * memory unless `dataDir` is given.
 */
import { sandboxFunctionEnvironment } from '#sandbox/functionEnvironment.ts';
import { randomUUID, createHash } from 'node:crypto';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient, ScanCommand, DeleteItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dayIn, processClock } from '#shared/clock.ts';
import { addDays } from '#shared/sweep/sweepKeys.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { EsdkContactCrypto, localContactKeyring } from '#shared/contacts/contactCrypto.ts';
import { loadOrCreateLocalKeys } from '#shared/contacts/keys.ts';
import { EventValidationError } from '#shared/errors.ts';
import { OUTBOUND_SOURCE, type OutboundDetail } from '#shared/events/contract.ts';
import { parseCirculationEvent } from '#shared/events/parseEvent.ts';
import { assertNotAhead } from '#shared/events/eventTime.ts';
import { patronReport, type PatronReport } from '#shared/patrons/patronReport.ts';
import { DEFAULT_CONSUMER_CONCURRENCY, NOTIFIER_CONCURRENCY, matchesPattern, routes, type RouteTarget } from '#shared/routing/rules.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { UNSUBSCRIBE_PATH } from '#shared/unsubscribe/unsubscribeHttp.ts';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  ensureTable,
  readSesStore,
  startDynamoDbLocal,
  startSesLocal,
  type StoredEmail,
} from '#sandbox/localServices.ts';
import { LocalQueue, lambdaContext, type DeadLetter, type SqsHandler } from '#sandbox/localQueues.ts';
import { Pipeline } from '#sandbox/pipeline.ts';
import { Emulator, answersWithin } from '#sandbox/emulator.ts';
import { dynamoDbFolder, loadSnapshot, saveSnapshot, type SandboxSnapshot } from '#sandbox/persistence.ts';
import { SmsSink } from '#sandbox/smsSink.ts';
import { SIMULATOR, simulatedFeedback } from '#sandbox/sesMailboxSimulator.ts';
import { StreamPoller, type StreamHandler } from '#sandbox/streamPoller.ts';
import { IlsResponder } from '#sandbox/ilsResponder.ts';
import { checkPutEventsEntry, type EntryError, type PutEventsEntry } from '#sandbox/putEventsContract.ts';
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
  /**
   * Keep the sandbox's state in this folder (DynamoDB Local's tables, the outbox, the clock, queued
   * and dead-lettered work) so that it survives a restart.
   * @default undefined: everything lives in memory and is gone when the sandbox stops
   */
  readonly dataDir?: string;
  /** Restarts of a dead emulator within 10 minutes before it is left down. @default 3 */
  readonly maxEmulatorRestarts?: number;
  /** The ILS report drop folder. @default `ils-drop` beside the key file */
  readonly dropDir?: string;
}

export type PutEventsResultEntry = { EventId: string } | EntryError;

export interface Outbox {
  sms: { id: string; to: string; body: string; sentAt: string }[];
  email: {
    id: string;
    to: string;
    from: string;
    subject: string;
    text: string;
    html: string;
    headers: Record<string, string>;
    sentAt: string;
  }[];
}

const ACCOUNT = '000000000000';
/** The queues' names in the CLIs (as a deployed stack's outputs name them). */
const QUEUE_IDS = { circulation: 'circulation', notices: 'notifier', inboundSms: 'inbound-sms', emailFeedback: 'email-feedback' } as const;
/** How many missed daily sweeps the sandbox runs at most when its clock jumps. */
export const SANDBOX_SWEEP_CATCH_UP_DAYS = 31;

/** Sandboxes constructed in this process (a test may start one again on the same data folder). */
let sandboxesInProcess = 0;

export class Sandbox {
  public readonly tableName: string;
  public readonly eventBusName: string;
  public readonly sms: SmsSink;
  /** Events Bookdrop published to the bus (`source: library.notices`). */
  public readonly published: Record<string, unknown>[] = [];
  private readonly queues: Record<RouteTarget | 'notices' | 'emailFeedback' | 'inboundSms', LocalQueue>;
  /** Every email the local SES accepted, by message id, oldest first: survives an SES restart. */
  private readonly emails = new Map<string, StoredEmail>();
  /** The newest `at` (epoch seconds) read from the local SES: the next read asks only from there. */
  private emailsReadFrom = 0;
  /** The last day whose daily sweep ran (the sandbox starts with today's counted as run). */
  private lastSweptDay: string;
  private readonly dynamo: DynamoDBClient;
  private readonly table: TableContext;
  private readonly contactCrypto: EsdkContactCrypto;
  private readonly stream: StreamPoller;
  /** Messages moved by the last message move task of each dead-letter queue (by its ARN). */
  private readonly moveTasks = new Map<string, number>();
  /** Dead letters received by a dry run, hidden until this wall-clock time (ms). */
  private readonly hiddenDeadLetters = new Map<string, number>();
  private readonly pipeline: Pipeline;
  private saveTimer: NodeJS.Timeout | undefined;
  /** The ILS bridges: the signed webhook and the drop-folder report bridge. */
  public readonly ils: SandboxIlsBridges;
  /** The ILS's answers to renewals asked for by text (`POST /sandbox/ils/renewals` sets how it answers). */
  public readonly ilsRenewals: IlsResponder;
  /**
   * Imports a handler module. Handlers read their environment (endpoints, queue URLs) once, at import:
   * a second sandbox in the same process imports its own copy, or its handlers would call the first's.
   */
  private readonly importHandler: (specifier: string) => Promise<unknown>;

  private constructor(
    private readonly options: SandboxOptions,
    private readonly dynamoEmulator: Emulator,
    private readonly sesEmulator: Emulator,
    sms: SmsSink,
  ) {
    this.tableName = options.tableName ?? 'bookdrop-sandbox';
    this.lastSweptDay = dayIn(options.config.timeZone, processClock.now());
    this.eventBusName = options.eventBusName ?? 'bookdrop-sandbox';
    this.ilsRenewals = new IlsResponder(options.config.events.source);
    this.sms = sms;
    const base = `http://127.0.0.1:${options.port}/${ACCOUNT}`;
    const instance = ++sandboxesInProcess;
    this.importHandler = (specifier) => import(instance === 1 ? specifier : `${import.meta.resolve(specifier)}?sandbox=${instance}`);
    const handler = (module: string) => async () => ((await this.importHandler(module)) as { handler: SqsHandler }).handler;
    const kick = () => this.pipeline?.pump();
    const queue = (name: string, module: string, concurrency = DEFAULT_CONSUMER_CONCURRENCY) =>
      new LocalQueue(name, `${base}/${name}`, handler(module), concurrency, kick);
    this.queues = {
      circulation: queue('bookdrop-circulation', '#functions/circulation/handler.ts'),
      notices: queue('bookdrop-notices', '#functions/notifier/handler.ts', NOTIFIER_CONCURRENCY),
      inboundSms: queue('bookdrop-inbound-sms', '#functions/inbound-sms/handler.ts'),
      emailFeedback: queue('bookdrop-email-feedback', '#functions/email-feedback/handler.ts'),
    };
    this.stream = new StreamPoller(
      dynamoEmulator.endpoint,
      this.tableName,
      async () => ((await this.importHandler('#functions/table-stream/handler.ts')) as { handler: StreamHandler }).handler,
    );
    this.pipeline = new Pipeline(
      Object.values(this.queues),
      { readStream: () => this.stream.poll(), readMailboxes: () => this.simulateMailboxes() },
      [this.queues.notices],
    );
    this.dynamo = new DynamoDBClient({ endpoint: dynamoEmulator.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
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

  /** The consortium configuration the sandbox runs with. */
  public get config(): ConsortiumConfig {
    return this.options.config;
  }

  /** Starts the local services, creates the table and points the handlers' SDK clients at them. */
  public static async start(options: SandboxOptions): Promise<Sandbox> {
    const sms = new SmsSink(processClock);
    const saved = options.dataDir ? loadSnapshot(options.dataDir) : undefined;
    const dbPath = options.dataDir ? dynamoDbFolder(options.dataDir) : undefined;
    const [dynamo, ses] = await Promise.all([
      Emulator.start('DynamoDB Local', {
        start: (port) => startDynamoDbLocal({ port, dbPath }),
        probe: (endpoint) =>
          answersWithin(async () => {
            const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
            try {
              return (await client.send(new ListTablesCommand({ Limit: 1 }))) !== undefined;
            } finally {
              client.destroy();
            }
          }),
        maxRestarts: options.maxEmulatorRestarts,
        lossOnRestart: dbPath
          ? 'Its data is kept on disk: nothing was lost.'
          : 'It runs in memory: the table was recreated empty and everything written before is gone (start with --data-dir to keep data).',
      }),
      Emulator.start('local SES', {
        start: (port) => startSesLocal(port),
        probe: (endpoint) => answersWithin(async () => (await fetch(`${endpoint}/health-check`)).ok),
        maxRestarts: options.maxEmulatorRestarts,
        lossOnRestart: 'Emails sent before are kept in the sandbox outbox.',
      }),
      sms.start(),
    ]);
    const sandbox = new Sandbox(options, dynamo, ses, sms);
    dynamo.afterRestart = async () => {
      await ensureTable(sandbox.dynamo, sandbox.tableName);
      await sandbox.stream.start(sandbox.stream.positions());
    };
    ses.afterRestart = async () => {
      // A new store starts empty; emails already read stay in the sandbox's archive.
      sandbox.emailsReadFrom = 0;
    };
    try {
      await ensureTable(sandbox.dynamo, sandbox.tableName);
      if (saved) sandbox.restore(saved);
      await sandbox.stream.start(saved?.stream.positions);
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
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamoEmulator.endpoint,
      AWS_ENDPOINT_URL_SESV2: this.sesEmulator.endpoint,
      AWS_ENDPOINT_URL_SNS: this.sms.endpoint,
      AWS_ENDPOINT_URL_SQS: api,
      AWS_ENDPOINT_URL_EVENTBRIDGE: api,
      ...sandboxFunctionEnvironment({
        tableName: this.tableName,
        config: this.options.config,
        keyFile: this.options.keyFile,
        eventBusName: this.eventBusName,
        noticeQueueUrl: this.queues.notices.url,
        inboundSmsQueueUrl: this.queues.inboundSms.url,
        unsubscribeUrl: `${api}${UNSUBSCRIBE_PATH}`,
      }),
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.BOOKDROP_LOG_LEVEL ?? 'WARN',
    });
  }

  public async stop(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.save();
    this.ils?.stop();
    this.stream.stop();
    this.dynamo.destroy();
    await Promise.all([this.dynamoEmulator.stop(), this.sesEmulator.stop(), this.sms.stop()]);
  }

  /** Waits for every emulator restart in progress, then for all the work in flight. */
  private async settle(): Promise<void> {
    await Promise.all([this.dynamoEmulator.ready(), this.sesEmulator.ready()]);
    await this.pipeline.settled();
    this.scheduleSave();
  }

  /** The dead letter a message became, if it did. */
  private deadLetterOf(messageId: string): DeadLetter | undefined {
    for (const queue of Object.values(this.queues)) {
      const letter = queue.deadLetters.find((candidate) => candidate.messageId === messageId);
      if (letter) return letter;
    }
    return undefined;
  }

  /**
   * EventBridge PutEvents: validates, routes with the stack's rule patterns, and waits for the work.
   * Requests in flight together are processed concurrently; each answers once all work is done.
   * Never rejects once events are routed: an entry whose event was applied always reports success.
   */
  public async putEvents(entries: readonly PutEventsEntry[]): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[] }> {
    const events = entries.map((entry) => this.toEvent(entry));
    const outbound = events.every((event) => !('ErrorCode' in event) && event.source === OUTBOUND_SOURCE);
    // Bookdrop's own outbound events come from handlers mid-request: record them without waiting.
    if (outbound) {
      const { routed: _routed, ...response } = this.deliver(events);
      return response;
    }
    const result = this.deliver(events);
    await this.settle();
    result.routed.forEach((messageIds, index) => {
      const letter = messageIds.map((id) => this.deadLetterOf(id)).find((found) => found !== undefined);
      if (!letter) return;
      result.Entries[index] = {
        ErrorCode: 'InternalFailure',
        ErrorMessage: `the ${letter.queue} consumer failed this event ${letter.receiveCount} times; it is in the dead-letter queue (POST /sandbox/redrive retries it)`,
      };
    });
    const { routed: _routed, ...response } = result;
    return { ...response, FailedEntryCount: response.Entries.filter((entry) => 'ErrorCode' in entry).length };
  }

  private toEvent(entry: PutEventsEntry): Record<string, unknown> | EntryError {
    const checked = checkPutEventsEntry(entry);
    if ('ErrorCode' in checked) return checked;
    const bus = checked.eventBusName;
    if (bus !== undefined && bus !== this.eventBusName && !bus.endsWith(`/${this.eventBusName}`)) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `event bus ${bus} does not exist; the sandbox bus is ${this.eventBusName}` };
    }
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': checked.detailType,
      source: checked.source,
      account: ACCOUNT,
      time: (checked.time ?? processClock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: checked.resources,
      detail: checked.detail,
    };
    if (checked.source === this.options.config.events.source) {
      // In AWS the consumer rejects such an event into the DLQ with this message; the sandbox says it at once.
      try {
        assertNotAhead(parseCirculationEvent(event), processClock.now());
      } catch (error) {
        if (error instanceof EventValidationError) return { ErrorCode: 'InvalidArgument', ErrorMessage: error.message };
        throw error;
      }
    }
    return event;
  }

  private deliver(events: (Record<string, unknown> | EntryError)[]) {
    const rules = routes(this.options.config);
    const Entries: PutEventsResultEntry[] = [];
    const routed: string[][] = [];
    for (const event of events) {
      if ('ErrorCode' in event) {
        Entries.push(event as EntryError);
        routed.push([]);
        continue;
      }
      if (event.source === OUTBOUND_SOURCE) {
        this.published.push(event);
        // The sandbox plays the ILS: it answers a renewal request as soon as it is published.
        if (event['detail-type'] === 'RenewalRequested')
          this.deliver(this.ilsRenewals.answer(event.detail as OutboundDetail<'RenewalRequested'>).map((entry) => this.toEvent(entry)));
      }
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

  /** Reads the emails the local SES accepted since the last read into the archive; returns the new ones. */
  private async readEmails(): Promise<StoredEmail[]> {
    const fresh = (await readSesStore(this.sesEmulator.endpoint, this.emailsReadFrom)).filter((email) => !this.emails.has(email.messageId));
    for (const email of fresh) {
      this.emails.set(email.messageId, email);
      this.emailsReadFrom = Math.max(this.emailsReadFrom, email.at);
    }
    return fresh;
  }

  /** Turns emails sent to the SES mailbox simulator into the feedback SES would publish. */
  private async simulateMailboxes(): Promise<number> {
    let produced = 0;
    for (const email of await this.readEmails()) {
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
  public sqs(
    action: string,
    input: {
      QueueUrl?: string;
      MessageBody?: string;
      DelaySeconds?: number;
      Entries?: { Id: string; MessageBody: string; DelaySeconds?: number }[];
      SourceArn?: string;
      MaxNumberOfMessages?: number;
      VisibilityTimeout?: number;
    },
  ) {
    const dlq = this.deadLetterSqs(action, input);
    if (dlq) return dlq;
    const queue = Object.values(this.queues).find((candidate) => candidate.url === input.QueueUrl);
    if (!queue) return { error: { type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' } };
    const md5 = (body: string) => createHash('md5').update(body).digest('hex');
    if (action === 'SendMessage' && input.MessageBody !== undefined) {
      return { result: { MessageId: queue.send(input.MessageBody, input.DelaySeconds), MD5OfMessageBody: md5(input.MessageBody) } };
    }
    if (action === 'SendMessageBatch' && input.Entries) {
      return {
        result: {
          Successful: input.Entries.map((entry) => ({
            Id: entry.Id,
            MessageId: queue.send(entry.MessageBody, entry.DelaySeconds),
            MD5OfMessageBody: md5(entry.MessageBody),
          })),
          Failed: [],
        },
      };
    }
    return { error: { type: 'com.amazonaws.sqs#UnsupportedOperation', message: `${action} is not supported by the sandbox` } };
  }

  /**
   * The dead-letter queues' SQS calls, for `npm run redrive`: GetQueueAttributes, ReceiveMessage (a
   * peek: nothing is removed), StartMessageMoveTask (moves every message back and processes it) and
   * ListMessageMoveTasks. `undefined` when the call is not about a dead-letter queue.
   */
  private deadLetterSqs(
    action: string,
    input: { QueueUrl?: string; SourceArn?: string; MaxNumberOfMessages?: number; VisibilityTimeout?: number },
  ) {
    const queue = Object.values(this.queues).find(
      (candidate) => candidate.deadLetterUrl === input.QueueUrl || candidate.arn(true) === input.SourceArn,
    );
    if (!queue) return undefined;
    if (action === 'GetQueueAttributes') {
      return { result: { Attributes: { QueueArn: queue.arn(true), ApproximateNumberOfMessages: String(queue.deadLetters.length) } } };
    }
    if (action === 'ReceiveMessage') {
      // As SQS: a received message stays hidden for the visibility timeout (wall clock), and is not removed.
      const now = Date.now();
      const letters = queue.deadLetters
        .filter((letter) => (this.hiddenDeadLetters.get(letter.messageId) ?? 0) <= now)
        .slice(0, Math.min(10, input.MaxNumberOfMessages ?? 1));
      for (const letter of letters) this.hiddenDeadLetters.set(letter.messageId, now + (input.VisibilityTimeout ?? 30) * 1000);
      return {
        result: {
          Messages: letters.map((letter) => ({
            MessageId: letter.messageId,
            ReceiptHandle: letter.messageId,
            Body: letter.body,
            MD5OfBody: createHash('md5').update(letter.body).digest('hex'),
            Attributes: { ApproximateReceiveCount: String(letter.receiveCount), SentTimestamp: String(letter.sentAt) },
          })),
        },
      };
    }
    if (action === 'StartMessageMoveTask') {
      const moved = queue.redrive();
      this.moveTasks.set(queue.arn(true), moved);
      void this.settle().catch(() => undefined);
      return { result: { TaskHandle: `sandbox-${queue.name}-${Date.now()}` } };
    }
    if (action === 'ListMessageMoveTasks') {
      const moved = this.moveTasks.get(queue.arn(true));
      const tasks =
        moved === undefined ? [] : [{ Status: 'COMPLETED', SourceArn: queue.arn(true), ApproximateNumberOfMessagesMoved: moved }];
      return { result: { Results: tasks } };
    }
    return undefined;
  }

  /**
   * A patron's SMS reply, as two-way SMS publishes it to the inbound topic: delivered to the
   * inbound-SMS handler; resolves when all the work it caused is done.
   */
  public async inboundSms(message: Record<string, unknown>): Promise<{ inboundMessageId: string; deadLettered: boolean }> {
    const messageId = this.queues.inboundSms.send(JSON.stringify(message));
    await this.settle();
    return { inboundMessageId: String(message.inboundMessageId), deadLettered: this.deadLetterOf(messageId) !== undefined };
  }

  /**
   * A request to the unsubscribe endpoint (its page, its button, a one-click POST), answered by the
   * real function; resolves when the work it caused (the consent event) is done.
   */
  public async unsubscribe(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    const { handler } = (await this.importHandler('#functions/unsubscribe/handler.ts')) as {
      handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
    };
    const result = await handler(event, lambdaContext('unsubscribe'));
    await this.settle();
    return result;
  }

  /** Everything sent so far, oldest first, in the shape of the sandbox API contract. */
  public async outbox(): Promise<Outbox> {
    // The archive answers even while the local SES is down or restarting.
    await this.readEmails().catch(() => undefined);
    const emails = [...this.emails.values()].sort((a, b) => a.at - b.at);
    return {
      sms: this.sms.messages.map(({ id, to, body, sentAt }) => ({ id, to, body, sentAt })),
      email: emails.map((email) => ({
        id: email.messageId,
        to: email.destination.to.join(', '),
        from: email.from,
        subject: email.subject,
        text: email.body.text ?? '',
        html: email.body.html ?? '',
        headers: Object.fromEntries((email.headers ?? []).map((header) => [header.name, header.value])),
        sentAt: new Date(email.at * 1000).toISOString(),
      })),
    };
  }

  /**
   * Moves the sandbox clock forward and deletes what DynamoDB TTL would have deleted by then.
   * Returns how many items of each kind expired.
   */
  public async advanceClock(target: Date): Promise<{ now: string; expired: Record<string, number>; swept: string[] }> {
    // Work in flight finishes at the old time first.
    await this.settle();
    {
      const before = processClock.now();
      processClock.advanceTo(target);
      // The clock runs on from the target: answer with the target itself, not a millisecond later.
      const now = target > before ? target : before;
      const expired: Record<string, number> = {};
      const doomed = await this.scan(
        '#ttl <= :now',
        { ':now': { N: String(Math.floor(now.getTime() / 1000)) } },
        { '#ttl': TABLE.ttlAttribute },
      );
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
    }
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
  private async scan(
    filter: string,
    values: Record<string, AttributeValue>,
    names?: Record<string, string>,
  ): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamo.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: filter,
          ExpressionAttributeValues: values,
          ExpressionAttributeNames: names,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  public patron(patronId: string): Promise<PatronReport> {
    return patronReport(this.table, patronId, processClock.now(), this.contactCrypto);
  }

  /** The sandbox's endpoints, bus, tables, clock and queues (synchronous: what `npm start` prints). */
  public status() {
    return {
      eventBusName: this.eventBusName,
      endpoints: {
        api: `http://127.0.0.1:${this.options.port}`,
        dynamodb: this.dynamoEmulator.endpoint,
        ses: this.sesEmulator.endpoint,
        sms: this.sms.endpoint,
      },
      tables: [this.tableName],
      /** The local contact and phone-index keys, for tools that write contacts (the patron import). */
      keyFile: this.options.keyFile,
      now: processClock.now().toISOString(),
      queues: Object.entries(this.queues).map(([key, queue]) => ({
        name: queue.name,
        depth: queue.depth,
        deadLetters: queue.deadLetters.length,
        id: QUEUE_IDS[key as keyof typeof QUEUE_IDS],
        url: queue.url,
        deadLetterUrl: queue.deadLetterUrl,
      })),
      region: LOCAL_REGION,
      contactKeys: { kind: 'local', keyFile: this.options.keyFile },
      streamFailures: this.stream.failed.length,
      persistence: this.options.dataDir ? { dataDir: this.options.dataDir } : { inMemory: true },
    };
  }

  /**
   * `GET /sandbox/status`: {@link status} plus each emulator's health (probed now), the work waiting
   * for redrive and the last faults of the work loop.
   */
  public async health() {
    const [dynamodb, ses] = await Promise.all([this.dynamoEmulator.health(), this.sesEmulator.health()]);
    const deadLetters = Object.values(this.queues).reduce((sum, queue) => sum + queue.deadLetters.length, 0);
    return {
      ...this.status(),
      emulators: { dynamodb, ses, sms: { endpoint: this.sms.endpoint, state: 'up' as const, restarts: 0 } },
      awaitingRedrive: { deadLetters, streamRecords: this.stream.failed.length },
      streamIteratorsReacquired: this.stream.reacquired,
      recentFaults: this.pipeline.faults.slice(-5),
    };
  }

  /**
   * `POST /sandbox/redrive`: starts any emulator that was left down, sends every dead-lettered
   * message back to its queue and delivers the stream records that failed once more, then waits for
   * the work. Returns what was redriven and what failed again.
   */
  public async redrive(): Promise<{
    redriven: Record<string, number>;
    streamRecords: number;
    stillFailing: { deadLetters: number; streamRecords: number };
  }> {
    await Promise.all([this.dynamoEmulator.revive(), this.sesEmulator.revive()]);
    const redriven = Object.fromEntries(Object.values(this.queues).map((queue) => [queue.name, queue.redrive()]));
    const stream = await this.stream.redriveFailed();
    await this.settle();
    const deadLetters = Object.values(this.queues).reduce((sum, queue) => sum + queue.deadLetters.length, 0);
    return { redriven, streamRecords: stream.redriven, stillFailing: { deadLetters, streamRecords: this.stream.failed.length } };
  }

  private restore(saved: SandboxSnapshot): void {
    processClock.advanceTo(new Date(Date.now() + saved.clockOffsetMs));
    this.lastSweptDay = saved.lastSweptDay;
    this.published.push(...saved.published);
    for (const email of saved.emails) this.emails.set(email.messageId, email);
    this.sms.restore(saved.sms);
    for (const queue of Object.values(this.queues)) {
      const state = saved.queues[queue.name];
      if (state) queue.restore(state);
    }
    this.stream.failed = [...saved.stream.failed];
  }

  /** Saves the state at most once a second (when a data folder is set). */
  private scheduleSave(): void {
    if (!this.options.dataDir || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, 1000);
    this.saveTimer.unref();
  }

  private save(): void {
    if (!this.options.dataDir) return;
    try {
      saveSnapshot(this.options.dataDir, {
        clockOffsetMs: processClock.now().getTime() - Date.now(),
        lastSweptDay: this.lastSweptDay,
        published: this.published,
        emails: [...this.emails.values()],
        sms: this.sms.snapshot(),
        queues: Object.fromEntries(Object.values(this.queues).map((queue) => [queue.name, queue.snapshot()])),
        stream: { positions: this.stream.positions(), failed: this.stream.failed },
      });
    } catch (error) {
      process.stderr.write(`the sandbox could not save its state in ${this.options.dataDir}: ${(error as Error).message}\n`);
    }
  }
}
