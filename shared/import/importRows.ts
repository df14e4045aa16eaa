/**
 * Turns the records of a patron export into import rows (of a first name, only its initial), checking every one before anything is
 * written. A row that breaks a rule is refused (its line, column and rule are reported, never its
 * value); a phone number or email address that is not valid leaves that channel off the row (a
 * warning); several rows for one patron are reported and the last one wins.
 *
 * Phone numbers are normalized to E.164 with libphonenumber-js and the configured default country.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import * as z from 'zod/mini';
import { zonedInstant } from '#shared/clock.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { libraryOfBranch } from '#shared/config/consortiumConfig.ts';
import { DEFAULT_NO, DEFAULT_YES, type ImportMapping, type MappedField } from '#shared/import/importMapping.ts';
import type { SourceRecord, UnreadableLine } from '#shared/import/patronFile.ts';
import { initialOfName } from '#shared/patrons/patronInitial.ts';
import type { Channel, ImportedPatron, Language } from '#shared/patrons/patronProfile.ts';

/** A row ready to import. */
export interface ImportRow extends ImportedPatron {
  readonly line: number;
  readonly patronId: string;
  /** When the ILS recorded these choices (UTC), if the export says. */
  readonly consentAt: string | undefined;
}

/** A problem with one row: where it is and which rule it breaks. Never the value. */
export interface RowIssue {
  readonly line: number;
  /** The file's column (or JSON field) name. */
  readonly field: string;
  readonly rule: string;
}

export interface CheckedImport {
  /** One row per patron (the last of its rows), in the order patrons first appear in the file. */
  readonly rows: readonly ImportRow[];
  /** Rows refused: nothing of them is imported. */
  readonly refused: readonly RowIssue[];
  /** Rows imported with a channel left off, an unknown library or language, or replaced by a later row. */
  readonly warnings: readonly RowIssue[];
  readonly recordCount: number;
  readonly duplicateCount: number;
}

export interface CheckContext {
  readonly config: ConsortiumConfig;
  /** Country of numbers written without a country code. */
  readonly defaultCountry: CountryCode;
  /** Consent dates after this are refused. */
  readonly now: Date;
}

const PATRON_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const ID_RULE = 'must be 1 to 64 letters, digits or ._:- characters';
const email = z.email();
const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const isoWithOffset = z.iso.datetime({ offset: true });

/** A phone number as E.164, or why it cannot be one. */
export function normalizePhone(raw: string, defaultCountry: CountryCode): { e164: string } | { rule: string } {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry);
  if (!parsed?.isValid()) return { rule: `must be a valid phone number (numbers without a country code are read as ${defaultCountry})` };
  if (parsed.ext) return { rule: 'must not have an extension: an extension cannot receive text messages' };
  return { e164: parsed.number };
}

/** A consent date as UTC ISO: with an offset as given, without one in the consortium's time zone. */
export function parseConsentDate(raw: string, timeZone: string): string | undefined {
  if (isoWithOffset.safeParse(raw).success) return new Date(raw).toISOString();
  const local = LOCAL_DATE_TIME.exec(raw);
  if (!local) return undefined;
  const [, day, hour = '00', minute = '00', second = '00'] = local;
  const [year, month, date] = day!.split('-').map(Number) as [number, number, number];
  const check = new Date(Date.UTC(year, month - 1, date));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59)
    return undefined;
  return new Date(zonedInstant(timeZone, day!, `${hour}:${minute}`).getTime() + Number(second) * 1000).toISOString();
}

