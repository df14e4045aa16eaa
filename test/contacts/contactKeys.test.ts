/**
 * Contact data keys: the contacts sealed together share one data key, so decrypting both unwraps it
 * once (one KMS call in AWS); the reuse is bounded (two messages, about a second, one patron); the
 * channel is bound inside the plaintext and the patron in the context; ciphertexts of the first format
 * (channel in the context) still decrypt. Raw AES keyring locally; the KMS keyring against a mocked
 * KMS to count its calls. Time is the Date clock, set by the test (the Encryption SDK's caches read it).
 */
import { randomBytes } from 'node:crypto';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import { KmsKeyringNode } from '@aws-crypto/kms-keyring-node';
import { DecryptCommand, GenerateDataKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CountingKeyring } from '#bench/keyringCalls.ts';
import { COMMITMENT, SUITE } from '#shared/contacts/contactContext.ts';
import { ContactDecryptionError, EsdkContactDecrypter } from '#shared/contacts/contactDecryption.ts';
import { EsdkContactEncrypter } from '#shared/contacts/contactEncryption.ts';
import { localContactKeyring } from '#shared/contacts/contactKeyring.ts';

const PHONE = '+15555550123';
const EMAIL = 'reader@example.org';
const sms = (patronId: string) => ({ patronId, channel: 'sms' as const });
const email = (patronId: string) => ({ patronId, channel: 'email' as const });

