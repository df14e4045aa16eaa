/**
 * Broadcast benchmark: how long a service update to 100,000 patrons takes at each SMS rate (1, 3, 10
 * and 100 message parts a second) and at SES's email rate, against the time the rate implies
 * (recipients / rate; target: within 10%).
 *
 * A time-compressed simulation on a virtual clock (100,000 real sends at 1 part a second would take a
 * day). Real: the stack's derivation of the notifier's concurrency, batch size and spacing from the
 * configured rates (`notifierThroughput`), the pacers, and the SNS and SES senders (`SnsSmsSender`,
 * `SesEmailSender`) with their pacing, and its random first-send delays (seeded here). Simulated: the SNS and SES clients (a fixed latency each), the
 * rest of a notice's work (profile read, claim, decryption, outcome: a fixed latency), and SQS driving
 * the notifier (each of `maxConcurrency` instances takes a batch of `batchSize` requests, processes its
 * records concurrently as Powertools' BatchProcessor does, then polls again after a fixed gap). The
 * queue starts full: the fan-out (one page of 100 patrons per audience shard at a time) queues
 * requests far faster than any of these rates drains them. `BENCH_BROADCAST_PATRONS` makes it smaller.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { broadcastSeconds, notifierThroughput, type BroadcastRates, type NotifierThroughput } from '#shared/notices/broadcastRate.ts';
import { SmsPacer } from '#shared/notices/smsPacer.ts';
import { SesEmailSender, SnsSmsSender, type EmailMessage } from '#shared/notices/senders.ts';

/** Fixed latencies of the simulation, in milliseconds. */
export const SIMULATED_LATENCY = {
  /** SNS Publish of one SMS. */
  sns: 80,
  /** SES SendEmail. */
  ses: 100,
  /** A notice's own work before the provider call (profile, notice id, claim, decryption). */
  before: 60,
  /** Recording the outcome after it. */
  after: 15,
  /** SQS receive and invocation between two batches of one instance. */
  poll: 30,
} as const;

/** A virtual clock: `sleep` resolves when the simulation reaches its time; no real time passes. */
class VirtualTime {
  public now = 0;
  private readonly heap: { at: number; seq: number; wake: () => void }[] = [];
  private seq = 0;

  public readonly sleep = (ms: number): Promise<void> =>
    new Promise((wake) => {
      this.push({ at: this.now + Math.max(0, ms), seq: this.seq++, wake });
    });

  /** Runs until `work` settles, moving the clock from timer to timer. */
  public async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const result = work.finally(() => {
      settled = true;
    });
    for (;;) {
      // Every promise chain waiting on the current time runs before the next macrotask.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (settled) return result;
      const next = this.pop();
      if (next === undefined) throw new Error('the simulation is stuck: nothing is waiting on the clock');
      this.now = next.at;
      next.wake();
      while (this.heap.length > 0 && this.heap[0]!.at === this.now) this.pop()!.wake();
    }
  }

  private push(entry: { at: number; seq: number; wake: () => void }): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): { at: number; seq: number; wake: () => void } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let smallest = i;
        if (l < heap.length && before(heap[l]!, heap[smallest]!)) smallest = l;
        if (r < heap.length && before(heap[r]!, heap[smallest]!)) smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

const before = (a: { at: number; seq: number }, b: { at: number; seq: number }) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export interface BroadcastRun {
  readonly channel: 'sms' | 'email';
  readonly recipients: number;
  /** The configured rate of the channel, per second. */
  readonly rate: number;
  readonly throughput: NotifierThroughput;
  /** Simulated seconds until the last send was accepted. */
  readonly seconds: number;
  /** Seconds the rate implies: recipients / rate. */
  readonly floorSeconds: number;
  /** Highest number of sends accepted in any one simulated second (must not exceed the rate). */
  readonly peakPerSecond: number;
}

const EMAIL: Omit<EmailMessage, 'to'> = {
  fromName: 'Riverside Library',
  fromAddress: 'notices@riverside.example.org',
  subject: 'Service update',
  text: 'All branches close at 5 pm.',
  html: '<p>All branches close at 5 pm.</p>',
  headers: [],
  noticeId: 'n',
  kind: 'service-update',
};

