/**
 * Contact encryption only (functions and tools that write contacts): the Encryption SDK's encrypt
 * side, without its decrypt side. Contacts sealed together (a registration or an import row with both
 * channels) share one data key through the SDK's caching materials manager, tightly bounded: at most
 * two messages, about a second, never across patrons (the cache is keyed by the encryption context,
 * which names the patron). Why: docs/decisions/0010-one-data-key-per-registration.md.
 */
import { NodeCachingMaterialsManager, getLocalCryptographicMaterialsCache } from '@aws-crypto/caching-materials-manager-node';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import type { KeyringNode } from '@aws-crypto/material-management-node';
import { COMMITMENT, SUITE, contextOf, sealedPlaintext, type ContactBinding } from '#shared/contacts/contactContext.ts';
import { contactKeyringFromEnv } from '#shared/contacts/contactKeyring.ts';
import type { KeyEnv } from '#shared/contacts/keys.ts';

/** How long and how often one data key may seal contacts. */
export interface DataKeyReuse {
  /** Milliseconds a data key stays usable after it was generated. */
  readonly maxAgeMs: number;
  /** Messages one data key may seal (the first included). */
  readonly maxMessages: number;
  /** Data keys kept at once (least recently used go first). */
  readonly capacity: number;
}

/** The reuse bound of contact data keys: both channels of one registration, within a second. */
export const CONTACT_KEY_REUSE: DataKeyReuse = { maxAgeMs: 1000, maxMessages: 2, capacity: 64 };
/** Bytes one data key may seal: two contacts of the longest length (an email address is at most 254). */
const MAX_BYTES_PER_KEY = 2 * 1024;

/** Encrypts contacts with any keyring (KMS in AWS, raw AES locally), bound to their patron and channel. */
export class EsdkContactEncrypter {
  private readonly encryptClient = buildEncrypt(COMMITMENT);
  private readonly materials: NodeCachingMaterialsManager;

  public constructor(keyring: KeyringNode, reuse: DataKeyReuse = CONTACT_KEY_REUSE) {
    this.materials = new NodeCachingMaterialsManager({
      backingMaterials: keyring,
      // Checking the tail every second zeroes an expired data key soon after it expires.
      cache: getLocalCryptographicMaterialsCache(reuse.capacity, 1000),
      maxAge: reuse.maxAgeMs,
      maxMessagesEncrypted: reuse.maxMessages,
      maxBytesEncrypted: MAX_BYTES_PER_KEY,
    });
  }

  public async encrypt(plaintext: string, binding: ContactBinding): Promise<string> {
    const { result } = await this.encryptClient.encrypt(this.materials, sealedPlaintext(binding, plaintext), {
      encryptionContext: contextOf(binding.patronId),
      suiteId: SUITE,
    });
    return result.toString('base64');
  }
}

/** The contact encrypter for this environment. IAM decides whether it may encrypt. */
export function contactEncrypterFromEnv(env: KeyEnv): EsdkContactEncrypter {
  return new EsdkContactEncrypter(contactKeyringFromEnv(env));
}
