/**
 * The patron profile and how events change it. Pure domain logic, no AWS.
 *
 * Every field carries the `occurredAt` of the event that last set it, and an event changes a field
 * only if it is newer. So events that arrive twice, late or out of order end in the same state as
 * if each had arrived once, in order. A closed account keeps a tombstone (`closedAt`) so that events
 * older than the closure cannot bring its data back.
 */
import { ANNOUNCED_CONSENT_SOURCES, type DetailOf } from '#shared/events/contract.ts';
import { normalizeInitial } from '#shared/patrons/patronInitial.ts';

export type Channel = 'sms' | 'email';
export const CHANNELS: readonly Channel[] = ['sms', 'email'];
export type Language = 'en' | 'es';
/**
 * Who changed consent. `delivery-feedback` (the SMS provider refused the number as invalid) is
 * recorded in the ledger but is not a source of the v1 outbound contract, so it is not announced.
 * `email-unsubscribe` (the patron's one-click unsubscribe) is an additive source of contract v1.
 */
export type ConsentSource =
  | 'registration'
  | 'catalog'
  | 'staff'
  | 'sms-keyword'
  | 'email-feedback'
  | 'email-unsubscribe'
  | 'account-closed'
  | 'delivery-feedback'
  /** A bulk import of the ILS's existing patrons: never confirmed by text, never a reason for a notice. */
  | 'import';

/** The sources `PatronConsentChanged` (contract v1 and its additive sources) can carry. */
export const ANNOUNCED_SOURCES: ReadonlySet<ConsentSource> = new Set(ANNOUNCED_CONSENT_SOURCES);

/** Sources whose SMS opt-in gets no confirmation text: START is confirmed by its own reply, an import by nobody. */
export const UNCONFIRMED_OPT_IN_SOURCES: ReadonlySet<ConsentSource> = new Set(['sms-keyword', 'import']);
export type ConsentTopic = Channel | 'checkoutHistory';
export const CONSENT_TOPICS: readonly ConsentTopic[] = ['sms', 'email', 'checkoutHistory'];

/** The patron's current choice for one consent topic, with its provenance. */
export interface ConsentState {
  readonly optedIn: boolean;
  /** ISO time (UTC) of the event that made this choice. */
  readonly at: string;
  readonly source: ConsentSource;
  readonly policyVersion: string | undefined;
  readonly evidenceId: string;
}

/** Why a channel is blocked regardless of the patron's choice. */
export type SuppressionReason = 'hard-bounce' | 'complaint' | 'invalid-number';

/** A block on a channel that does not rewrite the patron's choice; a new contact lifts it. */
export interface Suppression {
  readonly reason: SuppressionReason;
  readonly at: string;
  readonly source: ConsentSource;
  readonly evidenceId: string;
}

/** A contact as stored: ciphertext only, plus when it was last set. `cipher: null` means none. */
export interface StoredContact {
  readonly cipher: string | null;
  readonly at: string;
  /** The event that set it: breaks a tie between two changes with the same time. */
  readonly evidenceId?: string;
  /** Phone blind index (SMS contacts only), the key inbound SMS looks patrons up by. */
  readonly index?: string;
}

/** A set field with the time of the event that set it. */
export interface Stamped<T> {
  readonly value: T;
  readonly at: string;
  /** The event that set it: breaks a tie between two events with the same time. */
  readonly evidenceId?: string;
}

export interface PatronProfile {
  readonly patronId: string;
  readonly library: Stamped<string> | undefined;
  readonly language: Stamped<Language> | undefined;
  /**
   * The first initial (one letter, never a name), which labels the patron in replies to a number
   * several patrons share; `null` once the ILS cleared it.
   */
  readonly initial: Stamped<string | null> | undefined;
  readonly policyVersion: Stamped<string> | undefined;
  readonly consent: Partial<Record<ConsentTopic, ConsentState>>;
  readonly contacts: Partial<Record<Channel, StoredContact>>;
  readonly suppression: Partial<Record<Channel, Suppression>>;
  /** Set when the account was closed: only a newer event changes anything. */
  readonly closedAt: string | undefined;
  /** Optimistic-concurrency version; 0 for a profile that is not stored yet. */
  readonly version: number;
}

