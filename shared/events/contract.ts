/**
 * Event contract v1: the public API between the ILS and Bookdrop (docs/event-contract.md).
 * Change it only by adding a version. These schemas validate inbound events and are exported as
 * JSON Schema under `schemas/` for ILS integrators (`npm run schemas`).
 */
import * as z from 'zod/mini';
import { hasGsm7Text } from '#shared/notices/gsm7.ts';
import { lazySchemas } from '#shared/events/lazySchemas.ts';
import { INITIAL_PATTERN, INITIAL_RULE } from '#shared/patrons/patronInitial.ts';

const E164_RULE = 'must be an E.164 phone number (+ and 8 to 15 digits)';

/** Identifier safe to use inside a storage key: letters, digits and `._:-`, 1 to 64 characters. */
export const id = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/, { error: 'must be 1 to 64 letters, digits or ._:- characters' }));
const text = (max: number) =>
  z.string().check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(max, { error: `must be at most ${max} characters` }));
const timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with offset' });
const phone = z.string().check(z.regex(/^\+[1-9]\d{7,14}$/, { error: E164_RULE }));
const email = z.email({ error: 'must be an email address' });
const language = z.enum(['en', 'es'], { error: 'must be "en" or "es"' });
/** Additive: a patron's first initial, one letter; a reply to a number several patrons share may label them by it. */
const initial = z.string().check(z.regex(INITIAL_PATTERN, { error: INITIAL_RULE }));
/** A text patrons get by SMS too: something must be left of it in SMS's GSM-7 alphabet. */
const smsText = text(2000).check(
  z.refine(hasGsm7Text, { error: 'must keep a letter or digit when written in the GSM-7 alphabet of SMS (not only emoji or symbols)' }),
);
const localizedSms = z.object({ en: smsText, es: z.optional(smsText) });

/** Fields every inbound `detail` carries. */
const base = {
  /** The producer's unique id for this event: the idempotency key. */
  eventId: id,
  /** When the event happened in the ILS; orders events that arrive late or out of order. */
  occurredAt: timestamp,
};

const patronRegistered = () =>
  z.object({
    ...base,
    patronId: id,
    library: id,
    language: z.optional(language),
    /** Additive: the first initial (one letter, never a name). Without it, a registration leaves the initial as it is. */
    initial: z.optional(initial),
    contact: z.object({ phone: z.optional(phone), email: z.optional(email) }),
    consent: z.object({ sms: z.boolean(), email: z.boolean(), checkoutHistory: z.boolean() }),
    policyVersion: text(64),
  });

const patronPreferencesChanged = () =>
  z.object({
    ...base,
    patronId: id,
    source: z.enum(['catalog', 'staff'], { error: 'must be "catalog" or "staff"' }),
    changes: z.object({
      consent: z.optional(
        z.object({ sms: z.optional(z.boolean()), email: z.optional(z.boolean()), checkoutHistory: z.optional(z.boolean()) }),
      ),
      /** `null` clears a contact. */
      contact: z.optional(z.object({ phone: z.optional(z.nullable(phone)), email: z.optional(z.nullable(email)) })),
      language: z.optional(language),
      /** Additive: the first initial; `null` clears it. */
      initial: z.optional(z.nullable(initial)),
    }),
    policyVersion: z.optional(text(64)),
  });

const patronClosed = () => z.object({ ...base, patronId: id });

const itemCheckedOut = () =>
  z.object({
    ...base,
    loanId: id,
    patronId: id,
    itemId: id,
    title: text(1000),
    materialType: z.optional(text(64)),
    branch: id,
    dueAt: timestamp,
  });

const loanRenewed = () =>
  z.object({
    ...base,
    loanId: id,
    patronId: id,
    dueAt: timestamp,
    /** Additive: the `RenewalRequested` this renewal answers (a renewal asked for by text). */
    requestId: z.optional(id),
  });

/** Additive: the ILS did not renew a loan a `RenewalRequested` asked for. */
const renewalRefused = () =>
  z.object({
    ...base,
    loanId: id,
    requestId: id,
    reason: z.enum(['too-many-renewals', 'on-hold', 'blocked', 'other'], {
      error: 'must be "too-many-renewals", "on-hold", "blocked" or "other"',
    }),
  });

const itemReturned = () => z.object({ ...base, loanId: id, patronId: id, branch: z.optional(id) });

