/**
 * The ILS webhook's request signature: HMAC-SHA256 over `<timestamp>.<raw body>` with a shared
 * secret, sent as `X-Bookdrop-Signature: v1=<hex>` beside `X-Bookdrop-Timestamp: <unix seconds>`.
 * A request is accepted only if its timestamp is within the tolerance of now and its signature
 * matches the current secret or, during a rotation, the previous one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the signature. */
export const SIGNATURE_HEADER = 'x-bookdrop-signature';
/** Header carrying the signing time in Unix seconds. */
export const TIMESTAMP_HEADER = 'x-bookdrop-timestamp';
/** How far a request's timestamp may be from now, either way, in seconds. @default 300 */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The webhook secrets: the current one and, while a rotation is under way, the previous one. */
export interface WebhookSecrets {
  readonly current: string;
  readonly previous?: string;
}

/** Why a request's signature was refused. Never echoes a header value. */
export type SignatureRefusal =
  | 'missing-signature'
  | 'missing-timestamp'
  | 'malformed-timestamp'
  | 'stale'
  | 'malformed-signature'
  | 'bad-signature';

/** The outcome of {@link verifySignature}. */
export type SignatureCheck =
  | { readonly ok: true; readonly signature: string; readonly timestamp: number }
  | { readonly ok: false; readonly refusal: SignatureRefusal };

/** The hex HMAC-SHA256 of `<timestamp>.<body>`. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The two headers an ILS sends with `body`. For ILS integrators and tests.
 * @example signRequest(secret, JSON.stringify({ entries }), Math.floor(Date.now() / 1000))
 */
export function signRequest(secret: string, body: string, timestamp: number): Record<string, string> {
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: `v1=${signatureOf(secret, timestamp, body)}` };
}

const HEX_SIGNATURE = /^v1=([0-9a-f]{64})$/;

/** Checks the signature and freshness of one request. Header names must be lower case. */
export function verifySignature(
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  secrets: WebhookSecrets,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): SignatureCheck {
  const signatureHeader = headers[SIGNATURE_HEADER];
  const timestampHeader = headers[TIMESTAMP_HEADER];
  if (!signatureHeader) return { ok: false, refusal: 'missing-signature' };
  if (!timestampHeader) return { ok: false, refusal: 'missing-timestamp' };
  if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, refusal: 'malformed-timestamp' };
  const timestamp = Number(timestampHeader);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return { ok: false, refusal: 'stale' };
  const match = HEX_SIGNATURE.exec(signatureHeader);
  if (!match?.[1]) return { ok: false, refusal: 'malformed-signature' };
  const given = Buffer.from(match[1], 'hex');
  const candidates = [secrets.current, secrets.previous].filter((secret): secret is string => Boolean(secret));
  const valid = candidates.some((secret) => timingSafeEqual(given, Buffer.from(signatureOf(secret, timestamp, body), 'hex')));
  return valid ? { ok: true, signature: match[1], timestamp } : { ok: false, refusal: 'bad-signature' };
}