/** One appended line of the consent ledger. Never holds a contact value. */
export interface ConsentLedgerEntry {
  readonly patronId: string;
  readonly topic: ConsentTopic;
  /** The patron's choice after this change. */
  readonly optedIn: boolean;
  /** Present on suppression changes: whether the channel is now suppressed. */
  readonly suppressed?: boolean;
  /**
   * True when the entry changed the patron's current state; false for a choice that arrived after a
   * newer one (kept as history, but it changes nothing and is not announced).
   */
  readonly effective: boolean;
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
  readonly evidenceId: string;
}

export interface ProfileChange {
  readonly profile: PatronProfile;
  readonly ledger: readonly ConsentLedgerEntry[];
  readonly contacts: readonly ContactChange[];
  /** False when the event changed nothing (a duplicate, or older than everything it touches). */
  readonly changed: boolean;
  /** True when this change closed the account: the caller deletes the patron's other records. */
  readonly closed?: boolean;
}

export function emptyProfile(patronId: string): PatronProfile {
  return {
    patronId,
    library: undefined,
    language: undefined,
    initial: undefined,
    policyVersion: undefined,
    consent: {},
    contacts: {},
    suppression: {},
    closedAt: undefined,
    version: 0,
  };
}

/** True if an event at `at` is newer than the field last set at `current`. */
export function isNewer(at: string, current: { at: string } | undefined): boolean {
  return current === undefined || Date.parse(at) > Date.parse(current.at);
}

/**
 * The tie rules: when two events carry the same `occurredAt`, the outcome must not depend on which
 * arrived first. Each rule ranks the candidates at equal time; the higher rank wins.
 * - consent: opt-out over opt-in (the more private choice), then the greater evidence id;
 * - contacts and the initial: clearing over setting (the more private), then the greater evidence id;
 * - library, language, policy version: the greater evidence id.
 * Returns true if `candidate` replaces `current`.
 */
export function supersedes(
  candidate: { at: string; evidenceId: string; rank?: number },
  current: { at: string; evidenceId?: string | undefined; rank?: number } | undefined,
): boolean {
  if (current === undefined) return true;
  const byTime = Date.parse(candidate.at) - Date.parse(current.at);
  if (byTime !== 0) return byTime > 0;
  const byRank = (candidate.rank ?? 0) - (current.rank ?? 0);
  if (byRank !== 0) return byRank > 0;
  return candidate.evidenceId > (current.evidenceId ?? '');
}

/** Privacy rank of a choice: opting out outranks opting in at equal time. */
const choiceRank = (optedIn: boolean) => (optedIn ? 0 : 1);
/** Privacy rank of a contact or the initial: none outranks one at equal time. */
const contactRank = (cipher: string | null | undefined) => (cipher === null ? 1 : 0);

/** Normalises an ISO 8601 time with offset to UTC, so stored times compare as strings too. */
export function toUtc(iso: string): string {
  return new Date(iso).toISOString();
}

/** Who made a change, when, under which policy version, on what evidence. */
export interface Provenance {
  readonly at: string;
  readonly source: ConsentSource;
  readonly policyVersion: string | undefined;
  readonly evidenceId: string;
}

interface Updates {
  consent?: Partial<Record<ConsentTopic, boolean | undefined>>;
  contacts?: Partial<Record<Channel, string | null | undefined>>;
  library?: string;
  language?: Language;
  /** A valid initial (contract-checked), or `null` to clear it. */
  initial?: string | null;
  suppress?: { channel: Channel; reason: SuppressionReason };
}

