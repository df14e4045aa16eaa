/**
 * How long the stack keeps copies of data outside the table: queue messages, dead letters, function
 * logs and point-in-time-recovery backups. The constructs and the privacy chart both read these
 * figures, so the chart cannot disagree with what is deployed.
 */
export const STORAGE_PERIODS = {
  /** Messages waiting in a function's input queue. */
  queueDays: 4,
  /** Messages in a dead-letter queue, kept for an operator to inspect and redrive. */
  deadLetterQueueDays: 14,
  /** Each function's CloudWatch log group (a value CloudWatch accepts: 30 is one month). */
  logDays: 30,
  /** DynamoDB point-in-time recovery: continuous backups of the table, restorable to any second. */
  pointInTimeRecoveryDays: 35,
  /** DynamoDB Streams keeps every change of the table for 24 hours (fixed by AWS). */
  tableStreamHours: 24,
} as const;
