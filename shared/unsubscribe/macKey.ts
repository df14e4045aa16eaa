/**
 * The key that signs unsubscribe tokens: a KMS HMAC key in AWS (`GenerateMac` for the notifier,
 * `VerifyMac` for the unsubscribe endpoint, so neither ever holds the key), a local 32-byte key in
 * the sandbox and tests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GenerateMacCommand, VerifyMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { BookdropError } from '#shared/errors.ts';

/** Computes and checks MACs over messages; the key never leaves the implementation. */
export interface MacKey {
  generate(message: Uint8Array): Promise<Uint8Array>;
  /** True when `mac` is the MAC of `message` under this key; false for any other MAC. */
  verify(message: Uint8Array, mac: Uint8Array): Promise<boolean>;
}

/** HMAC-SHA256 with a local key (sandbox and tests). */
export class LocalMacKey implements MacKey {
  public constructor(private readonly key: Buffer) {}

  public async generate(message: Uint8Array): Promise<Uint8Array> {
    return createHmac('sha256', this.key).update(message).digest();
  }

  public async verify(message: Uint8Array, mac: Uint8Array): Promise<boolean> {
    const expected = createHmac('sha256', this.key).update(message).digest();
    return mac.length === expected.length && timingSafeEqual(expected, mac);
  }
}

/** HMAC-SHA256 computed and checked by a KMS HMAC key (`kms:GenerateMac`, `kms:VerifyMac`). */
export class KmsMacKey implements MacKey {
  public constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  public async generate(message: Uint8Array): Promise<Uint8Array> {
    const { Mac } = await this.kms.send(new GenerateMacCommand({ KeyId: this.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: message }));
    if (!Mac) throw new BookdropError('KMS GenerateMac returned no MAC');
    return Mac;
  }

  public async verify(message: Uint8Array, mac: Uint8Array): Promise<boolean> {
    try {
      const { MacValid } = await this.kms.send(
        new VerifyMacCommand({ KeyId: this.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: message, Mac: mac }),
      );
      return MacValid === true;
    } catch (error) {
      // KMS answers a MAC that does not match with this exception, not with MacValid: false.
      if ((error as { name?: string }).name === 'KMSInvalidMacException') return false;
      throw error;
    }
  }
}