const unchanged = (profile: PatronProfile): ProfileChange => ({ profile, ledger: [], contacts: [], changed: false });

/** True if the account was closed at or after `at`: such an event must not change anything. */
function closedSince(profile: PatronProfile, at: string): boolean {
  return profile.closedAt !== undefined && !isNewer(at, { at: profile.closedAt });
}

/**
 * Applies updates stamped with one event's provenance. Each field changes only if the event is
 * newer than the field; a new contact lifts that channel's suppression.
 */
function applyUpdates(profile: PatronProfile, provenance: Provenance, updates: Updates): ProfileChange {
  const { at } = provenance;
  if (closedSince(profile, at)) return unchanged(profile);
  const consent = { ...profile.consent };
  const suppression = { ...profile.suppression };
  const ledger: ConsentLedgerEntry[] = [];
  const entry = (topic: ConsentTopic, extra: { suppressed?: boolean } = {}) =>
    ledger.push({ patronId: profile.patronId, topic, optedIn: consent[topic]?.optedIn ?? false, ...extra, ...provenance, effective: true });

  for (const [topic, optedIn] of Object.entries(updates.consent ?? {}) as [ConsentTopic, boolean | undefined][]) {
    if (optedIn === undefined) continue;
    const previous = consent[topic];
    const replaces = supersedes(
      { at, evidenceId: provenance.evidenceId, rank: choiceRank(optedIn) },
      previous && { at: previous.at, evidenceId: previous.evidenceId, rank: choiceRank(previous.optedIn) },
    );
    if (!replaces) {
      // A late choice is history: recorded (once: the key is deterministic), but not in force.
      if (previous && previous.evidenceId !== provenance.evidenceId) {
        ledger.push({ patronId: profile.patronId, topic, optedIn, ...provenance, effective: false });
      }
      continue;
    }
    consent[topic] = { optedIn, ...provenance };
    // The ledger records changes of state, plus the first recorded choice of each topic.
    if (previous === undefined || previous.optedIn !== optedIn) entry(topic);
  }

  const contacts = { ...profile.contacts };
  const contactChanges: ContactChange[] = [];
  for (const [channel, value] of Object.entries(updates.contacts ?? {}) as [Channel, string | null | undefined][]) {
    if (value === undefined) continue;
    const current = contacts[channel];
    const candidate = { at, evidenceId: provenance.evidenceId, rank: contactRank(value) };
    if (!supersedes(candidate, current && { at: current.at, evidenceId: current.evidenceId, rank: contactRank(current.cipher) })) continue;
    contactChanges.push({ channel, value, at, evidenceId: provenance.evidenceId });
    // The cipher is filled in by the service after encryption.
    contacts[channel] = { cipher: value === null ? null : '', at, evidenceId: provenance.evidenceId };
    if (suppression[channel] !== undefined && isNewer(at, suppression[channel])) {
      delete suppression[channel];
      entry(channel, { suppressed: false });
    }
  }

  if (updates.suppress) {
    const { channel, reason } = updates.suppress;
    if (supersedes({ at, evidenceId: provenance.evidenceId }, suppression[channel])) {
      if (suppression[channel] === undefined) entry(channel, { suppressed: true });
      suppression[channel] = { reason, at, source: provenance.source, evidenceId: provenance.evidenceId };
    }
  }

  const stamp = <T>(value: T | undefined, current: Stamped<T> | undefined): Stamped<T> | undefined =>
    value !== undefined && supersedes({ at, evidenceId: provenance.evidenceId }, current)
      ? { value, at, evidenceId: provenance.evidenceId }
      : current;
  const library = stamp(updates.library, profile.library);
  const language = stamp(updates.language, profile.language);
  const initial =
    updates.initial !== undefined &&
    supersedes(
      { at, evidenceId: provenance.evidenceId, rank: contactRank(updates.initial) },
      profile.initial && { at: profile.initial.at, evidenceId: profile.initial.evidenceId, rank: contactRank(profile.initial.value) },
    )
      ? { value: updates.initial === null ? null : normalizeInitial(updates.initial), at, evidenceId: provenance.evidenceId }
      : profile.initial;
  const policyVersion = stamp(provenance.policyVersion, profile.policyVersion);
  const changed =
    ledger.length > 0 ||
    contactChanges.length > 0 ||
    library !== profile.library ||
    language !== profile.language ||
    initial !== profile.initial ||
    policyVersion !== profile.policyVersion ||
    CONSENT_TOPICS.some((topic) => consent[topic] !== profile.consent[topic]) ||
    CHANNELS.some((channel) => suppression[channel] !== profile.suppression[channel]);
  return {
    profile: { ...profile, consent, contacts, suppression, library, language, initial, policyVersion },
    ledger,
    contacts: contactChanges,
    changed,
  };
}

