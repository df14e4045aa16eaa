/**
 * How fast the notifier may send, and the Lambda settings that follow from it. The configuration
 * names the SMS origination identity and the message parts per second it allows (1 to 100), and the
 * emails per second SES allows the account; the stack derives the notifier's maximum concurrency,
 * batch size and each instance's spacing between sends from those rates (docs/performance.md).
 */

/** What each kind of origination identity allows by default, in message parts per second (for docs and checks). */
export const ORIGINATION_DEFAULT_PARTS_PER_SECOND = {
  'toll-free': 3,
  '10dlc': 4,
  'short-code': 100,
  'long-code': 1,
} as const;

export type OriginationType = keyof typeof ORIGINATION_DEFAULT_PARTS_PER_SECOND;

/** The highest SMS rate the notifier is built for. */
export const MAX_SMS_PARTS_PER_SECOND = 100;

/**
 * Seconds a notice's own work may take besides waiting for its turn: reading the profile, claiming the
 * notice, decrypting the contact, the provider call and recording the outcome. Each instance must
 * finish that within its spacing between sends, or it falls behind its share of the rate.
 */
export const NOTICE_WORK_SECONDS = 0.5;

/** Share of the function timeout a batch may spend waiting for its turns. */
const TIMEOUT_SHARE = 0.8;

export interface BroadcastRates {
  /** SMS message parts per second the origination identity allows (each notice is one part). */
  readonly smsPartsPerSecond: number;
  /** Emails per second SES allows the account. */
  readonly emailsPerSecond: number;
}

export interface NotifierThroughput {
  /** Most notifier instances the queue drives at once. */
  readonly maxConcurrency: number;
  /** Notice requests per invocation. */
  readonly batchSize: number;
  /** Milliseconds between two SMS of one instance. */
  readonly smsIntervalMs: number;
  /** Milliseconds between two emails of one instance. */
  readonly emailIntervalMs: number;
}

/**
 * The notifier's settings for the configured rates. Instances share each rate equally: with `c`
 * instances, each sends an SMS every `c / smsRate` seconds. `c` is the least (2 at the least, SQS's
 * minimum) that leaves each instance {@link NOTICE_WORK_SECONDS} per send of the faster channel, so
 * `c` instances together reach the rate. A batch holds as many requests as can wait their turns on
 * both channels within 80% of the timeout (at most 10).
 */
export function notifierThroughput(rates: BroadcastRates, timeoutSeconds: number): NotifierThroughput {
  const fastest = Math.max(rates.smsPartsPerSecond, rates.emailsPerSecond);
  const maxConcurrency = Math.max(2, Math.ceil(fastest * NOTICE_WORK_SECONDS));
  const smsIntervalMs = Math.ceil((1000 * maxConcurrency) / rates.smsPartsPerSecond);
  const emailIntervalMs = Math.ceil((1000 * maxConcurrency) / rates.emailsPerSecond);
  const perRequest = (smsIntervalMs + emailIntervalMs) / 1000;
  const batchSize = Math.max(1, Math.min(10, Math.floor((timeoutSeconds * TIMEOUT_SHARE - NOTICE_WORK_SECONDS) / perRequest)));
  return { maxConcurrency, batchSize, smsIntervalMs, emailIntervalMs };
}

/** Seconds a broadcast to `recipients` takes at `perSecond`: the floor the rate sets. */
export function broadcastSeconds(recipients: number, perSecond: number): number {
  return recipients / perSecond;
}
