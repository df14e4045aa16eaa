/**
 * Contact encryption and the phone blind index (docs/privacy-and-security.md).
 *
 * Contacts are encrypted with the AWS Encryption SDK before they reach DynamoDB: a KMS keyring in AWS,
 * a raw AES keyring in the sandbox and tests. The encryption context binds each ciphertext to its
 * patron (identifiers only, never the contact), the authenticated plaintext to its channel; the
 * contacts sealed together share one data key, so reading both costs one unwrap (one KMS call in AWS;
 * shared/contacts/contactContext.ts, docs/decisions/0010-one-data-key-per-registration.md). The blind index is a keyed hash of the
 * E.164 number (KMS HMAC in AWS, a local HMAC key elsewhere): it finds patrons by number without
 * storing the number.
 *
 * This module holds the ports and the adapter that does both (the sandbox, tests and operator tools).
 * A Lambda function imports only the side it uses, `contactDecryption.ts` or `contactEncryption.ts`,
 * so its bundle carries only that half of the Encryption SDK (docs/performance.md).
 */
import type { KeyringNode } from '@aws-crypto/material-management-node';
import { EsdkContactDecrypter } from '#shared/contacts/contactDecryption.ts';
import { EsdkContactEncrypter } from '#shared/contacts/contactEncryption.ts';
import { contactKeyringFromEnv } from '#shared/contacts/contactKeyring.ts';
import type { ContactBinding } from '#shared/contacts/contactContext.ts';
import type { KeyEnv } from '#shared/contacts/keys.ts';

export type { ContactBinding } from '#shared/contacts/contactContext.ts';
export { ContactDecryptionError } from '#shared/contacts/contactDecryption.ts';
export { localContactKeyring } from '#shared/contacts/contactKeyring.ts';
export { KmsPhoneBlindIndex, LocalPhoneBlindIndex, type PhoneBlindIndex } from '#shared/contacts/phoneIndex.ts';

/** Encrypts contacts; given only to functions that write contacts. */
export interface ContactEncrypter {
  encrypt(plaintext: string, binding: ContactBinding): Promise<string>;
}

/** Decrypts contacts; given only to functions that send notices. */
export interface ContactDecrypter {
  decrypt(cipher: string, binding: ContactBinding): Promise<string>;
}

/** Encryption SDK adapter that both encrypts and decrypts; works with any keyring (KMS in AWS, raw AES locally). */
export class EsdkContactCrypto implements ContactEncrypter, ContactDecrypter {
  private readonly encrypter: EsdkContactEncrypter;
  private readonly decrypter: EsdkContactDecrypter;

  public constructor(keyring: KeyringNode) {
    this.encrypter = new EsdkContactEncrypter(keyring);
    this.decrypter = new EsdkContactDecrypter(keyring);
  }

  public async encrypt(plaintext: string, binding: ContactBinding): Promise<string> {
    return this.encrypter.encrypt(plaintext, binding);
  }

  public async decrypt(cipher: string, binding: ContactBinding): Promise<string> {
    return this.decrypter.decrypt(cipher, binding);
  }
}

/** The contact cipher for this environment (operator tools). IAM decides whether it may encrypt, decrypt, or both. */
export function contactCryptoFromEnv(env: KeyEnv): EsdkContactCrypto {
  return new EsdkContactCrypto(contactKeyringFromEnv(env));
}
