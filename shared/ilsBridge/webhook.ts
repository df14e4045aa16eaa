/**
 * The signed ILS webhook: for an ILS or middleware that can send HTTPS requests but cannot sign AWS
 * requests. A `POST` carries a batch of contract v1 events (`{ "entries": [{ "detail-type", "detail" }] }`,
 * one to ten, as PutEvents entries); it is accepted only with a valid, fresh, never-seen signature.
 * Each event is validated exactly as the circulation consumer validates it on the bus, valid ones are
 * put on the bus, and the answer lists one result per event in PutEvents' shape.
 *
 * Nothing from the body reaches a log line: only counts, refusal reasons and field/rule issues.
 */
import type { Clock } from '#shared/clock.ts';
import { EventValidationError } from '#shared/errors.ts';
import type { CirculationEvent } from '#shared/events/contract.ts';
import { parseCirculationEvent } from '#shared/events/parseEvent.ts';
import type { BookdropLogger, BookdropMetrics } from '#shared/observability.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CirculationPublisher, PublishResult } from '#shared/ilsBridge/circulationPublisher.ts';
import { PUT_EVENTS_LIMIT } from '#shared/ilsBridge/circulationPublisher.ts';
import type { ReplayGuard } from '#shared/ilsBridge/replayGuard.ts';
import {
  DEFAULT_TOLERANCE_SECONDS,
  verifySignature,
  type SignatureRefusal,
  type WebhookSecrets,
} from '#shared/ilsBridge/webhookSignature.ts';

/** Largest accepted body, as PutEvents' request limit. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/** An HTTP request as the webhook sees it: header names in lower case, the raw body. */
export interface WebhookRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface WebhookResponse {
  readonly status: number;
  readonly body:
    | { readonly FailedEntryCount: number; readonly Entries: PublishResult[] }
    | { readonly __type: string; readonly message: string };
}

export interface IlsWebhookDeps {
  /** The current (and during a rotation, previous) secret; cached by the caller. */
  readonly secrets: () => Promise<WebhookSecrets>;
  readonly replay: ReplayGuard;
  readonly publisher: CirculationPublisher;
  readonly clock: Clock;
  /**
   * The clock request timestamps are checked against. The sandbox checks them against the real time,
   * as AWS does, while its own clock may have been moved ahead. @default clock
   */
  readonly signatureClock?: Clock;
  /** The circulation `source` the events are validated and published with. */
  readonly source: string;
  readonly logger: BookdropLogger;
  readonly metrics: BookdropMetrics;
  /** @default 300 seconds */
  readonly toleranceSeconds?: number;
}

const REFUSALS: Record<SignatureRefusal, string> = {
  'missing-signature': 'the X-Bookdrop-Signature header is missing',
  'missing-timestamp': 'the X-Bookdrop-Timestamp header is missing',
  'malformed-timestamp': 'the X-Bookdrop-Timestamp header must be Unix seconds',
  stale: 'the request timestamp is too far from now: sign each request when sending it (check the sender clock)',
  'malformed-signature': 'the X-Bookdrop-Signature header must be v1=<64 hex digits>',
  'bad-signature': 'the signature does not match: sign "<timestamp>.<raw body>" with HMAC-SHA256 and the current secret',
};

const refuse = (status: number, type: string, message: string): WebhookResponse => ({ status, body: { __type: type, message } });

export class IlsWebhook {
  public constructor(private readonly deps: IlsWebhookDeps) {}

  public async handle(request: WebhookRequest): Promise<WebhookResponse> {
    const { deps } = this;
    if (request.method !== 'POST') return refuse(405, 'MethodNotAllowed', 'only POST is accepted');
    if (Buffer.byteLength(request.body) > MAX_WEBHOOK_BODY_BYTES) return refuse(413, 'PayloadTooLarge', 'the body is larger than 256 KB');
    const tolerance = deps.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    const check = verifySignature(
      request.headers,
      request.body,
      await deps.secrets(),
      (deps.signatureClock ?? deps.clock).now(),
      tolerance,
    );
    if (!check.ok) {
      deps.metrics.addMetric('ils-webhook-refused', MetricUnit.Count, 1);
      deps.logger.warn('ILS webhook request refused', { refusal: check.refusal });
      return refuse(401, 'Unauthorized', REFUSALS[check.refusal]);
    }
    const entries = parseEntries(request.body);
    if (typeof entries === 'string') return refuse(400, 'ValidationException', entries);
    // Only after the signature: nobody without the secret can write to the replay log.
    // Remembered while the timestamp is fresh, on the clock that expires the item too (they differ in the sandbox).
    const rememberFrom = Math.max(check.timestamp, Math.floor(deps.clock.now().getTime() / 1000));
    if (!(await deps.replay.firstUse(check.signature, rememberFrom + tolerance + 60))) {
      deps.metrics.addMetric('ils-webhook-replayed', MetricUnit.Count, 1);
      deps.logger.warn('ILS webhook request replayed', { refusal: 'replayed' });
      return refuse(
        409,
        'Replayed',
        'this signed request was already received: send each request once, with a new timestamp and signature',
      );
    }

    const results: (PublishResult | undefined)[] = [];
    const valid: { index: number; event: CirculationEvent }[] = [];
    entries.forEach((entry, index) => {
      try {
        valid.push({
          index,
          event: parseCirculationEvent({ source: deps.source, 'detail-type': entry['detail-type'], detail: entry.detail }),
        });
        results.push(undefined);
      } catch (error) {
        if (!(error instanceof EventValidationError)) throw error;
        results.push({ ErrorCode: 'InvalidArgument', ErrorMessage: error.message });
      }
    });
    const published = valid.length > 0 ? await deps.publisher.publish(valid.map((item) => item.event)) : [];
    valid.forEach((item, position) => {
      results[item.index] = published[position];
    });
    const Entries = results.map((result) => result ?? { ErrorCode: 'InternalFailure', ErrorMessage: 'no result' });
    const FailedEntryCount = Entries.filter((entry) => 'ErrorCode' in entry).length;
    deps.metrics.addMetric('ils-webhook-events', MetricUnit.Count, Entries.length - FailedEntryCount);
    if (FailedEntryCount > 0) deps.metrics.addMetric('ils-webhook-events-failed', MetricUnit.Count, FailedEntryCount);
    deps.logger.info('ILS webhook batch', { entries: Entries.length, failed: FailedEntryCount });
    return { status: 200, body: { FailedEntryCount, Entries } };
  }
}

interface RawEntry {
  readonly 'detail-type': unknown;
  readonly detail: unknown;
}

/** The batch's entries, or a sentence saying what is wrong with its shape (never a value). */
function parseEntries(body: string): RawEntry[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'the body must be JSON: { "entries": [{ "detail-type": ..., "detail": { ... } }] }';
  }
  const entries = (parsed as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > PUT_EVENTS_LIMIT) {
    return `body.entries must be an array of 1 to ${PUT_EVENTS_LIMIT} events`;
  }
  const index = entries.findIndex((entry) => typeof entry !== 'object' || entry === null || Array.isArray(entry));
  if (index >= 0) return `body.entries.${index} must be an object with "detail-type" and "detail"`;
  return entries as RawEntry[];
}
