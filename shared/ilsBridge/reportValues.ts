/**
 * Turns the text of one CSV cell into a contract value: dates in the report's formats and time zone,
 * money, yes/no flags, phone numbers (E.164), email addresses and first initials. Each returns the value or the rule
 * the text breaks; the text itself is never part of a rule.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { zonedInstant } from '#shared/clock.ts';
import { initialOfName } from '#shared/patrons/patronInitial.ts';

/** A cell's value or the rule it breaks. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rule: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const broken = (rule: string): Parsed<never> => ({ ok: false, rule });

/** `ISO` in a mapping's date formats accepts ISO 8601 date-times with an offset. */
export const ISO_FORMAT = 'ISO';
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const TOKENS: Record<string, { pattern: string; part: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' }> = {
  yyyy: { pattern: '(\\d{4})', part: 'year' },
  MM: { pattern: '(\\d{2})', part: 'month' },
  M: { pattern: '(\\d{1,2})', part: 'month' },
  dd: { pattern: '(\\d{2})', part: 'day' },
  d: { pattern: '(\\d{1,2})', part: 'day' },
  HH: { pattern: '(\\d{2})', part: 'hour' },
  H: { pattern: '(\\d{1,2})', part: 'hour' },
  mm: { pattern: '(\\d{2})', part: 'minute' },
  ss: { pattern: '(\\d{2})', part: 'second' },
};
const TOKEN = /yyyy|MM|M|dd|d|HH|H|mm|ss/g;

interface CompiledFormat {
  readonly regex: RegExp;
  readonly parts: readonly (typeof TOKENS)[string]['part'][];
}

const compiled = new Map<string, CompiledFormat>();

/** Wall-clock minutes already converted, per time zone: report dates repeat a lot (due days, pickup days). */
const instants = new Map<string, number>();
const MAX_CACHED_INSTANTS = 50_000;

function cachedZonedInstant(timeZone: string, day: string, time: string): number {
  const key = `${timeZone} ${day} ${time}`;
  let instant = instants.get(key);
  if (instant === undefined) {
    if (instants.size >= MAX_CACHED_INSTANTS) instants.clear();
    instant = zonedInstant(timeZone, day, time).getTime();
    instants.set(key, instant);
  }
  return instant;
}

/** Compiles a date format such as `yyyy-MM-dd HH:mm:ss` or `M/d/yyyy`; throws on one without a full date. */
export function compileDateFormat(format: string): CompiledFormat {
  const known = compiled.get(format);
  if (known) return known;
  const parts: CompiledFormat['parts'][number][] = [];
  let source = '';
  let last = 0;
  for (const match of format.matchAll(TOKEN)) {
    source += escapeRegex(format.slice(last, match.index)) + TOKENS[match[0]]!.pattern;
    parts.push(TOKENS[match[0]]!.part);
    last = match.index + match[0].length;
  }
  source += escapeRegex(format.slice(last));
  if (!['year', 'month', 'day'].every((part) => parts.includes(part as never))) {
    throw new Error(`date format "${format}" needs yyyy, M or MM, and d or dd`);
  }
  const result = { regex: new RegExp(`^${source}$`), parts };
  compiled.set(format, result);
  return result;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A date or date-time of the report, read with the first matching format in `timeZone`, as an ISO
 * 8601 instant. A date without a time is taken at `dateOnlyTime` (HH:MM) on that day.
 */
export function parseReportDate(text: string, formats: readonly string[], timeZone: string, dateOnlyTime: string): Parsed<string> {
  for (const format of formats) {
    if (format === ISO_FORMAT) {
      if (ISO_WITH_OFFSET.test(text) && !Number.isNaN(Date.parse(text))) return ok(new Date(text).toISOString());
      continue;
    }
    const { regex, parts } = compileDateFormat(format);
    const match = regex.exec(text);
    if (!match) continue;
    const value = { year: 0, month: 0, day: 0, hour: -1, minute: 0, second: 0 };
    parts.forEach((part, index) => {
      value[part] = Number(match[index + 1]);
    });
    const check = new Date(Date.UTC(value.year, value.month - 1, value.day));
    if (check.getUTCMonth() !== value.month - 1 || check.getUTCDate() !== value.day) return broken('is not a calendar date');
    if (value.hour > 23 || value.minute > 59 || value.second > 59) return broken('is not a time of day');
    const day = `${String(value.year).padStart(4, '0')}-${String(value.month).padStart(2, '0')}-${String(value.day).padStart(2, '0')}`;
    const time = value.hour < 0 ? dateOnlyTime : `${String(value.hour).padStart(2, '0')}:${String(value.minute).padStart(2, '0')}`;
    const instant = cachedZonedInstant(timeZone, day, time) + (value.hour < 0 ? 0 : value.second * 1000);
    return ok(new Date(instant).toISOString());
  }
  return broken(`must be a date in one of the formats ${formats.join(', ')}`);
}

/** Money as a decimal string with at most two decimals (`2.500000` becomes `2.50`). */
export function parseAmount(text: string): Parsed<string> {
  const match = /^(\d{1,9})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return broken('must be a non-negative decimal amount such as 2.50');
  const cents = Math.round(Number(`0.${match[2] ?? '0'}`) * 100);
  if (cents === 100) return ok(`${BigInt(match[1]!) + 1n}.00`);
  return ok(`${BigInt(match[1]!)}.${String(cents).padStart(2, '0')}`);
}

const YES = new Set(['1', 'y', 'yes', 'true', 't']);
const NO = new Set(['0', 'n', 'no', 'false', 'f', '']);

/** A yes/no flag: 1/0, yes/no, y/n, true/false; empty is no. */
export function parseFlag(text: string): Parsed<boolean> {
  const key = text.trim().toLowerCase();
  if (YES.has(key)) return ok(true);
  if (NO.has(key)) return ok(false);
  return broken('must be a yes/no flag (1 or 0, yes or no, true or false)');
}

/** A phone number in E.164, read with `country` as the default country; empty is no phone. */
export function parsePhone(text: string, country: string): Parsed<string | null> {
  if (text.trim() === '') return ok(null);
  const phone = parsePhoneNumberFromString(text, country as CountryCode);
  return phone?.isPossible() ? ok(phone.number) : broken(`must be a phone number (E.164, or national for ${country})`);
}

/**
 * The first initial of a first name (or of a cell holding only the initial): the name goes no further.
 * Empty, or no letter first, is no initial (`null`: it clears the one Bookdrop holds).
 */
export function parseFirstInitial(text: string): Parsed<string | null> {
  return ok(initialOfName(text) ?? null);
}

/** An email address; empty is no email. */
export function parseEmail(text: string): Parsed<string | null> {
  const value = text.trim();
  if (value === '') return ok(null);
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? ok(value) : broken('must be an email address');
}