/**
 * `PatronRegistered`: initial consent (source `registration`), contacts, library, language and the
 * first initial. `currentPolicyVersion` is not used: registration always names the policy the patron
 * accepted.
 */
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
      // Without one the registration says nothing of the initial (PatronPreferencesChanged clears it with null).
      ...(event.initial === undefined ? {} : { initial: event.initial }),
    },
  );
}

/**
 * `PatronPreferencesChanged`: consent and contact changes from the catalog or staff. Without a
 * `policyVersion` the change is recorded under the consortium's current policy version.
 */
export function applyPreferences(
  profile: PatronProfile,
  event: DetailOf<'PatronPreferencesChanged'>,
  currentPolicyVersion?: string,
): ProfileChange {
  const { changes } = event;
  return applyUpdates(
    profile,
    {
      at: toUtc(event.occurredAt),
      source: event.source,
      policyVersion: event.policyVersion ?? currentPolicyVersion,
      evidenceId: event.eventId,
    },
    {
      consent: changes.consent,
      contacts: { sms: changes.contact?.phone, email: changes.contact?.email },
      ...(changes.language === undefined ? {} : { language: changes.language }),
      ...(changes.initial === undefined ? {} : { initial: changes.initial }),
    },
  );
}

/** What one row of an ILS patron export states; `undefined` leaves a field as it is, `null` clears a contact. */
export interface ImportedPatron {
  readonly consent: Partial<Record<ConsentTopic, boolean>>;
  readonly contacts: Partial<Record<Channel, string | null>>;
  readonly library?: string | undefined;
  readonly language?: Language | undefined;
  /** The first initial only (derived from a first-name column; the name is never kept); `null` clears it. */
  readonly initial?: string | null | undefined;
}

/**
 * A bulk import row (source `import`): consent, contacts, library, language and initial as the ILS holds them
 * at `provenance.at`. The same rules as for events apply, so an import never overrides a newer change
 * and importing the same row again changes nothing.
 */
export function applyImport(profile: PatronProfile, row: ImportedPatron, provenance: Provenance): ProfileChange {
  return applyUpdates(profile, provenance, {
    consent: row.consent,
    contacts: row.contacts,
    ...(row.library === undefined ? {} : { library: row.library }),
    ...(row.language === undefined ? {} : { language: row.language }),
    ...(row.initial === undefined ? {} : { initial: row.initial }),
  });
}

/** A change of channel consent from outside the ILS (an SMS keyword, email feedback). */
export function applyChannelConsent(profile: PatronProfile, channel: Channel, optedIn: boolean, provenance: Provenance): ProfileChange {
  return applyUpdates(profile, provenance, { consent: { [channel]: optedIn } });
}

/** Suppresses a channel (hard bounce, complaint, invalid number) without rewriting the choice. */
export function applySuppression(
  profile: PatronProfile,
  channel: Channel,
  reason: SuppressionReason,
  provenance: Provenance,
): ProfileChange {
  return applyUpdates(profile, provenance, { suppress: { channel, reason } });
}

