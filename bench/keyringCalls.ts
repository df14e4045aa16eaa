/**
 * Counts what reaches the contact keyring: each data key generated (one KMS `GenerateDataKey` in AWS)
 * and each data key unwrapped (one KMS `Decrypt`). The count is taken at the keyring, under the
 * Encryption SDK's caching materials managers, so a data key served from a cache is not counted: the
 * figure is the one KMS would bill.
 */
import { KeyringNode, type NodeDecryptionMaterial, type NodeEncryptionMaterial } from '@aws-crypto/material-management-node';

type EncryptedDataKeys = Parameters<KeyringNode['onDecrypt']>[1];

/** A keyring that forwards to another and counts the calls that would reach KMS. */
export class CountingKeyring extends KeyringNode {
  public generated = 0;
  public unwrapped = 0;

  public constructor(private readonly inner: KeyringNode) {
    super();
  }

  public async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    this.generated++;
    return this.inner.onEncrypt(material);
  }

  public async _onDecrypt(material: NodeDecryptionMaterial, encryptedDataKeys: EncryptedDataKeys): Promise<NodeDecryptionMaterial> {
    this.unwrapped++;
    return this.inner.onDecrypt(material, encryptedDataKeys);
  }
}