describe('Contact data keys (raw AES keyring)', () => {
  let keyring: CountingKeyring;
  let encrypter: EsdkContactEncrypter;
  let decrypter: EsdkContactDecrypter;
  const key = randomBytes(32);

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-04T17:00:00.000Z'));
    keyring = new CountingKeyring(localContactKeyring(key));
    encrypter = new EsdkContactEncrypter(keyring);
    decrypter = new EsdkContactDecrypter(keyring);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('seals both channels of a registration under one data key, and decrypting both at once unwraps it once', async () => {
    const phoneCipher = await encrypter.encrypt(PHONE, sms('P-1'));
    const emailCipher = await encrypter.encrypt(EMAIL, email('P-1'));
    expect(keyring.generated).toBe(1);
    expect(phoneCipher).not.toBe(emailCipher);

    const [phone, address] = await Promise.all([decrypter.decrypt(phoneCipher, sms('P-1')), decrypter.decrypt(emailCipher, email('P-1'))]);
    expect([phone, address]).toEqual([PHONE, EMAIL]);
    expect(keyring.unwrapped).toBe(1);
  });

  it('decrypts contacts sealed separately (two data keys, two unwraps)', async () => {
    const phoneCipher = await encrypter.encrypt(PHONE, sms('P-1'));
    const emailCipher = await new EsdkContactEncrypter(keyring).encrypt(EMAIL, email('P-1'));
    expect(keyring.generated).toBe(2);

    const both = await Promise.all([decrypter.decrypt(phoneCipher, sms('P-1')), decrypter.decrypt(emailCipher, email('P-1'))]);
    expect(both).toEqual([PHONE, EMAIL]);
    expect(keyring.unwrapped).toBe(2);
  });

  it('uses one data key for at most two contacts, for one patron only', async () => {
    await encrypter.encrypt(PHONE, sms('P-1'));
    await encrypter.encrypt(EMAIL, email('P-1'));
    await encrypter.encrypt('+15555550199', sms('P-1'));
    expect(keyring.generated).toBe(2);

    await encrypter.encrypt(PHONE, sms('P-2'));
    expect(keyring.generated).toBe(3);
  });

  it('uses one data key for about a second: a contact sealed 1.1 s after the first gets a new one', async () => {
    await encrypter.encrypt(PHONE, sms('P-1'));
    vi.setSystemTime(new Date('2026-11-04T17:00:00.900Z'));
    await encrypter.encrypt(EMAIL, email('P-1'));
    expect(keyring.generated).toBe(1);

    await encrypter.encrypt(PHONE, sms('P-3'));
    vi.setSystemTime(new Date('2026-11-04T17:00:02.000Z'));
    await encrypter.encrypt(EMAIL, email('P-3'));
    expect(keyring.generated).toBe(3);
  });

  it('keeps an unwrapped data key for about a second: within it no second unwrap, after it one', async () => {
    const phoneCipher = await encrypter.encrypt(PHONE, sms('P-1'));
    const emailCipher = await encrypter.encrypt(EMAIL, email('P-1'));

    await decrypter.decrypt(phoneCipher, sms('P-1'));
    vi.setSystemTime(new Date('2026-11-04T17:00:00.900Z'));
    await decrypter.decrypt(emailCipher, email('P-1'));
    expect(keyring.unwrapped).toBe(1);

    vi.setSystemTime(new Date('2026-11-04T17:00:02.000Z'));
    expect(await decrypter.decrypt(phoneCipher, sms('P-1'))).toBe(PHONE);
    expect(keyring.unwrapped).toBe(2);
  });

  it('refuses a ciphertext read as another channel or another patron, with the same clear error, naming no contact', async () => {
    const phoneCipher = await encrypter.encrypt(PHONE, sms('P-1'));
    const emailCipher = await encrypter.encrypt(EMAIL, email('P-1'));

    // The two share a data key and a context: only the channel inside the plaintext tells them apart.
    const asEmail = decrypter.decrypt(phoneCipher, email('P-1'));
    await expect(asEmail).rejects.toThrow(ContactDecryptionError);
    await expect(asEmail).rejects.toThrow('contact ciphertext is bound to another patron or channel');
    await expect(decrypter.decrypt(emailCipher, sms('P-1'))).rejects.toThrow('contact ciphertext is bound to another patron or channel');
    const otherPatron = await decrypter.decrypt(emailCipher, email('P-2')).catch((error: unknown) => error);
    expect(otherPatron).toBeInstanceOf(ContactDecryptionError);
    expect((otherPatron as ContactDecryptionError).message).toBe('contact ciphertext is bound to another patron or channel');
    expect(JSON.stringify((otherPatron as ContactDecryptionError).context)).not.toContain(EMAIL);
  });

  describe('the first format (channel in the encryption context, the contact alone in the plaintext)', () => {
    const sealFirstFormat = async (contact: string, binding: { patronId: string; channel: string }) => {
      const { result } = await buildEncrypt(COMMITMENT).encrypt(localContactKeyring(key), contact, {
        encryptionContext: { purpose: 'bookdrop-contact', patronId: binding.patronId, channel: binding.channel },
        suiteId: SUITE,
      });
      return result.toString('base64');
    };

    it('still decrypts', async () => {
      const cipher = await sealFirstFormat(PHONE, sms('P-1'));
      expect(await decrypter.decrypt(cipher, sms('P-1'))).toBe(PHONE);
      // A contact whose text starts like a format-2 channel prefix is still read whole.
      const tricky = await sealFirstFormat('email\nreader@example.org', email('P-1'));
      expect(await decrypter.decrypt(tricky, email('P-1'))).toBe('email\nreader@example.org');
    });

    it('still refuses another channel or patron', async () => {
      const cipher = await sealFirstFormat(EMAIL, email('P-1'));
      await expect(decrypter.decrypt(cipher, sms('P-1'))).rejects.toThrow('contact ciphertext is bound to another patron or channel');
      await expect(decrypter.decrypt(cipher, email('P-2'))).rejects.toThrow('contact ciphertext is bound to another patron or channel');
    });
  });

  it('refuses a ciphertext of an unknown later format instead of guessing', async () => {
    const { result } = await buildEncrypt(COMMITMENT).encrypt(localContactKeyring(key), `sms\n${PHONE}`, {
      encryptionContext: { purpose: 'bookdrop-contact', patronId: 'P-1', format: '3' },
      suiteId: SUITE,
    });
    await expect(decrypter.decrypt(result.toString('base64'), sms('P-1'))).rejects.toThrow('contact ciphertext has an unknown format');
  });
});