/**
 * `PatronClosed`: every consent ends (source `account-closed`), contacts, language, library and the
 * initial are dropped, and the profile becomes a tombstone. The caller deletes the patron's other records.
 */
export function applyClosure(profile: PatronProfile, event: DetailOf<'PatronClosed'>, currentPolicyVersion?: string): ProfileChange {
  const at = toUtc(event.occurredAt);
  if (closedSince(profile, at)) return unchanged(profile);
  const provenance: Provenance = {
    at,
    source: 'account-closed',
    policyVersion: currentPolicyVersion ?? profile.policyVersion?.value,
    evidenceId: event.eventId,
  };
  const ledger: ConsentLedgerEntry[] = [];
  const consent: Partial<Record<ConsentTopic, ConsentState>> = {};
  for (const topic of CONSENT_TOPICS) {
    const previous = profile.consent[topic];
    if (previous !== undefined && isNewer(previous.at, { at })) {
      // A choice made after the closure (account reopened) stands; one at the same time does not.
      consent[topic] = previous;
      continue;
    }
    consent[topic] = { optedIn: false, ...provenance };
    if (previous?.optedIn === true) ledger.push({ patronId: profile.patronId, topic, optedIn: false, ...provenance, effective: true });
  }
  const contacts: Partial<Record<Channel, StoredContact>> = {};
  const contactChanges: ContactChange[] = [];
  for (const channel of CHANNELS) {
    contacts[channel] = { cipher: null, at, evidenceId: event.eventId };
    contactChanges.push({ channel, value: null, at, evidenceId: event.eventId });
  }
  return {
    profile: {
      ...profile,
      consent,
      contacts,
      suppression: {},
      library: undefined,
      language: undefined,
      initial: undefined,
      closedAt: at,
    },
    ledger,
    contacts: contactChanges,
    changed: true,
    closed: true,
  };
}

/** Why a channel may not be used right now, or `undefined` when it may. */
export type ChannelBlock = 'not-opted-in' | 'suppressed' | 'no-contact';

/** Whether a notice may go out on `channel`: opted in, not suppressed, with a stored contact. */
export function channelBlock(profile: PatronProfile, channel: Channel): ChannelBlock | undefined {
  if (profile.consent[channel]?.optedIn !== true) return 'not-opted-in';
  if (profile.suppression[channel] !== undefined) return 'suppressed';
  const contact = profile.contacts[channel];
  if (contact === undefined || contact.cipher === null || contact.cipher === '') return 'no-contact';
  return undefined;
}

/** One step of a patron's consent history for a topic, rebuilt from the ledger. */
export interface ConsentHistoryStep {
  readonly at: string;
  readonly optedIn: boolean;
  readonly suppressed: boolean;
  readonly source: ConsentSource;
  readonly policyVersion: string | undefined;
  readonly evidenceId: string;
}

/**
 * Rebuilds each topic's history (oldest first) from ledger entries in any order, late ones
 * included; a step that restates the state before it is left out.
 */
export function consentHistory(ledger: readonly ConsentLedgerEntry[]): Partial<Record<ConsentTopic, ConsentHistoryStep[]>> {
  const history: Partial<Record<ConsentTopic, ConsentHistoryStep[]>> = {};
  const sorted = [...ledger].sort((a, b) => a.at.localeCompare(b.at) || a.evidenceId.localeCompare(b.evidenceId));
  for (const entry of sorted) {
    const steps = history[entry.topic] ?? [];
    history[entry.topic] = steps;
    const last = steps.at(-1);
    const suppressed = entry.suppressed ?? last?.suppressed ?? false;
    if (last && last.optedIn === entry.optedIn && last.suppressed === suppressed) continue;
    steps.push({
      at: entry.at,
      optedIn: entry.optedIn,
      suppressed,
      source: entry.source,
      policyVersion: entry.policyVersion,
      evidenceId: entry.evidenceId,
    });
  }
  return history;
}
