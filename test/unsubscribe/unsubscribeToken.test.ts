/**
 * The unsubscribe token: a MAC over patron id, channel and issue day, honoured for a year; every
 * kind of tampering is refused; and the KMS adapter's GenerateMac / VerifyMac calls.
 */
import { randomBytes } from 'node:crypto';
import { GenerateMacCommand, KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { KmsMacKey, LocalMacKey } from '#shared/unsubscribe/macKey.ts';
import { UnsubscribeTokens, unsubscribeUrl } from '#shared/unsubscribe/unsubscribeToken.ts';

const ISSUED = new Date('2026-11-04T15:00:00Z');
const tokens = new UnsubscribeTokens(new LocalMacKey(randomBytes(32)));

/** Rewrites the decoded payload of a token and keeps its MAC. */
function withPayload(token: string, rewrite: (payload: string) => string): string {
  const [payload, mac] = token.split('.');
  return `${Buffer.from(rewrite(Buffer.from(payload!, 'base64url').toString('utf8'))).toString('base64url')}.${mac}`;
}

describe('Class: UnsubscribeTokens', () => {
  describe('Method: issue / check', () => {
    it('round-trips patron, channel and issue day, with a stable token id and nothing else in the token', async () => {
      const token = await tokens.issue('P-1234', 'email', ISSUED);

      const checked = await tokens.check(token, ISSUED);

      expect(checked).toEqual({
        valid: true,
        claims: { patronId: 'P-1234', channel: 'email', issuedOn: '2026-11-04', tokenId: expect.stringMatching(/^unsub-[\w-]{22}$/) },
      });
      expect(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')).toBe('u1|P-1234|email|2026-11-04');
      // One token per patron, channel and day: the same link in every email of that day.
      expect(await tokens.issue('P-1234', 'email', new Date('2026-11-04T23:59:00Z'))).toBe(token);
      expect(await tokens.issue('P-1234', 'email', new Date('2026-11-05T00:00:00Z'))).not.toBe(token);
    });

    it('is honoured until the same day a year later, and expired from then on', async () => {
      const token = await tokens.issue('P-1234', 'email', ISSUED);

      expect((await tokens.check(token, new Date('2027-11-03T23:59:59Z'))).valid).toBe(true);
      expect(await tokens.check(token, new Date('2027-11-04T00:00:00Z'))).toEqual({ valid: false, reason: 'expired' });
    });

    it('refuses another patron, channel or day under the same MAC, and a MAC from another key', async () => {
      const token = await tokens.issue('P-1234', 'email', ISSUED);
      const other = await new UnsubscribeTokens(new LocalMacKey(randomBytes(32))).issue('P-1234', 'email', ISSUED);
      const forgeries = [
        withPayload(token, (payload) => payload.replace('P-1234', 'P-1235')),
        withPayload(token, (payload) => payload.replace('email', 'sms')),
        // An old token made young again.
        withPayload(token, (payload) => payload.replace('2026-11-04', '2027-11-04')),
        `${token.split('.')[0]}.${other.split('.')[1]}`,
        // One character of the MAC changed (not the last: its low bits are padding).
        `${token.slice(0, -10)}${token.at(-10) === 'A' ? 'B' : 'A'}${token.slice(-9)}`,
      ];

      for (const forged of forgeries) expect(await tokens.check(forged, ISSUED), forged).toEqual({ valid: false, reason: 'tampered' });
    });

    it('calls anything that is not a token malformed, without computing a MAC', async () => {
      const token = await tokens.issue('P-1234', 'email', ISSUED);
      const malformed = [
        '',
        'abc',
        token.split('.')[0]!,
        `${token}.x`,
        withPayload(token, (payload) => payload.replace('u1', 'u2')),
        withPayload(token, (payload) => payload.replace('email', 'fax')),
        withPayload(token, (payload) => `${payload}|extra`),
        withPayload(token, (payload) => payload.replace('2026-11-04', 'yesterday')),
        withPayload(token, (payload) => payload.replace('P-1234', 'P 1234')),
      ];
      const refusing = new UnsubscribeTokens({
        generate: () => Promise.reject(new Error('not called')),
        verify: () => Promise.reject(new Error('must not be called for a malformed token')),
      });

      for (const bad of malformed) expect(await refusing.check(bad, ISSUED), bad).toEqual({ valid: false, reason: 'malformed' });
    });
  });

  it('puts the token and the display hints in the link, URL-encoded', () => {
    const url = new URL(unsubscribeUrl('https://example.org/unsubscribe', 'ab-_.cd', 'es', 'riverside'));

    expect(url.origin + url.pathname).toBe('https://example.org/unsubscribe');
    expect(Object.fromEntries(url.searchParams)).toEqual({ token: 'ab-_.cd', lang: 'es', lib: 'riverside' });
    expect(new URL(unsubscribeUrl('https://example.org/unsubscribe', 't', 'en', undefined)).searchParams.has('lib')).toBe(false);
  });
});

describe('Class: KmsMacKey', () => {
  const keyId = 'arn:aws:kms:us-east-1:111122223333:key/unsubscribe';

  it('asks KMS for an HMAC-SHA256 over the message with its own key', async () => {
    const kms = mockClient(KMSClient);
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array([1, 2, 3]) });

    const mac = await new KmsMacKey(kms as unknown as KMSClient, keyId).generate(Buffer.from('u1|P-1|email|2026-11-04'));

    expect([...mac]).toEqual([1, 2, 3]);
    expect(kms.commandCalls(GenerateMacCommand)[0]?.args[0].input).toEqual({
      KeyId: keyId,
      MacAlgorithm: 'HMAC_SHA_256',
      Message: Buffer.from('u1|P-1|email|2026-11-04'),
    });
  });

  it('answers true for a valid MAC, false when KMS says the MAC is invalid, and rethrows anything else', async () => {
    const kms = mockClient(KMSClient);
    const key = new KmsMacKey(kms as unknown as KMSClient, keyId);
    const invalid = Object.assign(new Error('invalid mac'), { name: 'KMSInvalidMacException' });
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    kms.on(VerifyMacCommand).resolvesOnce({ MacValid: true }).rejectsOnce(invalid).rejectsOnce(throttled).resolves({ MacValid: true });

    expect(await key.verify(Buffer.from('m'), Buffer.from('mac'))).toBe(true);
    expect(await key.verify(Buffer.from('m'), Buffer.from('bad'))).toBe(false);
    await expect(key.verify(Buffer.from('m'), Buffer.from('mac'))).rejects.toThrow('slow down');
    expect(kms.commandCalls(VerifyMacCommand)[0]?.args[0].input).toEqual({
      KeyId: keyId,
      MacAlgorithm: 'HMAC_SHA_256',
      Message: Buffer.from('m'),
      Mac: Buffer.from('mac'),
    });
  });
});
