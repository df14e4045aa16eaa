/**
 * The encrypter loaded on first use (circulation): the key variables are checked at start, the real
 * encrypter is built once, by the first contact, and a failed load is tried again by the next contact.
 */
import { describe, expect, it } from 'vitest';
import { LazyContactEncrypter, lazyContactEncrypterFromEnv } from '#shared/contacts/lazyContactEncryption.ts';
import { ConfigurationError } from '#shared/errors.ts';

const sms = { patronId: 'P-1', channel: 'sms' } as const;

describe('LazyContactEncrypter', () => {
  it('fails at start when the key variable is missing', () => {
    expect(() => lazyContactEncrypterFromEnv({ CONTACT_KEYS: 'kms' })).toThrow(
      new ConfigurationError('invalid function environment: env.CONTACT_KEY_ID is required'),
    );
    expect(() => lazyContactEncrypterFromEnv({ CONTACT_KEYS: 'local' })).toThrow(/env\.LOCAL_KEY_FILE is required/);
  });

  it('builds the encrypter once, with the first contact', async () => {
    let loads = 0;
    const encrypter = new LazyContactEncrypter(async () => {
      loads += 1;
      return { encrypt: async (plaintext, binding) => `${binding.channel}:${plaintext.length}` };
    });
    expect(loads).toBe(0);
    const sealed = await Promise.all([
      encrypter.encrypt('+15555550123', sms),
      encrypter.encrypt('a@example.org', { ...sms, channel: 'email' }),
    ]);
    expect(sealed).toEqual(['sms:12', 'email:13']);
    expect(loads).toBe(1);
  });

  it('tries a failed load again with the next contact', async () => {
    let loads = 0;
    const encrypter = new LazyContactEncrypter(async () => {
      loads += 1;
      if (loads === 1) throw new Error('load failed');
      return { encrypt: async () => 'sealed' };
    });
    await expect(encrypter.encrypt('+15555550123', sms)).rejects.toThrow('load failed');
    expect(await encrypter.encrypt('+15555550123', sms)).toBe('sealed');
    expect(loads).toBe(2);
  });
});
