/**
 * The sandbox's work loop: consumes its queues concurrently (each up to its event source mapping's
 * maximum concurrency), reads the table stream one batch at a time (one shard, in order, as Lambda
 * does) and turns mailbox-simulator emails into feedback, until no work is left. Requests wait for
 * `settled()`: they return only after all the work they caused is done, while the work of requests
 * in flight together runs concurrently.
 */
import type { LocalQueue } from '#sandbox/localQueues.ts';

/** The follow-up readers the loop runs after queue work: each returns how much new work it found. */
export interface FollowUps {
  /** Delivers the table stream's new records; how many. */
  readStream(): Promise<number>;
  /** Turns new emails to the mailbox simulator into feedback messages; how many. */
  readMailboxes(): Promise<number>;
}

/** A failure of the loop itself (an emulator down), kept for `/sandbox/status`, never thrown at a request. */
export interface PipelineFault {
  readonly stage: 'stream' | 'mailboxes';
  readonly message: string;
  readonly at: string;
}

/** Rounds of follow-up reads without progress after which the loop gives up on a failing reader. */
const MAX_IDLE_FAILURES = 3;

export class Pipeline {
  private active = 0;
  private followUpRunning = false;
  /** The stream or the mailboxes may hold work not yet read. */
  private streamDirty = false;
  private mailDirty = false;
  private failuresInARow = 0;
  private waiters: (() => void)[] = [];
  public readonly faults: PipelineFault[] = [];

  public constructor(
    private readonly queues: readonly LocalQueue[],
    private readonly followUps: FollowUps,
    /** Queues whose consumers send email (their batches make the mailboxes worth reading). */
    private readonly emailQueues: readonly LocalQueue[],
  ) {}

  /**
   * Resolves when no work is left: every queue empty (delayed messages aside), no batch running,
   * the stream read to its end. Never rejects: failures are recorded in `faults`.
   */
  public settled(): Promise<void> {
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    // Whatever the caller did may have written to the table: the stream is worth a read.
    this.streamDirty = true;
    this.pump();
    return done;
  }

  /** Queues with neither visible messages nor batches running. */
  private idle(queues: readonly LocalQueue[]): boolean {
    return queues.every((queue) => queue.inFlight === 0 && queue.visibleDepth === 0);
  }

  /**
   * Starts whatever work can start now. Called on every new message and every finished job. The
   * stream is read once the queues are quiet, and the mailboxes once the email senders are: one read
   * then covers many batches (each GetRecords on DynamoDB Local costs about as much as a write).
   */
  public pump(): void {
    for (const queue of this.queues) {
      while (queue.inFlight < queue.maxConcurrency && queue.visibleDepth > 0) {
        const sendsEmail = this.emailQueues.includes(queue);
        this.track(
          queue.deliverBatch().then(() => {
            this.streamDirty = true;
            if (sendsEmail) this.mailDirty = true;
          }),
        );
      }
    }
    const streamReady = this.streamDirty && this.idle(this.queues);
    const mailReady = this.mailDirty && this.idle(this.emailQueues);
    if ((streamReady || mailReady) && !this.followUpRunning) {
      this.followUpRunning = true;
      this.track(this.readFollowUps(streamReady, mailReady).finally(() => (this.followUpRunning = false)));
    }
    if (this.active === 0 && !this.streamDirty && !this.mailDirty && this.queues.every((queue) => queue.visibleDepth === 0)) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private track(job: Promise<unknown>): void {
    this.active++;
    void job
      .catch(() => undefined)
      .finally(() => {
        this.active--;
        this.pump();
      });
  }

  private async readFollowUps(readStream: boolean, readMail: boolean): Promise<void> {
    if (readStream) this.streamDirty = false;
    if (readMail) this.mailDirty = false;
    let found = 0;
    let failed = false;
    if (readStream) {
      try {
        found += await this.followUps.readStream();
      } catch (error) {
        failed = true;
        this.fault('stream', error);
      }
    }
    if (readMail) {
      try {
        found += await this.followUps.readMailboxes();
      } catch (error) {
        failed = true;
        this.fault('mailboxes', error);
      }
    }
    this.failuresInARow = failed ? this.failuresInARow + 1 : 0;
    // New records may follow the ones just delivered (the stream handler writes too): read again
    // until a read finds nothing; a reader that keeps failing is retried a few times, then left to
    // the next request or to `POST /sandbox/redrive`.
    if (found > 0 || (failed && this.failuresInARow < MAX_IDLE_FAILURES)) {
      this.streamDirty = true;
      if (readMail && failed) this.mailDirty = true;
    }
    // Feedback from the mailboxes lands on the table too.
    if (readMail && found > 0) this.streamDirty = true;
  }

  private fault(stage: PipelineFault['stage'], error: unknown): void {
    this.faults.push({ stage, message: `${(error as Error).name}: ${(error as Error).message}`, at: new Date().toISOString() });
    if (this.faults.length > 50) this.faults.shift();
  }
}
