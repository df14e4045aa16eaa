/**
 * The keyring that protects contacts: a KMS keyring in AWS, a raw AES keyring (from the local key
 * file) in the sandbox and tests.
 */
import { KmsKeyringNode } from '@aws-crypto/kms-keyring-node';
import type { KeyringNode } from '@aws-crypto/material-management-node';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/raw-aes-keyring-node';
import { loadOrCreateLocalKeys, requiredKeyVariable, type KeyEnv } from '#shared/contacts/keys.ts';

/** Raw AES keyring for the sandbox and tests, from a 32-byte key. */
export function localContactKeyring(key: Buffer): KeyringNode {
  return new RawAesKeyringNode({
    keyNamespace: 'bookdrop-local',
    keyName: 'contact-key',
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}

/** The contact keyring for this environment. */
export function contactKeyringFromEnv(env: KeyEnv): KeyringNode {
  if (env.CONTACT_KEYS === 'kms') return new KmsKeyringNode({ generatorKeyId: requiredKeyVariable(env.CONTACT_KEY_ID, 'CONTACT_KEY_ID') });
  return localContactKeyring(loadOrCreateLocalKeys(requiredKeyVariable(env.LOCAL_KEY_FILE, 'LOCAL_KEY_FILE')).contactKey);
}