/** Checks every record against the mapping and the configuration. Pure: no I/O. */
export function checkRecords(
  records: readonly SourceRecord[],
  unreadable: readonly UnreadableLine[],
  mapping: ImportMapping,
  context: CheckContext,
): CheckedImport {
  const refused: RowIssue[] = unreadable.map(({ line, rule }) => ({ line, field: '(line)', rule }));
  const warnings: RowIssue[] = [];
  const byPatron = new Map<string, number>();
  const rows: ImportRow[] = [];
  let duplicateCount = 0;
  const yes = new Set((mapping.yes ?? DEFAULT_YES).map((value) => value.toLowerCase()));
  const no = new Set((mapping.no ?? DEFAULT_NO).map((value) => value.toLowerCase()));
  const knownLibraries = new Set(context.config.libraries.map((library) => library.id));

  for (const record of records) {
    const rowIssues: RowIssue[] = [];
    const rowWarnings: RowIssue[] = [];
    const column = (field: MappedField) => mapping.columns[field];
    const value = (field: MappedField): string | undefined => {
      const name = column(field);
      return name === undefined ? undefined : (record.values[name] ?? '').trim();
    };
    const refuse = (field: MappedField, rule: string) => rowIssues.push({ line: record.line, field: column(field)!, rule });
    const warn = (field: MappedField, rule: string) => rowWarnings.push({ line: record.line, field: column(field)!, rule });

    const patronId = value('patronId') ?? '';
    if (patronId === '') refuse('patronId', 'is required');
    else if (!PATRON_ID.test(patronId)) refuse('patronId', ID_RULE);

    const optIn = (field: MappedField): boolean | undefined => {
      const raw = value(field);
      if (raw === undefined) return undefined;
      const lower = raw.toLowerCase();
      if (yes.has(lower)) return true;
      if (no.has(lower)) return false;
      refuse(field, `must be one of ${[...yes, ...no].map((token) => (token === '' ? '(empty)' : token)).join(', ')}`);
      return undefined;
    };
    const consent: Partial<Record<'sms' | 'email' | 'checkoutHistory', boolean>> = {};
    const contacts: Partial<Record<Channel, string | null>> = {};
    const sms = optIn('smsOptIn');
    const mail = optIn('emailOptIn');
    const history = optIn('checkoutHistoryOptIn');
    if (history !== undefined) consent.checkoutHistory = history;

    const phone = value('phone');
    if (phone !== undefined) {
      if (phone === '') {
        contacts.sms = null;
        if (sms !== undefined) consent.sms = sms;
      } else {
        const normalized = normalizePhone(phone, context.defaultCountry);
        if ('e164' in normalized) {
          contacts.sms = normalized.e164;
          if (sms !== undefined) consent.sms = sms;
        } else {
          warn('phone', `${normalized.rule}; SMS left off for this patron`);
        }
      }
    } else if (sms !== undefined) {
      consent.sms = sms;
    }

    const address = value('email');
    if (address !== undefined) {
      if (address === '') {
        contacts.email = null;
        if (mail !== undefined) consent.email = mail;
      } else if (email.safeParse(address).success) {
        contacts.email = address;
        if (mail !== undefined) consent.email = mail;
      } else {
        warn('email', 'must be an email address; email left off for this patron');
      }
    } else if (mail !== undefined) {
      consent.email = mail;
    }

    let library: string | undefined;
    const code = value('library');
    if (code) {
      const mapped = mapping.libraries?.[code] ?? code;
      library = knownLibraries.has(mapped) ? mapped : (libraryOfBranch(context.config, mapped) ?? mapped);
      if (!PATRON_ID.test(library)) refuse('library', ID_RULE);
      else if (!knownLibraries.has(library)) {
        warn(
          'library',
          'is not a member library or branch of the configuration (nor mapped in "libraries"): the consortium\'s branding is used',
        );
      }
    }

    let language: Language | undefined;
    const lang = value('language')?.toLowerCase();
    if (lang) {
      const primary = lang.split(/[-_]/)[0]!;
      language = mapping.languages?.[lang] ?? (primary === 'en' || primary === 'es' ? primary : undefined);
      if (language === undefined) warn('language', 'is not a supported language (en, es) nor mapped in "languages": left unset');
    }

    // Only the initial is derived; the name goes no further than this line.
    let initial: string | null | undefined;
    const firstName = value('firstName');
    if (firstName !== undefined) {
      initial = initialOfName(firstName) ?? null;
      if (initial === null && firstName !== '') warn('firstName', 'does not start with a letter: no initial for this patron');
    }

    let consentAt: string | undefined;
    const when = value('consentAt');
    if (when) {
      consentAt = parseConsentDate(when, context.config.timeZone);
      if (consentAt === undefined)
        refuse('consentAt', 'must be a date (YYYY-MM-DD), a date and time, or an ISO 8601 date-time with offset');
      else if (Date.parse(consentAt) > context.now.getTime()) refuse('consentAt', 'must not be in the future');
    }

    if (rowIssues.length > 0) {
      refused.push(...rowIssues);
      continue;
    }
    warnings.push(...rowWarnings);
    const row: ImportRow = { line: record.line, patronId, consent, contacts, library, language, initial, consentAt };
    const earlier = byPatron.get(patronId);
    if (earlier === undefined) {
      byPatron.set(patronId, rows.length);
      rows.push(row);
    } else {
      duplicateCount++;
      warnings.push({
        line: rows[earlier]!.line,
        field: mapping.columns.patronId,
        rule: `the same patron as line ${record.line}, which wins`,
      });
      rows[earlier] = row;
    }
  }
  const byLine = (a: RowIssue, b: RowIssue) => a.line - b.line;
  return {
    rows,
    refused: refused.sort(byLine),
    warnings: warnings.sort(byLine),
    recordCount: records.length + unreadable.length,
    duplicateCount,
  };
}
