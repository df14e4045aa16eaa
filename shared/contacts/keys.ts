/**
 * Key material for contact encryption, the phone blind index, notice ids and unsubscribe tokens,
 * chosen by `CONTACT_KEYS`: KMS keys in AWS; a local key file (generated on first use, mode 0600,
 * never committed) in the sandbox and tests. The contact cipher itself is built by
 * `contactDecryption.ts`, `contactEncryption.ts` or `contactCrypto.ts` (both), so this module loads no
 * Encryption SDK code.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { ConfigurationError } from '#shared/errors.ts';
import { KmsPhoneBlindIndex, LocalPhoneBlindIndex, type PhoneBlindIndex } from '#shared/contacts/phoneIndex.ts';
import { KmsMacKey, LocalMacKey, type MacKey } from '#shared/unsubscribe/macKey.ts';
import { KeyedNoticeIds, kmsKeyDerivation, localKeyDerivation } from '#shared/notices/noticeIds.ts';

export interface LocalKeys {
  readonly contactKey: Buffer;
  readonly phoneIndexKey: Buffer;
  /** HMAC key of unsubscribe tokens. */
  readonly unsubscribeKey: Buffer;
}

/**
 * Reads the local key file, creating it with fresh random keys if it does not exist. A file from
 * before unsubscribe tokens existed gets its `unsubscribeKey` added; the other keys stay as they are.
 */
export function loadOrCreateLocalKeys(path: string): LocalKeys {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const fresh = { contactKey: randomBytes(32).toString('base64'), phoneIndexKey: randomBytes(32).toString('base64') };
    writeFileSync(path, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  }
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { contactKey?: string; phoneIndexKey?: string; unsubscribeKey?: string };
  if (raw.unsubscribeKey === undefined) {
    raw.unsubscribeKey = randomBytes(32).toString('base64');
    writeFileSync(path, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
  }
  const [contactKey, phoneIndexKey, unsubscribeKey] = [raw.contactKey, raw.phoneIndexKey, raw.unsubscribeKey].map((key) =>
    Buffer.from(key ?? '', 'base64'),
  ) as [Buffer, Buffer, Buffer];
  if (contactKey.length !== 32 || phoneIndexKey.length !== 32 || unsubscribeKey.length !== 32) {
    throw new ConfigurationError('local key file must hold three 32-byte base64 keys: contactKey, phoneIndexKey and unsubscribeKey');
  }
  return { contactKey, phoneIndexKey, unsubscribeKey };
}

export interface KeyEnv {
  readonly CONTACT_KEYS: 'kms' | 'local';
  readonly CONTACT_KEY_ID?: string | undefined;
  readonly PHONE_INDEX_KEY_ID?: string | undefined;
  readonly UNSUBSCRIBE_KEY_ID?: string | undefined;
  readonly NOTICE_ID_KEY_ID?: string | undefined;
  readonly LOCAL_KEY_FILE?: string | undefined;
}

/** The value of a key variable, or a configuration error naming it. */
export function requiredKeyVariable(value: string | undefined, name: string): string {
  if (!value) throw new ConfigurationError(`invalid function environment: env.${name} is required`);
  return value;
}
const need = requiredKeyVariable;

/** The phone blind index for this environment. */
export function phoneIndexFromEnv(env: KeyEnv): PhoneBlindIndex {
  if (env.CONTACT_KEYS === 'kms') {
    return new KmsPhoneBlindIndex(new KMSClient({}), need(env.PHONE_INDEX_KEY_ID, 'PHONE_INDEX_KEY_ID'));
  }
  return new LocalPhoneBlindIndex(loadOrCreateLocalKeys(need(env.LOCAL_KEY_FILE, 'LOCAL_KEY_FILE')).phoneIndexKey);
}

/** The MAC key of unsubscribe tokens for this environment (KMS HMAC key in AWS). */
export function unsubscribeKeyFromEnv(env: KeyEnv, kms: KMSClient = new KMSClient({})): MacKey {
  if (env.CONTACT_KEYS === 'kms') return new KmsMacKey(kms, need(env.UNSUBSCRIBE_KEY_ID, 'UNSUBSCRIBE_KEY_ID'));
  return new LocalMacKey(loadOrCreateLocalKeys(need(env.LOCAL_KEY_FILE, 'LOCAL_KEY_FILE')).unsubscribeKey);
}

/**
 * Notice ids for this environment: derived from the KMS notice-id HMAC key in AWS; locally from the
 * key file's blind-index key under a label of their own (the two never produce the same MAC input).
 */
export function noticeIdsFromEnv(env: KeyEnv): KeyedNoticeIds {
  if (env.CONTACT_KEYS === 'kms') {
    return new KeyedNoticeIds(kmsKeyDerivation(new KMSClient({}), need(env.NOTICE_ID_KEY_ID, 'NOTICE_ID_KEY_ID')));
  }
  return new KeyedNoticeIds(localKeyDerivation(loadOrCreateLocalKeys(need(env.LOCAL_KEY_FILE, 'LOCAL_KEY_FILE')).phoneIndexKey));
}
