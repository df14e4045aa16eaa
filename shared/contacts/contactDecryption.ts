/**
 * Contact decryption only (the notifier and the privacy officer's report): the Encryption SDK's
 * decrypt side, without its encrypt side. Data keys are cached for about a second through the SDK's
 * caching materials manager, so the second contact of a patron sealed under the same data key costs no
 * KMS call; two decryptions of the same data key at once wait for one unwrap instead of racing to two
 * (docs/decisions/0010-one-data-key-per-registration.md).
 */
import { NodeCachingMaterialsManager, getLocalCryptographicMaterialsCache } from '@aws-crypto/caching-materials-manager-node';
import { buildDecrypt } from '@aws-crypto/decrypt-node';
import type { EncryptionContext, KeyringNode, NodeMaterialsManager } from '@aws-crypto/material-management-node';
import { BookdropError } from '#shared/errors.ts';
import { CHANNEL_IN_PLAINTEXT, COMMITMENT, CONTACT_PURPOSE, type ContactBinding } from '#shared/contacts/contactContext.ts';
import { contactKeyringFromEnv } from '#shared/contacts/contactKeyring.ts';
import type { KeyEnv } from '#shared/contacts/keys.ts';

export class ContactDecryptionError extends BookdropError {
  /** Spelled out: bundles are minified, and the name is what logs and dead-letter reasons show. */
  public override readonly name = 'ContactDecryptionError';
}

/** How long an unwrapped data key is kept, and how many at once. */
export interface DataKeyCache {
  readonly maxAgeMs: number;
  readonly capacity: number;
}

/** Long enough for the other channel of the same notice, short enough to hold few keys in memory. */
export const CONTACT_KEY_CACHE: DataKeyCache = { maxAgeMs: 1000, capacity: 32 };

type DecryptionRequest = Parameters<NodeMaterialsManager['decryptMaterials']>[0];

/** The identity of a data key as the cache sees it: the encryption context and the encrypted data keys. */
function dataKeyIdentity(request: DecryptionRequest): string {
  const context = Object.entries(request.encryptionContext).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const keys = request.encryptedDataKeys.map((edk) => [
    edk.providerId,
    edk.providerInfo,
    Buffer.from(edk.encryptedDataKey).toString('base64'),
  ]);
  return JSON.stringify([context, keys]);
}

/**
 * A caching materials manager whose concurrent requests for one data key make one unwrap: the others
 * wait for it and then read the cache. (The notifier decrypts both channels at once; without this,
 * both would miss the cache and each call KMS.)
 */
class OneUnwrapPerDataKey implements NodeMaterialsManager {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  public constructor(private readonly cached: NodeCachingMaterialsManager) {}

  public readonly getEncryptionMaterials: NodeMaterialsManager['getEncryptionMaterials'] = (request) =>
    this.cached.getEncryptionMaterials(request);

  public readonly decryptMaterials: NodeMaterialsManager['decryptMaterials'] = async (request) => {
    const identity = dataKeyIdentity(request);
    const pending = this.inFlight.get(identity);
    if (pending) {
      await pending.catch(() => undefined);
      return this.cached.decryptMaterials(request);
    }
    const unwrap = this.cached.decryptMaterials(request);
    this.inFlight.set(identity, unwrap);
    try {
      return await unwrap;
    } finally {
      this.inFlight.delete(identity);
    }
  };
}

const mismatch = (binding: ContactBinding) =>
  new ContactDecryptionError('contact ciphertext is bound to another patron or channel', {
    context: { patronId: binding.patronId, channel: binding.channel },
  });

/**
 * The contact in a decrypted message, after checking what it is bound to: the patron in the context;
 * the channel in the plaintext (format 2) or in the context (format 1, written before format 2).
 */
export function openContact(context: EncryptionContext, plaintext: Buffer, binding: ContactBinding): string {
  if (context.purpose !== CONTACT_PURPOSE || context.patronId !== binding.patronId) throw mismatch(binding);
  if (context.format === CHANNEL_IN_PLAINTEXT) {
    const text = plaintext.toString('utf8');
    const cut = text.indexOf('\n');
    if (cut < 0 || text.slice(0, cut) !== binding.channel || 'channel' in context) throw mismatch(binding);
    return text.slice(cut + 1);
  }
  if (context.format !== undefined) {
    throw new ContactDecryptionError('contact ciphertext has an unknown format: this code is older than the data', {
      context: { patronId: binding.patronId, channel: binding.channel, format: context.format },
    });
  }
  if (context.channel !== binding.channel) throw mismatch(binding);
  return plaintext.toString('utf8');
}

/** Decrypts contacts with any keyring (KMS in AWS, raw AES locally), checking what each is bound to. */
export class EsdkContactDecrypter {
  private readonly decryptClient = buildDecrypt({ commitmentPolicy: COMMITMENT, maxEncryptedDataKeys: 1 });
  private readonly materials: OneUnwrapPerDataKey;

  public constructor(keyring: KeyringNode, cache: DataKeyCache = CONTACT_KEY_CACHE) {
    this.materials = new OneUnwrapPerDataKey(
      new NodeCachingMaterialsManager({
        backingMaterials: keyring,
        // Checking the tail every second zeroes an expired data key soon after it expires.
        cache: getLocalCryptographicMaterialsCache(cache.capacity, 1000),
        maxAge: cache.maxAgeMs,
      }),
    );
  }

  public async decrypt(cipher: string, binding: ContactBinding): Promise<string> {
    const { plaintext, messageHeader } = await this.decryptClient.decrypt(this.materials, Buffer.from(cipher, 'base64'));
    return openContact(messageHeader.encryptionContext, plaintext, binding);
  }
}

/** The contact decrypter for this environment. IAM decides whether it may decrypt. */
export function contactDecrypterFromEnv(env: KeyEnv): EsdkContactDecrypter {
  return new EsdkContactDecrypter(contactKeyringFromEnv(env));
}