describe('Contact data keys (KMS keyring, KMS mocked)', () => {
  const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001';
  const kms = mockClient(KMSClient);
  const dataKeys = new Map<string, Buffer>();

  beforeEach(() => {
    kms.reset();
    dataKeys.clear();
    kms.on(GenerateDataKeyCommand).callsFake(() => {
      const plaintext = randomBytes(32);
      const blob = randomBytes(48);
      dataKeys.set(blob.toString('base64'), plaintext);
      // Copies: the Encryption SDK zeroes the data key it was given once it is done with it.
      return { KeyId: KEY_ARN, Plaintext: Uint8Array.from(plaintext), CiphertextBlob: Uint8Array.from(blob) };
    });
    kms.on(DecryptCommand).callsFake(unwrap);
  });

  function unwrap(input: { CiphertextBlob?: Uint8Array }) {
    const plaintext = dataKeys.get(Buffer.from(input.CiphertextBlob ?? []).toString('base64'));
    if (!plaintext) throw new Error('unknown ciphertext blob');
    return { KeyId: KEY_ARN, Plaintext: Uint8Array.from(plaintext) };
  }

  const kmsKeyring = () => new KmsKeyringNode({ generatorKeyId: KEY_ARN, clientProvider: () => new KMS({ region: 'us-east-1' }) });

  it('costs one GenerateDataKey per registration and one Decrypt per notice with both channels', async () => {
    const encrypter = new EsdkContactEncrypter(kmsKeyring());
    const phoneCipher = await encrypter.encrypt(PHONE, sms('P-1'));
    const emailCipher = await encrypter.encrypt(EMAIL, email('P-1'));
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]?.args[0].input.EncryptionContext).toEqual({
      purpose: 'bookdrop-contact',
      patronId: 'P-1',
      format: '2',
    });

    const decrypter = new EsdkContactDecrypter(kmsKeyring());
    const both = await Promise.all([decrypter.decrypt(phoneCipher, sms('P-1')), decrypter.decrypt(emailCipher, email('P-1'))]);
    expect(both).toEqual([PHONE, EMAIL]);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(1);
    // The key policy's condition on `purpose` still applies to every call.
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input.EncryptionContext).toMatchObject({ purpose: 'bookdrop-contact' });
  });

  it('costs one Decrypt per contact when the contacts were sealed apart', async () => {
    const phoneCipher = await new EsdkContactEncrypter(kmsKeyring()).encrypt(PHONE, sms('P-1'));
    const emailCipher = await new EsdkContactEncrypter(kmsKeyring()).encrypt(EMAIL, email('P-1'));
    const decrypter = new EsdkContactDecrypter(kmsKeyring());
    await Promise.all([decrypter.decrypt(phoneCipher, sms('P-1')), decrypter.decrypt(emailCipher, email('P-1'))]);
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(2);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(2);
  });

  it('fails only the decryption whose unwrap failed: the one waiting for it asks KMS itself', async () => {
    const encrypter = new EsdkContactEncrypter(kmsKeyring());
    const phoneCipher = await encrypter.encrypt(PHONE, sms('P-1'));
    const emailCipher = await encrypter.encrypt(EMAIL, email('P-1'));
    const decrypter = new EsdkContactDecrypter(kmsKeyring());
    kms.on(DecryptCommand).rejectsOnce(new Error('ThrottlingException')).callsFake(unwrap);
    const results = await Promise.allSettled([decrypter.decrypt(phoneCipher, sms('P-1')), decrypter.decrypt(emailCipher, email('P-1'))]);
    // The first fails with KMS; the second waited for it, found no cached key, and asked KMS itself.
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(2);
  });
});
