/**
 * Keeps one function instance under its share of a provider's rate (the carrier's SMS message parts,
 * SES's emails): sends start at least `minIntervalMs` apart, even when a batch's records are processed
 * concurrently. With the notifier's maximum concurrency `c` and a rate of `r` per second, the interval
 * is `c / r` seconds, so all instances together stay under `r`. Instances that start together would
 * all send at once: `firstTurnDelay` spreads their first sends over one interval.
 */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class SmsPacer {
  private next = 0;

  public constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
    /** Milliseconds the first send waits, from 0 to the interval. @default none */
    private readonly firstTurnDelay: (intervalMs: number) => number = () => 0,
  ) {}

  /** Resolves when the caller may send. */
  public async turn(): Promise<void> {
    if (this.minIntervalMs <= 0) return;
    if (this.next === 0) this.next = this.now() + this.firstTurnDelay(this.minIntervalMs);
    const at = Math.max(this.now(), this.next);
    this.next = at + this.minIntervalMs;
    const wait = at - this.now();
    if (wait > 0) await this.sleep(wait);
  }
}

/** A random first-send delay within one interval, for instances that start at the same moment. */
export const randomFirstTurn = (intervalMs: number): number => Math.floor(Math.random() * intervalMs);

/** The interval between sends of one instance for a rate shared by `concurrency` instances. */
export function smsIntervalMs(messagePartsPerSecond: number, concurrency: number): number {
  return Math.ceil((1000 * concurrency) / messagePartsPerSecond);
}
