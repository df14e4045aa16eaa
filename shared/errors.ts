/**
 * Bookdrop's error hierarchy. Every error carries a stable `name`, an optional `cause`, and only
 * context that is safe to log: identifiers and field paths, never a phone number, an email address,
 * a name or a title.
 */

/** Safe, structured context attached to an error (identifiers and field paths only). */
export type SafeContext = Record<string, string | number | boolean | undefined>;

export class BookdropError extends Error {
  public readonly context: SafeContext;
  public constructor(message: string, options: { cause?: unknown; context?: SafeContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Each subclass spells its name out (a field, set after this constructor): minified bundles rename classes.
    this.name = 'BookdropError';
    this.context = options.context ?? {};
  }
}

/** One problem found in an inbound payload: where it is and which rule it breaks. */
export interface FieldIssue {
  /** Dotted path from the payload root, e.g. `detail.contact.phone`. */
  readonly field: string;
  /** The rule the field breaks, e.g. `must be an E.164 phone number`. Never the value. */
  readonly rule: string;
}

/**
 * An inbound event or message does not satisfy its contract. Not retryable: the record goes to the
 * dead-letter queue with this message, which names each field and rule and never a value.
 */
export class EventValidationError extends BookdropError {
  public override readonly name = 'EventValidationError';
  public readonly issues: readonly FieldIssue[];
  public constructor(issues: readonly FieldIssue[], context: SafeContext = {}) {
    super(`invalid event: ${issues.map((issue) => `${issue.field} ${issue.rule}`).join('; ')}`, { context });
    this.issues = issues;
  }
}

/** Configuration or environment is missing or wrong; raised once, at cold start. */
export class ConfigurationError extends BookdropError {
  /** Spelled out: bundles are minified, and the name is what logs and dead-letter reasons show. */
  public override readonly name = 'ConfigurationError';
}

/** A conditional write lost a race with a concurrent writer; the caller re-reads and retries. */
export class ConcurrentUpdateError extends BookdropError {
  /** Spelled out: bundles are minified, and the name is what logs and dead-letter reasons show. */
  public override readonly name = 'ConcurrentUpdateError';
}

/**
 * A downstream provider (SNS, SES, EventBridge) failed in a way that may succeed later
 * (throttling, 5xx). The queue's retry with backoff handles it.
 */
export class RetryableDeliveryError extends BookdropError {
  /** Spelled out: bundles are minified, and the name is what logs and dead-letter reasons show. */
  public override readonly name = 'RetryableDeliveryError';
}

/**
 * A notice cannot be written as the SMS rules require: its template cannot fit one GSM-7 segment, or
 * a text it must carry has nothing left once mapped onto GSM-7. Not retryable (a defect or bad data).
 */
export class NoticeTextError extends BookdropError {
  /** Spelled out: bundles are minified, and the name is what logs and dead-letter reasons show. */
  public override readonly name = 'NoticeTextError';
}

/**
 * A patron import file cannot be read as its mapping describes (encoding, delimiter, header, quotes).
 * Nothing is written; the message says where and what to change, never a value from the file.
 */
export class ImportFileError extends BookdropError {
  /** Spelled out: bundles are minified, and the name is what logs and dead-letter reasons show. */
  public override readonly name = 'ImportFileError';
}
