/**
 * The webhook signature: HMAC-SHA256 over `<timestamp>.<body>`, fresh within the tolerance, current
 * or previous secret during a rotation. Pure logic, no emulator.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signRequest, verifySignature, type WebhookSecrets } from '#shared/ilsBridge/webhookSignature.ts';

const secrets: WebhookSecrets = { current: 'c'.repeat(40) };
const now = new Date('2026-11-04T15:00:00Z');
const at = Math.floor(now.getTime() / 1000);
const body = '{"entries":[]}';

describe('Function: verifySignature', () => {
  it('accepts the signature an independent HMAC-SHA256 of "<timestamp>.<body>" gives', () => {
    const hex = createHmac('sha256', secrets.current).update(`${at}.${body}`).digest('hex');

    const check = verifySignature({ 'x-bookdrop-timestamp': String(at), 'x-bookdrop-signature': `v1=${hex}` }, body, secrets, now);

    expect(check).toEqual({ ok: true, signature: hex, timestamp: at });
    expect(signRequest(secrets.current, body, at)).toEqual({ 'x-bookdrop-timestamp': String(at), 'x-bookdrop-signature': `v1=${hex}` });
  });

  it('refuses a body changed after signing, a wrong secret, and a signature over another timestamp', () => {
    const headers = signRequest(secrets.current, body, at);

    expect(verifySignature(headers, `${body} `, secrets, now)).toEqual({ ok: false, refusal: 'bad-signature' });
    expect(verifySignature(signRequest('w'.repeat(40), body, at), body, secrets, now)).toEqual({ ok: false, refusal: 'bad-signature' });
    expect(verifySignature({ ...headers, 'x-bookdrop-timestamp': String(at - 1) }, body, secrets, now)).toEqual({
      ok: false,
      refusal: 'bad-signature',
    });
  });

  it('refuses a request older or newer than the tolerance, and accepts one at its edge', () => {
    expect(verifySignature(signRequest(secrets.current, body, at - 301), body, secrets, now)).toEqual({ ok: false, refusal: 'stale' });
    expect(verifySignature(signRequest(secrets.current, body, at + 301), body, secrets, now)).toEqual({ ok: false, refusal: 'stale' });
    expect(verifySignature(signRequest(secrets.current, body, at - 300), body, secrets, now).ok).toBe(true);
    expect(verifySignature(signRequest(secrets.current, body, at - 60), body, secrets, now, 30)).toEqual({ ok: false, refusal: 'stale' });
  });

  it('accepts the previous secret during a rotation, and not once the rotation is over', () => {
    const old = 'o'.repeat(40);
    const headers = signRequest(old, body, at);

    expect(verifySignature(headers, body, { current: secrets.current, previous: old }, now).ok).toBe(true);
    expect(verifySignature(headers, body, { current: secrets.current }, now)).toEqual({ ok: false, refusal: 'bad-signature' });
  });

  it('names a missing or malformed header', () => {
    const headers = signRequest(secrets.current, body, at);
    const check = (given: Record<string, string | undefined>) => verifySignature(given, body, secrets, now);

    expect(check({ ...headers, 'x-bookdrop-signature': undefined })).toEqual({ ok: false, refusal: 'missing-signature' });
    expect(check({ ...headers, 'x-bookdrop-timestamp': undefined })).toEqual({ ok: false, refusal: 'missing-timestamp' });
    expect(check({ ...headers, 'x-bookdrop-timestamp': '2026-11-04T15:00:00Z' })).toEqual({ ok: false, refusal: 'malformed-timestamp' });
    expect(check({ ...headers, 'x-bookdrop-signature': 'sha256=abc' })).toEqual({ ok: false, refusal: 'malformed-signature' });
  });
});
