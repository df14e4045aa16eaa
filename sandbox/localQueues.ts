/**
 * In-process SQS queues for the sandbox: the real handlers consume them with SQS-shaped batches,
 * up to `maxConcurrency` batches at once (the event source mapping's maximum concurrency); failed
 * records are retried up to the queue's receive limit and then moved to a dead-letter list, as the
 * deployed redrive policy does, from which `redrive()` sends them back.
 */
import { randomUUID, createHash } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MAX_RECEIVE_COUNT } from '#shared/routing/rules.ts';
import { processClock } from '#shared/clock.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** A message as the queue holds it (also its on-disk form when the sandbox persists its state). */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
  readonly sentAt: number;
  /** Delayed messages (SQS DelaySeconds) become visible at this sandbox time. */
  readonly visibleAt: number;
}

export interface DeadLetter {
  readonly queue: string;
  readonly messageId: string;
  readonly receiveCount: number;
  /** The message body, so a redrive can move it back to its source queue. */
  readonly body: string;
  readonly sentAt: number;
  /** The message itself, kept for redrive. */
  readonly message: QueuedMessage;
}

const BATCH_SIZE = 10;

export class LocalQueue {
  private messages: QueuedMessage[] = [];
  /** Messages of the batches being processed: a snapshot keeps them, as SQS shows them again if their consumer dies. */
  private readonly delivering = new Set<QueuedMessage>();
  public deadLetters: DeadLetter[] = [];
  /** Batches being processed now. */
  public inFlight = 0;

  public constructor(
    public readonly name: string,
    public readonly url: string,
    private readonly handler: () => Promise<SqsHandler>,
    /** Batches processed at once, as the deployed event source mapping's maximum concurrency. */
    public readonly maxConcurrency = 1,
    /** Called whenever a message arrives, so the sandbox can start a consumer. */
    private readonly onSend: () => void = () => undefined,
  ) {}

  /** The dead-letter queue's URL (its messages are {@link deadLetters}). */
  public get deadLetterUrl(): string {
    return `${this.url}-dlq`;
  }

  /** The queue's ARN as the sandbox reports it; the dead-letter queue's ends in `-dlq`. */
  public arn(deadLetter = false): string {
    return `arn:aws:sqs:us-east-1:000000000000:${this.name}${deadLetter ? '-dlq' : ''}`;
  }

  public send(body: string, delaySeconds = 0): string {
    const messageId = randomUUID();
    const now = processClock.now().getTime();
    this.messages.push({ messageId, body, receiveCount: 0, sentAt: now, visibleAt: now + delaySeconds * 1000 });
    this.onSend();
    return messageId;
  }

  public get depth(): number {
    return this.messages.length;
  }

  /** Sends every dead letter back to the queue with a fresh receive count; returns how many. */
  public redrive(): number {
    const letters = this.deadLetters;
    this.deadLetters = [];
    for (const letter of letters) this.messages.push({ ...letter.message, receiveCount: 0, visibleAt: processClock.now().getTime() });
    if (letters.length > 0) this.onSend();
    return letters.length;
  }

  /** What the queue holds, to keep on disk: a sandbox stopped mid-batch delivers that batch again when it starts. */
  public snapshot(): { messages: QueuedMessage[]; deadLetters: DeadLetter[] } {
    return { messages: [...this.messages, ...this.delivering], deadLetters: [...this.deadLetters] };
  }

  public restore(saved: { messages: QueuedMessage[]; deadLetters: DeadLetter[] }): void {
    this.messages = [...saved.messages];
    this.deadLetters = [...saved.deadLetters];
  }

  /** Messages visible now, on the sandbox clock. */
  public get visibleDepth(): number {
    const now = processClock.now().getTime();
    return this.messages.filter((message) => message.visibleAt <= now).length;
  }

  /** Delivers one batch to the handler; returns the ids that went to the dead-letter list. */
  public async deliverBatch(): Promise<string[]> {
    const now = processClock.now().getTime();
    const batch = this.messages.filter((message) => message.visibleAt <= now).slice(0, BATCH_SIZE);
    if (batch.length === 0) return [];
    for (const message of batch) this.messages.splice(this.messages.indexOf(message), 1);
    for (const message of batch) {
      message.receiveCount++;
      this.delivering.add(message);
    }
    const event: SQSEvent = { Records: batch.map((message) => this.record(message)) };
    let failed: Set<string>;
    this.inFlight++;
    try {
      const response = await (await this.handler())(event, lambdaContext(this.name));
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      // A handler that throws fails its whole batch, as Lambda's event source mapping treats it.
      failed = new Set(batch.map((message) => message.messageId));
    } finally {
      this.inFlight--;
      for (const message of batch) this.delivering.delete(message);
    }
    const deadLettered: string[] = [];
    for (const message of batch) {
      if (!failed.has(message.messageId)) continue;
      if (message.receiveCount >= MAX_RECEIVE_COUNT) {
        this.deadLetters.push({
          queue: this.name,
          messageId: message.messageId,
          receiveCount: message.receiveCount,
          body: message.body,
          sentAt: message.sentAt,
          message,
        });
        deadLettered.push(message.messageId);
      } else {
        this.messages.push(message);
      }
    }
    return deadLettered;
  }

  private record(message: QueuedMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'sandbox',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn(),
      awsRegion: 'us-east-1',
    };
  }
}

/** A Lambda context for invoking handlers outside Lambda (sandbox and tests). */
export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'sandbox',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
