/**
 * What contact encryption and decryption share: the commitment policy, the algorithm suite and the
 * encryption context that binds a ciphertext to its patron and channel (identifiers only, never the
 * contact). A module of its own so a function that only decrypts never loads the encryption code,
 * and one that only encrypts never loads the decryption code.
 */
import { AlgorithmSuiteIdentifier, CommitmentPolicy } from '@aws-crypto/material-management-node';
import type { Channel } from '#shared/patrons/patronProfile.ts';

/** What a ciphertext is bound to through the encryption context. */
export interface ContactBinding {
  readonly patronId: string;
  readonly channel: Channel;
}

export const COMMITMENT = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;
// Committing suite without signatures: ~0.9 ms per encrypt and 336 base64 characters per phone number.
export const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/** The encryption context of a contact's ciphertext. */
export function contextOf(binding: ContactBinding): Record<string, string> {
  return { purpose: 'bookdrop-contact', patronId: binding.patronId, channel: binding.channel };
}
