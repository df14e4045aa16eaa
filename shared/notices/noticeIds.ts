/**
 * Notice ids: the opaque id a notice is known by outside Bookdrop (SES message tags, hence bounce and
 * complaint feedback; outbound NoticeSent/NoticeFailed events). Deterministic per (patron, notice key),
 * so a redelivered request gets the same id and dedupe holds; keyed, so knowing a patron id and a
 * notice key is not enough to compute an id and forge feedback about it.
 *
 * The HMAC key is derived once per process from a secret key with a fixed label: KMS `GenerateMac`
 * with the notice-id HMAC key in AWS (one call per cold start; the KMS key never leaves KMS), the local
 * key file in the sandbox and tests.
 */
import { createHmac } from 'node:crypto';
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { BookdropError } from '#shared/errors.ts';

/** Gives each notice its opaque id. */
export interface NoticeIds {
  idOf(patronId: string, noticeKey: string): Promise<string>;
}

/** Turns a label into key material; must be deterministic for one secret. */
export type KeyDerivation = (label: Buffer) => Promise<Buffer>;

/** The label of the derivation, versioned: a new scheme takes a new label and never collides. */
export const NOTICE_ID_LABEL = 'bookdrop/notice-id/v1';

/** Length of a notice id: 26 base64url characters, 156 bits. */
const ID_LENGTH = 26;

export class KeyedNoticeIds implements NoticeIds {
  private key: Promise<Buffer> | undefined;

  public constructor(private readonly derive: KeyDerivation) {}

  public async idOf(patronId: string, noticeKey: string): Promise<string> {
    const key = await this.derivedKey();
    return createHmac('sha256', key).update(`${patronId}#${noticeKey}`, 'utf8').digest('base64url').slice(0, ID_LENGTH);
  }

  private derivedKey(): Promise<Buffer> {
    this.key ??= this.derive(Buffer.from(NOTICE_ID_LABEL, 'utf8')).catch((error: unknown) => {
      // A failed derivation (KMS throttling, say) is retried by the next notice, not cached.
      this.key = undefined;
      throw error;
    });
    return this.key;
  }
}

/** Derivation with a local 32-byte secret (sandbox and tests). */
export function localKeyDerivation(secret: Buffer): KeyDerivation {
  return async (label) => createHmac('sha256', secret).update(label).digest();
}

/** Derivation with a KMS HMAC key (`kms:GenerateMac`). */
export function kmsKeyDerivation(kms: KMSClient, keyId: string): KeyDerivation {
  return async (label) => {
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: keyId, MacAlgorithm: 'HMAC_SHA_256', Message: label }));
    if (!Mac) throw new BookdropError('KMS GenerateMac returned no MAC for the notice-id key');
    return Buffer.from(Mac);
  };
}