/** Simulates one broadcast of `recipients` notices on one channel at the configured rates. */
export async function simulateBroadcast(
  channel: 'sms' | 'email',
  recipients: number,
  rates: BroadcastRates,
  timeoutSeconds = 30,
): Promise<BroadcastRun> {
  const time = new VirtualTime();
  const throughput = notifierThroughput(rates, timeoutSeconds);
  const accepted: number[] = [];
  const provider = (latency: number) =>
    ({
      send: async () => {
        await time.sleep(latency);
        accepted.push(time.now);
        return { MessageId: `m-${accepted.length}` };
      },
    }) as unknown;
  let queued = recipients;
  // A seeded generator: the instances' first-send delays are random in the stack, repeatable here.
  let seed = 0x2545f491;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const firstTurn = (intervalMs: number) => Math.floor(random() * intervalMs);
  const instance = async () => {
    const now = () => time.now;
    const pacer = (intervalMs: number) => new SmsPacer(intervalMs, now, time.sleep, firstTurn);
    const sms = new SnsSmsSender(provider(SIMULATED_LATENCY.sns) as SNSClient, '+18005550100', pacer(throughput.smsIntervalMs));
    const email = new SesEmailSender(provider(SIMULATED_LATENCY.ses) as SESv2Client, 'bench', pacer(throughput.emailIntervalMs));
    while (queued > 0) {
      const batch = Math.min(queued, throughput.batchSize);
      queued -= batch;
      await Promise.all(
        Array.from({ length: batch }, async (_, index) => {
          await time.sleep(SIMULATED_LATENCY.before);
          if (channel === 'sms') await sms.send({ to: '+15555550100', body: `Service update ${index}` });
          else await email.send({ ...EMAIL, to: 'patron@example.net' });
          await time.sleep(SIMULATED_LATENCY.after);
        }),
      );
      await time.sleep(SIMULATED_LATENCY.poll);
    }
  };
  await time.run(Promise.all(Array.from({ length: throughput.maxConcurrency }, instance)));
  const perSecond = new Map<number, number>();
  for (const at of accepted) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
  const rate = channel === 'sms' ? rates.smsPartsPerSecond : rates.emailsPerSecond;
  return {
    channel,
    recipients,
    rate,
    throughput,
    seconds: Math.max(...accepted) / 1000,
    floorSeconds: broadcastSeconds(recipients, rate),
    peakPerSecond: Math.max(...perSecond.values()),
  };
}

/** SMS rates the section reports: a long code, a toll-free number, a 10DLC campaign, a short code. */
export const SMS_RATES = [1, 3, 10, 100] as const;

/** Every run of the section: each SMS rate, then email at `emailsPerSecond`. */
export async function broadcastBench(recipients: number, emailsPerSecond: number): Promise<BroadcastRun[]> {
  const runs: BroadcastRun[] = [];
  for (const sms of SMS_RATES) runs.push(await simulateBroadcast('sms', recipients, { smsPartsPerSecond: sms, emailsPerSecond }));
  runs.push(await simulateBroadcast('email', recipients, { smsPartsPerSecond: 1, emailsPerSecond }));
  return runs;
}

/** A duration as hours, minutes and seconds. */
export function humanDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : m > 0 ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`;
}

/** The printed lines of the section. */
export function broadcastLines(runs: readonly BroadcastRun[]): string[] {
  return runs.map((run) => {
    const ratio = run.seconds / run.floorSeconds;
    const what = run.channel === 'sms' ? `SMS at ${run.rate} part${run.rate === 1 ? '' : 's'}/s` : `email at ${run.rate}/s`;
    const { maxConcurrency, batchSize } = run.throughput;
    return (
      `  ${what.padEnd(20)} ${humanDuration(run.seconds).padEnd(13)} floor ${humanDuration(run.floorSeconds).padEnd(13)} ` +
      `${ratio.toFixed(3)}x ${ratio <= 1.1 ? '(ok)' : '(over)'}  peak ${run.peakPerSecond}/s, ${maxConcurrency} instances x batch ${batchSize}`
    );
  });
}
