/**
 * Contact encryption only (functions and tools that write contacts): the Encryption SDK's encrypt
 * side, without its decrypt side.
 */
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import type { KeyringNode } from '@aws-crypto/material-management-node';
import { COMMITMENT, SUITE, contextOf, type ContactBinding } from '#shared/contacts/contactContext.ts';
import { contactKeyringFromEnv } from '#shared/contacts/contactKeyring.ts';
import type { KeyEnv } from '#shared/contacts/keys.ts';

/** Encrypts contacts with any keyring (KMS in AWS, raw AES locally), bound to their patron and channel. */
export class EsdkContactEncrypter {
  private readonly encryptClient = buildEncrypt(COMMITMENT);

  public constructor(private readonly keyring: KeyringNode) {}

  public async encrypt(plaintext: string, binding: ContactBinding): Promise<string> {
    const { result } = await this.encryptClient.encrypt(this.keyring, plaintext, {
      encryptionContext: contextOf(binding),
      suiteId: SUITE,
    });
    return result.toString('base64');
  }
}

/** The contact encrypter for this environment. IAM decides whether it may encrypt. */
export function contactEncrypterFromEnv(env: KeyEnv): EsdkContactEncrypter {
  return new EsdkContactEncrypter(contactKeyringFromEnv(env));
}
