/**
 * The patron profile and how circulation events change it. Pure domain logic, no AWS.
 *
 * Every field carries the `occurredAt` of the event that last set it, and an event changes a field
 * only if it is newer. So events that arrive twice, late or out of order end in the same state as
 * if each had arrived once, in order.
 */
import type { DetailOf } from '#shared/events/contract.ts';

export type Channel = 'sms' | 'email';
export const CHANNELS: readonly Channel[] = ['sms', 'email'];
export type Language = 'en' | 'es';
export type ConsentSource = 'registration' | 'catalog' | 'staff' | 'sms-keyword' | 'email-feedback' | 'account-closed';
export type ConsentTopic = Channel | 'checkoutHistory';

/** The patron's current choice for one consent topic, with its provenance. */
export interface ConsentState {
  readonly optedIn: boolean;
  /** ISO time of the event that made this choice. */
  readonly at: string;
  readonly source: ConsentSource;
  readonly policyVersion: string | undefined;
  readonly evidenceId: string;
}

/** A contact as stored: ciphertext only, plus when it was last set. `cipher: null` means cleared. */
export interface StoredContact {
  readonly cipher: string | null;
  readonly at: string;
  /** Phone blind index (SMS contacts only), the key inbound SMS looks patrons up by. */
  readonly index?: string;
}

/** A set field with the time of the event that set it. */
export interface Stamped<T> {
  readonly value: T;
  readonly at: string;
}

export interface PatronProfile {
  readonly patronId: string;
  readonly library: Stamped<string> | undefined;
  readonly language: Stamped<Language> | undefined;
  readonly policyVersion: Stamped<string> | undefined;
  readonly consent: Partial<Record<ConsentTopic, ConsentState>>;
  readonly contacts: Partial<Record<Channel, StoredContact>>;
  /** Optimistic-concurrency version; 0 for a profile that is not stored yet. */
  readonly version: number;
}

/** One appended line of the consent ledger. Never holds a contact value. */
export interface ConsentLedgerEntry {
  readonly patronId: string;
  readonly topic: ConsentTopic;
  readonly optedIn: boolean;
  readonly source: ConsentSource;
  readonly at: string;
  readonly policyVersion: string | undefined;
  readonly evidenceId: string;
}

/** A contact change still in plaintext; the service encrypts it before anything is stored. */
export interface ContactChange {
  readonly channel: Channel;
  /** The new value, or `null` to clear. */
  readonly value: string | null;
  readonly at: string;
}

export interface ProfileChange {
  readonly profile: PatronProfile;
  readonly ledger: readonly ConsentLedgerEntry[];
  readonly contacts: readonly ContactChange[];
  /** False when the event changed nothing (a duplicate, or older than everything it touches). */
  readonly changed: boolean;
}

export function emptyProfile(patronId: string): PatronProfile {
  return {
    patronId,
    library: undefined,
    language: undefined,
    policyVersion: undefined,
    consent: {},
    contacts: {},
    version: 0,
  };
}

/** True if an event at `at` is newer than the field last set at `current`. */
export function isNewer(at: string, current: { at: string } | undefined): boolean {
  return current === undefined || Date.parse(at) > Date.parse(current.at);
}

/** Normalises an ISO 8601 time with offset to UTC, so stored times compare as strings too. */
export function toUtc(iso: string): string {
  return new Date(iso).toISOString();
}

interface Provenance {
  readonly at: string;
  readonly source: ConsentSource;
  readonly policyVersion: string | undefined;
  readonly evidenceId: string;
}

/**
 * Applies consent, contact and profile-field updates stamped with one event's provenance.
 * Each field changes only if the event is newer than the field.
 */
function applyUpdates(
  profile: PatronProfile,
  provenance: Provenance,
  updates: {
    consent?: Partial<Record<ConsentTopic, boolean | undefined>>;
    contacts?: Partial<Record<Channel, string | null | undefined>>;
    library?: string;
    language?: Language;
  },
): ProfileChange {
  const { at } = provenance;
  const consent = { ...profile.consent };
  const ledger: ConsentLedgerEntry[] = [];
  for (const [topic, optedIn] of Object.entries(updates.consent ?? {}) as [ConsentTopic, boolean | undefined][]) {
    if (optedIn === undefined || !isNewer(at, consent[topic])) continue;
    const previous = consent[topic];
    consent[topic] = { optedIn, ...provenance };
    // The ledger records changes of state, plus the first recorded choice of each topic.
    if (previous === undefined || previous.optedIn !== optedIn) {
      ledger.push({ patronId: profile.patronId, topic, optedIn, ...provenance });
    }
  }
  const contacts = { ...profile.contacts };
  const contactChanges: ContactChange[] = [];
  for (const [channel, value] of Object.entries(updates.contacts ?? {}) as [Channel, string | null | undefined][]) {
    if (value === undefined || !isNewer(at, contacts[channel])) continue;
    contactChanges.push({ channel, value, at });
    // The cipher is filled in by the service after encryption; until then mark the slot as changed.
    contacts[channel] = { cipher: value === null ? null : '', at };
  }
  const stamp = <T>(value: T | undefined, current: Stamped<T> | undefined): Stamped<T> | undefined =>
    value !== undefined && isNewer(at, current) ? { value, at } : current;
  const library = stamp(updates.library, profile.library);
  const language = stamp(updates.language, profile.language);
  const policyVersion = stamp(provenance.policyVersion, profile.policyVersion);
  const changed =
    ledger.length > 0 ||
    contactChanges.length > 0 ||
    library !== profile.library ||
    language !== profile.language ||
    policyVersion !== profile.policyVersion ||
    Object.keys(consent).some((topic) => consent[topic as ConsentTopic] !== profile.consent[topic as ConsentTopic]);
  return {
    profile: { ...profile, consent, contacts, library, language, policyVersion },
    ledger,
    contacts: contactChanges,
    changed,
  };
}

/** `PatronRegistered`: initial consent (source `registration`), contacts, library and language. */
export function applyRegistration(profile: PatronProfile, event: DetailOf<'PatronRegistered'>): ProfileChange {
  return applyUpdates(
    profile,
    { at: toUtc(event.occurredAt), source: 'registration', policyVersion: event.policyVersion, evidenceId: event.eventId },
    {
      consent: event.consent,
      // Registration states the whole contact set: a channel it leaves out has no contact.
      contacts: { sms: event.contact.phone ?? null, email: event.contact.email ?? null },
      library: event.library,
      language: event.language ?? 'en',
    },
  );
}

/** `PatronPreferencesChanged`: consent and contact changes from the catalog or staff. */
export function applyPreferences(profile: PatronProfile, event: DetailOf<'PatronPreferencesChanged'>): ProfileChange {
  const { changes } = event;
  return applyUpdates(
    profile,
    {
      at: toUtc(event.occurredAt),
      source: event.source,
      policyVersion: event.policyVersion,
      evidenceId: event.eventId,
    },
    {
      consent: changes.consent,
      contacts: { sms: changes.contact?.phone, email: changes.contact?.email },
      ...(changes.language === undefined ? {} : { language: changes.language }),
    },
  );
}

/** Why a channel may not be used right now, or `undefined` when it may. */
export type ChannelBlock = 'not-opted-in' | 'no-contact';

/** Whether a notice may go out on `channel`: opted in and with a stored contact. */
export function channelBlock(profile: PatronProfile, channel: Channel): ChannelBlock | undefined {
  if (profile.consent[channel]?.optedIn !== true) return 'not-opted-in';
  const contact = profile.contacts[channel];
  if (contact === undefined || contact.cipher === null || contact.cipher === '') return 'no-contact';
  return undefined;
}
