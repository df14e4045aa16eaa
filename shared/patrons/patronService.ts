/**
 * Applies patron events to the stored profile: read, merge (pure), encrypt new contacts, write with
 * optimistic concurrency, retry on a concurrent update.
 */
import { BookdropError, ConcurrentUpdateError } from '#shared/errors.ts';
import type { ContactEncrypter, PhoneBlindIndex } from '#shared/contacts/contactCrypto.ts';
import { emptyProfile, type PatronProfile, type ProfileChange, type StoredContact } from '#shared/patrons/patronProfile.ts';
import type { PatronStore } from '#shared/patrons/patronRepository.ts';
import { PATRON_RECORD } from '#shared/table/keys.ts';

const MAX_ATTEMPTS = 5;

export interface PatronServiceDeps {
  readonly patrons: PatronStore;
  /** Needed only by functions that write contacts; the others hold no encryption key. */
  readonly encrypter?: ContactEncrypter;
  readonly phoneIndex?: PhoneBlindIndex;
}

/** What applying one event did. */
export interface PatronUpdateResult {
  readonly changed: boolean;
  readonly profile: PatronProfile;
  readonly change: ProfileChange;
}

export class PatronService {
  public constructor(private readonly deps: PatronServiceDeps) {}

  /**
   * Applies `merge` to the patron's current profile (or an empty one) and stores the result.
   * `merge` must be pure: it runs again after a concurrent update.
   */
  public async update(patronId: string, merge: (profile: PatronProfile) => ProfileChange): Promise<PatronUpdateResult> {
    for (let attempt = 1; ; attempt++) {
      const current = (await this.deps.patrons.get(patronId)) ?? emptyProfile(patronId);
      const change = merge(current);
      if (!change.changed) return { changed: false, profile: current, change };
      const profile = await this.seal(change);
      try {
        await this.deps.patrons.save(profile, change.ledger);
        return { changed: true, profile, change };
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Deletes a closed account's records: everything but the tombstone, the consent ledger, the open
   * fines and the loans they refer to (debts are collected; docs/design.md, retention).
   */
  public async purgeClosedAccount(patronId: string, openFines: readonly { fineId: string; loanId: string | undefined }[]): Promise<number> {
    const keep = new Set(
      openFines.flatMap((fine) => [`${PATRON_RECORD.fine}${fine.fineId}`, ...(fine.loanId ? [`${PATRON_RECORD.loan}${fine.loanId}`] : [])]),
    );
    return this.deps.patrons.purgeRecords(patronId, (sortKey) => keep.has(sortKey));
  }

  /** Deletes the patron's checkout history (after an opt-out). */
  public purgeHistory(patronId: string): Promise<number> {
    return this.deps.patrons.purgeRecords(patronId, (sortKey) => !sortKey.startsWith(PATRON_RECORD.history));
  }

  /** Replaces the plaintext contact changes with ciphertext and, for phones, the blind index. */
  public async seal(change: ProfileChange): Promise<PatronProfile> {
    const contacts = { ...change.profile.contacts };
    for (const { channel, value, at, evidenceId } of change.contacts) {
      let sealed: StoredContact = { cipher: null, at, evidenceId };
      if (value !== null) {
        const { encrypter, phoneIndex } = this.deps;
        if (!encrypter || !phoneIndex) throw new BookdropError('this function may not write contacts', { context: { channel } });
        const binding = { patronId: change.profile.patronId, channel };
        sealed = {
          cipher: await encrypter.encrypt(value, binding),
          at,
          evidenceId,
          ...(channel === 'sms' ? { index: await phoneIndex.indexOf(value) } : {}),
        };
      }
      contacts[channel] = sealed;
    }
    return { ...change.profile, contacts };
  }
}
