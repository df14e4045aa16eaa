/**
 * Contact encryption loaded on first use, for a function where most requests write no contact: the
 * circulation function encrypts only on a registration or a contact change, while checkouts, returns,
 * renewals, holds and fines never do. The Encryption SDK's encrypt side (`contactEncryption.ts`, with
 * its keyring) is then evaluated by the first request that seals a contact, not at every cold start
 * (docs/performance.md, "Cold start"). The key variables are still checked at start, so a missing key
 * fails the cold start, not the first registration.
 */
import type { ContactEncrypter } from '#shared/contacts/contactCrypto.ts';
import type { ContactBinding } from '#shared/contacts/contactContext.ts';
import { requiredKeyVariable, type KeyEnv } from '#shared/contacts/keys.ts';

/** A {@link ContactEncrypter} that imports and builds the real one on its first `encrypt`. */
export class LazyContactEncrypter implements ContactEncrypter {
  private loading: Promise<ContactEncrypter> | undefined;

  public constructor(private readonly load: () => Promise<ContactEncrypter>) {}

  public async encrypt(plaintext: string, binding: ContactBinding): Promise<string> {
    this.loading ??= this.load().catch((error: unknown) => {
      // A failed load is not kept: the next contact tries again.
      this.loading = undefined;
      throw error;
    });
    return (await this.loading).encrypt(plaintext, binding);
  }
}

/** The contact encrypter for this environment, loaded on first use; the key variables are checked now. */
export function lazyContactEncrypterFromEnv(env: KeyEnv): LazyContactEncrypter {
  if (env.CONTACT_KEYS === 'kms') requiredKeyVariable(env.CONTACT_KEY_ID, 'CONTACT_KEY_ID');
  else requiredKeyVariable(env.LOCAL_KEY_FILE, 'LOCAL_KEY_FILE');
  return new LazyContactEncrypter(async () => {
    const { contactEncrypterFromEnv } = await import('#shared/contacts/contactEncryption.ts');
    return contactEncrypterFromEnv(env);
  });
}
