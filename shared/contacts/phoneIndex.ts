/**
 * The phone blind index: a keyed hash of the E.164 number (KMS HMAC in AWS, a local HMAC key
 * elsewhere). It finds patrons by number without storing the number, and needs no Encryption SDK.
 */
import { createHmac } from 'node:crypto';
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { BookdropError } from '#shared/errors.ts';

/** Keyed hash of a phone number, used as the lookup key for inbound SMS. */
export interface PhoneBlindIndex {
  indexOf(e164: string): Promise<string>;
}

/** HMAC-SHA256 blind index with a local key (sandbox and tests). */
export class LocalPhoneBlindIndex implements PhoneBlindIndex {
  public constructor(private readonly key: Buffer) {}
  public async indexOf(e164: string): Promise<string> {
    return createHmac('sha256', this.key).update(e164, 'utf8').digest('base64url');
  }
}

/** Blind index computed by a KMS HMAC key (`kms:GenerateMac`), so the key never leaves KMS. */
export class KmsPhoneBlindIndex implements PhoneBlindIndex {
  public constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}
  public async indexOf(e164: string): Promise<string> {
    const { Mac } = await this.kms.send(
      new GenerateMacCommand({ KeyId: this.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(e164, 'utf8') }),
    );
    if (!Mac) throw new BookdropError('KMS GenerateMac returned no MAC');
    return Buffer.from(Mac).toString('base64url');
  }
}
