/**
 * Keeps one function instance under its share of the carrier's SMS rate: sends start at least
 * `minIntervalMs` apart, even when a batch's records are processed concurrently. With the notifier's
 * maximum concurrency `c` and a rate of `r` message parts per second, the interval is `c / r` seconds,
 * so all instances together stay under `r`.
 */
export interface Sleep {
  (ms: number): Promise<void>;
}

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class SmsPacer {
  private next = 0;

  public constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {}

  /** Resolves when the caller may send. */
  public async turn(): Promise<void> {
    if (this.minIntervalMs <= 0) return;
    const at = Math.max(this.now(), this.next);
    this.next = at + this.minIntervalMs;
    const wait = at - this.now();
    if (wait > 0) await this.sleep(wait);
  }
}

/** The interval between sends of one instance for a rate shared by `concurrency` instances. */
export function smsIntervalMs(messagePartsPerSecond: number, concurrency: number): number {
  return Math.ceil((1000 * concurrency) / messagePartsPerSecond);
}
