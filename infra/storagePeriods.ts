/**
 * How long the stack keeps copies of data outside the table that the configuration does not set:
 * queue messages, function logs, the table stream (dead letters and point-in-time recovery come from
 * `retention.deadLetterDays` and `retention.pointInTimeRecoveryDays`). The constructs and the privacy chart both read these
 * figures, so the chart cannot disagree with what is deployed.
 */
export const STORAGE_PERIODS = {
  /** Messages waiting in a function's input queue. */
  queueDays: 4,
  /** Each function's CloudWatch log group (a value CloudWatch accepts: 30 is one month). */
  logDays: 30,
  /** DynamoDB Streams keeps every change of the table for 24 hours (fixed by AWS). */
  tableStreamHours: 24,
} as const;
