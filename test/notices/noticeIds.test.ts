/**
 * Notice ids: deterministic per (patron, notice key), so dedupe and feedback lookups hold; keyed, so
 * nobody without the key can compute the id SES feedback would refer to.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { KeyedNoticeIds, NOTICE_ID_LABEL, kmsKeyDerivation, localKeyDerivation } from '#shared/notices/noticeIds.ts';

const patronId = 'P-1001';
const noticeKey = 'hold-ready#H-77#1#sms';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/notice-ids';

describe('Class: KeyedNoticeIds', () => {
  it('gives the same notice the same id every time, and another notice another id', async () => {
    const secret = randomBytes(32);
    const ids = new KeyedNoticeIds(localKeyDerivation(secret));
    const again = new KeyedNoticeIds(localKeyDerivation(secret));
    const id = await ids.idOf(patronId, noticeKey);
    expect(id).toMatch(/^[\w-]{26}$/);
    expect(await again.idOf(patronId, noticeKey)).toBe(id);
    expect(await ids.idOf(patronId, 'hold-ready#H-77#1#email')).not.toBe(id);
    expect(await ids.idOf('P-1002', noticeKey)).not.toBe(id);
  });

  it('cannot be computed from the patron id and notice key alone', async () => {
    const id = await new KeyedNoticeIds(localKeyDerivation(randomBytes(32))).idOf(patronId, noticeKey);
    const plainHash = createHash('sha256').update(`${patronId}#${noticeKey}`).digest('base64url').slice(0, 26);
    expect(id).not.toBe(plainHash);
    expect(await new KeyedNoticeIds(localKeyDerivation(randomBytes(32))).idOf(patronId, noticeKey)).not.toBe(id);
  });

  it('derives its key from the secret under its own label, never a phone number, so it never equals a blind-index value', async () => {
    const secret = randomBytes(32);
    const derived = createHmac('sha256', secret).update(NOTICE_ID_LABEL).digest();
    const expected = createHmac('sha256', derived).update(`${patronId}#${noticeKey}`).digest('base64url').slice(0, 26);
    expect(await new KeyedNoticeIds(localKeyDerivation(secret)).idOf(patronId, noticeKey)).toBe(expected);
  });
});

describe('Function: kmsKeyDerivation', () => {
  it('asks KMS for one MAC of the label per process, and tries again after a failure', async () => {
    const kms = mockClient(KMSClient);
    kms
      .on(GenerateMacCommand)
      .rejectsOnce(new Error('ThrottlingException'))
      .resolves({ Mac: new Uint8Array(32).fill(7) });
    const ids = new KeyedNoticeIds(kmsKeyDerivation(new KMSClient({}), KEY_ARN));

    await expect(ids.idOf(patronId, noticeKey)).rejects.toThrow('ThrottlingException');
    const first = await ids.idOf(patronId, noticeKey);
    const second = await ids.idOf('P-1002', noticeKey);

    expect(second).not.toBe(first);
    const calls = kms.commandCalls(GenerateMacCommand);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.args[0].input).toMatchObject({ KeyId: KEY_ARN, MacAlgorithm: 'HMAC_SHA_256' });
      expect(Buffer.from(call.args[0].input.Message as Uint8Array).toString('utf8')).toBe(NOTICE_ID_LABEL);
    }
    expect(first).toBe(createHmac('sha256', Buffer.alloc(32, 7)).update(`${patronId}#${noticeKey}`).digest('base64url').slice(0, 26));
    kms.restore();
  });

  it('fails clearly when KMS returns no MAC', async () => {
    const kms = mockClient(KMSClient);
    kms.on(GenerateMacCommand).resolves({});
    await expect(new KeyedNoticeIds(kmsKeyDerivation(new KMSClient({}), 'key')).idOf(patronId, noticeKey)).rejects.toThrow(
      'KMS GenerateMac returned no MAC for the notice-id key',
    );
    kms.restore();
  });
});