const holdReady = () =>
  z.object({
    ...base,
    holdId: id,
    patronId: id,
    title: text(1000),
    pickupBranch: id,
    pickupBy: timestamp,
  });

const holdClosed = () =>
  z.object({
    ...base,
    holdId: id,
    patronId: id,
    reason: z.enum(['picked-up', 'cancelled', 'expired'], { error: 'must be "picked-up", "cancelled" or "expired"' }),
  });

const fineAssessed = () =>
  z.object({
    ...base,
    fineId: id,
    patronId: id,
    loanId: z.optional(id),
    amount: z.string().check(z.regex(/^\d{1,9}(\.\d{1,4})?$/, { error: 'must be a decimal string such as "2.50"' })),
    currency: z.string().check(z.regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 currency code such as "USD"' })),
    reason: text(200),
  });

const fineResolved = () =>
  z.object({
    ...base,
    fineId: id,
    patronId: id,
    resolution: z.enum(['paid', 'waived'], { error: 'must be "paid" or "waived"' }),
  });

const serviceUpdatePublished = () => z.object({ ...base, library: z.optional(id), message: localizedSms });

const privacyPolicyUpdated = () => z.object({ ...base, policyVersion: text(64), summary: localizedSms });

/** Every inbound `detail-type` of contract v1 and its `detail` schema (each built on first use). */
export const circulationEventSchemas = lazySchemas({
  PatronRegistered: patronRegistered,
  PatronPreferencesChanged: patronPreferencesChanged,
  PatronClosed: patronClosed,
  ItemCheckedOut: itemCheckedOut,
  LoanRenewed: loanRenewed,
  ItemReturned: itemReturned,
  HoldReady: holdReady,
  HoldClosed: holdClosed,
  FineAssessed: fineAssessed,
  FineResolved: fineResolved,
  ServiceUpdatePublished: serviceUpdatePublished,
  PrivacyPolicyUpdated: privacyPolicyUpdated,
  RenewalRefused: renewalRefused,
});

export type CirculationDetailType = keyof typeof circulationEventSchemas;
export const circulationDetailTypes = Object.keys(circulationEventSchemas) as CirculationDetailType[];

/** A validated inbound event: its detail-type and typed detail. */
export type CirculationEvent = {
  [K in CirculationDetailType]: { detailType: K; detail: z.infer<(typeof circulationEventSchemas)[K]> };
}[CirculationDetailType];

export type DetailOf<K extends CirculationDetailType> = z.infer<(typeof circulationEventSchemas)[K]>;

/**
 * The consent sources `PatronConsentChanged` carries (contract v1 and, additive since v1 was fixed,
 * `email-unsubscribe`, the patron's one-click unsubscribe link, and `import`, a bulk import of the
 * ILS's existing patrons). A ledger entry of another source (`delivery-feedback`) is not announced.
 */
export const ANNOUNCED_CONSENT_SOURCES = [
  'registration',
  'catalog',
  'staff',
  'sms-keyword',
  'email-feedback',
  'email-unsubscribe',
  'account-closed',
  'import',
] as const;

/** Outbound events (`source: "library.notices"`). They never carry contact values or titles. Built on first use. */
export const outboundEventSchemas = lazySchemas({
  PatronConsentChanged: () =>
    z.object({
      patronId: id,
      channel: z.enum(['sms', 'email']),
      optedIn: z.boolean(),
      source: z.enum(ANNOUNCED_CONSENT_SOURCES),
      at: timestamp,
    }),
  NoticeSent: () => z.object({ noticeId: z.string(), patronId: id, kind: z.string(), channel: z.enum(['sms', 'email']) }),
  NoticeFailed: () =>
    z.object({
      noticeId: z.string(),
      patronId: id,
      kind: z.string(),
      channel: z.enum(['sms', 'email']),
      reason: z.string(),
    }),
  /** Additive: a patron asked by text to renew these loans; the ILS answers each with `LoanRenewed` or `RenewalRefused`. */
  RenewalRequested: () => z.object({ requestId: id, patronId: id, loanIds: z.array(id).check(z.minLength(1)), requestedAt: timestamp }),
});

export type OutboundDetailType = keyof typeof outboundEventSchemas;
export type OutboundDetail<K extends OutboundDetailType> = z.infer<(typeof outboundEventSchemas)[K]>;

/** `source` of the events Bookdrop publishes. */
export const OUTBOUND_SOURCE = 'library.notices';
