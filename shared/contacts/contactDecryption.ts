/**
 * Contact decryption only (the notifier and the privacy officer's report): the Encryption SDK's
 * decrypt side, without its encrypt side.
 */
import { buildDecrypt } from '@aws-crypto/decrypt-node';
import type { KeyringNode } from '@aws-crypto/material-management-node';
import { BookdropError } from '#shared/errors.ts';
import { COMMITMENT, contextOf, type ContactBinding } from '#shared/contacts/contactContext.ts';
import { contactKeyringFromEnv } from '#shared/contacts/contactKeyring.ts';
import type { KeyEnv } from '#shared/contacts/keys.ts';

export class ContactDecryptionError extends BookdropError {}

/** Decrypts contacts with any keyring (KMS in AWS, raw AES locally), checking what each is bound to. */
export class EsdkContactDecrypter {
  private readonly decryptClient = buildDecrypt({ commitmentPolicy: COMMITMENT, maxEncryptedDataKeys: 1 });

  public constructor(private readonly keyring: KeyringNode) {}

  public async decrypt(cipher: string, binding: ContactBinding): Promise<string> {
    const { plaintext, messageHeader } = await this.decryptClient.decrypt(this.keyring, Buffer.from(cipher, 'base64'));
    const expected = contextOf(binding);
    for (const [key, value] of Object.entries(expected)) {
      if (messageHeader.encryptionContext[key] !== value) {
        throw new ContactDecryptionError('contact ciphertext is bound to another patron or channel', {
          context: { patronId: binding.patronId, channel: binding.channel },
        });
      }
    }
    return plaintext.toString('utf8');
  }
}

/** The contact decrypter for this environment. IAM decides whether it may decrypt. */
export function contactDecrypterFromEnv(env: KeyEnv): EsdkContactDecrypter {
  return new EsdkContactDecrypter(contactKeyringFromEnv(env));
}
