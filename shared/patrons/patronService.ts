/**
 * Applies patron events to the stored profile: read, merge (pure), encrypt new contacts, write with
 * optimistic concurrency, retry on a concurrent update.
 */
import { ConcurrentUpdateError } from '#shared/errors.ts';
import type { ContactEncrypter, PhoneBlindIndex } from '#shared/contacts/contactCrypto.ts';
import {
  emptyProfile,
  type PatronProfile,
  type ProfileChange,
  type StoredContact,
} from '#shared/patrons/patronProfile.ts';
import type { PatronStore } from '#shared/patrons/patronRepository.ts';

const MAX_ATTEMPTS = 5;

export interface PatronServiceDeps {
  readonly patrons: PatronStore;
  readonly encrypter: ContactEncrypter;
  readonly phoneIndex: PhoneBlindIndex;
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
      const profile = await this.sealContacts(change);
      try {
        await this.deps.patrons.save(profile, change.ledger);
        return { changed: true, profile, change };
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** Replaces the plaintext contact changes with ciphertext and, for phones, the blind index. */
  private async sealContacts(change: ProfileChange): Promise<PatronProfile> {
    const contacts = { ...change.profile.contacts };
    for (const { channel, value, at } of change.contacts) {
      let sealed: StoredContact = { cipher: null, at };
      if (value !== null) {
        const binding = { patronId: change.profile.patronId, channel };
        sealed = {
          cipher: await this.deps.encrypter.encrypt(value, binding),
          at,
          ...(channel === 'sms' ? { index: await this.deps.phoneIndex.indexOf(value) } : {}),
        };
      }
      contacts[channel] = sealed;
    }
    return { ...change.profile, contacts };
  }
}
