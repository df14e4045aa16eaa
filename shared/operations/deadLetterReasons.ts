/**
 * Why a dead letter is dead, in words an operator can act on, without ever showing its content (a
 * dead letter may hold a phone number, an email address or a title). Used by `npm run redrive --
 * <queue> --dry-run`. SQS does not record why a consumer failed a message, so the reason is
 * rebuilt: EventBridge's own delivery error attributes, the event contract check the consumer runs
 * (which names fields and rules, never values), the SES feedback check, or the shape of the message.
 */
import { EventValidationError } from '#shared/errors.ts';
import { parseCirculationEvent } from '#shared/events/parseEvent.ts';
import type { CirculationEvent } from '#shared/events/contract.ts';
import { aheadOfClock } from '#shared/events/eventTime.ts';
import { parseSesFeedback } from '#shared/feedback/emailFeedback.ts';

/** A dead letter as SQS returns it (only what the classifier reads). */
export interface DeadLetterMessage {
  readonly body: string;
  /** SQS message attributes as strings, e.g. EventBridge's `ERROR_CODE`. */
  readonly messageAttributes?: Readonly<Record<string, string | undefined>>;
  readonly receiveCount?: number;
}

/** The reason and a safe label for the kind of message (a detail-type, a notice kind). */
export interface DeadLetterReason {
  readonly kind: string;
  readonly reason: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Classifies one dead letter; never includes a value from the message body in the result. `now`: the
 * time the consumer compares a patron event's date with (a sandbox's clock may be ahead of the real one).
 */
export function deadLetterReason(message: DeadLetterMessage, now: Date = new Date()): DeadLetterReason {
  const errorCode = message.messageAttributes?.ERROR_CODE;
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return { kind: 'not JSON', reason: 'the body is not JSON: no Bookdrop consumer can read it (drop it after checking its sender)' };
  }
  if (!isObject(body)) return { kind: 'not an object', reason: 'the body is not a JSON object' };
  if (errorCode) {
    return { kind: String(body['detail-type'] ?? 'event'), reason: `EventBridge could not deliver it to the queue (${errorCode})` };
  }
  if (typeof body['detail-type'] === 'string' && 'detail' in body) {
    const kind = body['detail-type'];
    let event: CirculationEvent;
    try {
      event = parseCirculationEvent(body);
    } catch (error) {
      if (error instanceof EventValidationError) return { kind, reason: `${error.message} (fix the producer; redriving fails again)` };
      return { kind, reason: 'the event could not be checked against the contract' };
    }
    const ahead = aheadOfClock(event, now);
    if (ahead) return { kind, reason: `${ahead.field} ${ahead.rule}: a redrive applies it once that time has passed` };
    return { kind, reason: 'valid event that the consumer failed: see the function logs for its message id, fix, then redrive' };
  }
  if (typeof body.eventType === 'string' && isObject(body.mail)) {
    const kind = `SES ${body.eventType}`;
    try {
      parseSesFeedback(message.body);
    } catch (error) {
      if (error instanceof EventValidationError) return { kind, reason: `${error.message} (not as SES publishes it: check its sender)` };
      return { kind, reason: 'the SES event could not be checked' };
    }
    return { kind, reason: 'SES feedback that email-feedback failed: see its logs for the message id, fix, then redrive' };
  }
  if (body.Type === 'Notification' && typeof body.TopicArn === 'string') {
    return {
      kind: `SNS notification (${body.TopicArn.split(':').pop() ?? 'topic'})`,
      reason: 'SNS could not deliver it, or its consumer failed it: see the function logs',
    };
  }
  if (isObject(body.requestContext) && (isObject(body.DDBStreamBatchInfo) || isObject(body.KinesisBatchInfo))) {
    const condition = String(body.requestContext.condition ?? 'failure');
    return {
      kind: 'stream batch',
      reason: `stream records the consumer failed (${condition}): not redrivable, replay from the stream position it names (docs/operations.md)`,
    };
  }
  if (typeof body.kind === 'string' && typeof body.patronId === 'string') {
    return {
      kind: `notice ${body.kind}`,
      reason: 'a notice request the notifier failed: see the notifier logs for its message id, fix, then redrive',
    };
  }
  if ('sweepStart' in body || 'fanOut' in body || 'sweep' in body) {
    return { kind: 'scheduled job page', reason: 'a sweep or fan-out page the notifier failed: see the notifier logs, fix, then redrive' };
  }
  return { kind: 'unknown message', reason: 'not a message Bookdrop produces or consumes: check its sender' };
}

/** Counts by kind and reason, most frequent first. */
export function summarizeDeadLetters(
  messages: readonly DeadLetterMessage[],
  now: Date = new Date(),
): { kind: string; reason: string; count: number }[] {
  const counts = new Map<string, { kind: string; reason: string; count: number }>();
  for (const message of messages) {
    const { kind, reason } = deadLetterReason(message, now);
    const key = `${kind}\u0000${reason}`;
    const entry = counts.get(key) ?? { kind, reason, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
}
