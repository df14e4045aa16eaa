/**
 * Text commands (docs/sms-commands.md): RENEW (loans due soon), RENEW ALL and ITEMS, in English and
 * Spanish, read with the keyword normalization of `keywords.ts` (case, accents, fullwidth forms,
 * letter-spaced words, punctuation). Also the commands' settings with their defaults, and the words
 * of every reply: GSM-7, one segment where it can be, at most three for ITEMS with many loans.
 * Families share a number: each patron gets one line, labelled by card suffix or first initial,
 * never a name.
 */
import { libraryById, type ConsortiumConfig, type ResolvedBranding } from '#shared/config/consortiumConfig.ts';
import { gsm7Length, toGsm7 } from '#shared/notices/gsm7.ts';
import { formatDay, SMS_SEGMENT, smsSlot } from '#shared/notices/noticeText.ts';
import { displayPhone } from '#shared/notices/smsReplies.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';
import { keywordWords } from '#shared/sms/keywords.ts';

/** What a command asks for. */
export type SmsCommand = 'renew' | 'renew-all' | 'items';

/** A command and the language its word is in (the reply speaks it). */
export interface CommandRequest {
  readonly command: SmsCommand;
  /** `es` when the patron wrote a Spanish word; `undefined` for an English word (the patrons' language decides). */
  readonly language: Language | undefined;
}

const RENEW: Readonly<Record<string, Language | undefined>> = { RENEW: undefined, RENOVAR: 'es', RENUEVA: 'es', RENUEVE: 'es' };
const ALL: Readonly<Record<string, Language | undefined>> = { ALL: undefined, TODO: 'es', TODOS: 'es', TODAS: 'es' };
const ITEMS: Readonly<Record<string, Language | undefined>> = { ITEMS: undefined, LOANS: undefined, PRESTAMOS: 'es', ARTICULOS: 'es' };
/** Words that may follow a command without changing it ("renew please", "items gracias"). */
const TRAILING = new Set(['PLEASE', 'PLS', 'PLZ', 'POR', 'FAVOR', 'THANKS', 'THX', 'GRACIAS', 'MY', 'MIS', 'NOW', 'YA']);

/**
 * The command a message asks for, or `undefined`. Called only for text that is no opt-out, help or
 * opt-in keyword (those keep priority: "STOP RENEW" opts out). `RENEWALL` (letter-spaced "R E N E W
 * A L L") counts as RENEW ALL.
 */
export function classifyCommand(messageBody: string): CommandRequest | undefined {
  const words = keywordWords(messageBody);
  const [first, second] = words;
  if (first === undefined) return undefined;
  const rest = (from: number) => words.slice(from).every((word) => TRAILING.has(word));
  if (first === 'RENEWALL' && rest(1)) return { command: 'renew-all', language: undefined };
  if (first in RENEW) {
    if (second !== undefined && second in ALL && rest(2)) return { command: 'renew-all', language: RENEW[first] ?? ALL[second] };
    if (rest(1)) return { command: 'renew', language: RENEW[first] };
    return undefined;
  }
  if (first in ITEMS && rest(1)) return { command: 'items', language: ITEMS[first] };
  return undefined;
}

/** The commands' settings with their defaults. */
export interface CommandSettings {
  /** @default true */
  readonly enabled: boolean;
  /** RENEW renews the loans due within this many days (overdue ones too). @default 3 */
  readonly renewWithinDays: number;
  /** How long the ILS has to answer a renewal request. @default 120 */
  readonly ilsAnswerSeconds: number;
  /** @default 'card-suffix' */
  readonly patronLabel: 'initial' | 'card-suffix';
  readonly catalogUrl: string | undefined;
}

/** Defaults of {@link CommandSettings}. */
export const DEFAULT_COMMAND_SETTINGS: CommandSettings = {
  enabled: true,
  renewWithinDays: 3,
  ilsAnswerSeconds: 120,
  patronLabel: 'card-suffix',
  catalogUrl: undefined,
};

/**
 * The command settings, defaults filled in: the consortium's, with the patron label of `libraryId`'s
 * own choice (`libraries[].sms.commands.patronLabel`) when that library makes one. A reply speaks for
 * one library when every patron on the number belongs to it, else for the consortium.
 */
export function commandSettings(config: ConsortiumConfig, libraryId?: string): CommandSettings {
  const own = config.sms.commands ?? {};
  const library = libraryById(config, libraryId);
  return {
    enabled: own.enabled ?? DEFAULT_COMMAND_SETTINGS.enabled,
    renewWithinDays: own.renewWithinDays ?? DEFAULT_COMMAND_SETTINGS.renewWithinDays,
    ilsAnswerSeconds: own.ilsAnswerSeconds ?? DEFAULT_COMMAND_SETTINGS.ilsAnswerSeconds,
    patronLabel: library?.sms?.commands?.patronLabel ?? own.patronLabel ?? DEFAULT_COMMAND_SETTINGS.patronLabel,
    catalogUrl: own.catalogUrl,
  };
}

/**
 * How a reply names each patron of a shared number: nothing when the number has one patron; else the
 * end of the card (patron id) as `#1234`, or, when the library chose initials, the patron's first
 * initial as `A.` (written in GSM-7: `Á` is `A.`), the card for a patron without one. Never a name.
 * Every label on the number is distinct: two patrons with the same initial are `A. #1234` and
 * `A. #5678`, and two cards that end alike show as many more characters as tell them apart.
 */
export function patronLabels(
  patrons: readonly { patronId: string; initial?: string | null | undefined }[],
  mode: CommandSettings['patronLabel'],
): Map<string, string> {
  const labels = new Map<string, string>();
  if (patrons.length <= 1) {
    for (const { patronId } of patrons) labels.set(patronId, '');
    return labels;
  }
  const ids = patrons.map(({ patronId }) => patronId);
  const initials = patrons.map(({ initial }) => (mode === 'initial' && initial ? initialLabel(initial) : undefined));
  /** The card of each patron at an index of `among`: its last 4 characters, or as many more as tell it from the others. */
  const suffixes = (among: readonly number[]) =>
    new Map(
      among.map((index) => {
        const id = ids[index]!;
        let length = CARD_SUFFIX;
        while (length < id.length && among.some((other) => other !== index && ids[other]!.endsWith(id.slice(-length)))) length++;
        return [index, `#${id.slice(-length)}`];
      }),
    );
  const cards = suffixes(patrons.map((_, index) => index).filter((index) => initials[index] === undefined));
  for (const [index, patronId] of ids.entries()) {
    const own = initials[index];
    if (own === undefined) {
      labels.set(patronId, cards.get(index)!);
      continue;
    }
    const sharing = initials.flatMap((other, at) => (other === own ? [at] : []));
    labels.set(patronId, sharing.length > 1 ? `${own} ${suffixes(sharing).get(index)!}` : own);
  }
  return labels;
}

/** Characters of the card a label shows, unless two cards on the number end alike. */
const CARD_SUFFIX = 4;

/** `A.` for an initial, as the reply writes it (GSM-7, upper case); `undefined` when nothing of it is left. */
function initialLabel(initial: string): string | undefined {
  const letter = [...toGsm7(initial.toUpperCase()).trim()][0];
  return letter === undefined || !/\p{L}/u.test(letter) ? undefined : `${letter}.`;
}

/** Why the ILS did not renew a loan (`RenewalRefused.reason`). */
export type RefusalReason = 'too-many-renewals' | 'on-hold' | 'blocked' | 'other';

/** The reasons in plain words. */
const REASONS: Record<Language, Record<RefusalReason, string>> = {
  en: {
    'too-many-renewals': 'renewal limit reached',
    'on-hold': 'someone is waiting for it',
    blocked: 'your account needs attention',
    other: 'the library could not renew it',
  },
  es: {
    'too-many-renewals': 'limite de renovaciones',
    'on-hold': 'otra persona lo espera',
    blocked: 'su cuenta requiere atencion',
    other: 'la biblioteca no pudo renovarlo',
  },
};

/** What became of one loan of a renewal request. */
export type LoanOutcome =
  | { readonly state: 'renewed'; readonly dueAt: string }
  | { readonly state: 'refused'; readonly reason: RefusalReason }
  | { readonly state: 'pending' };

/** One patron's part of a renewal reply. */
export interface RenewalLine {
  readonly label: string;
  readonly loans: readonly LoanOutcome[];
}

/** What a reply needs to speak: language, library, time zone. */
export interface ReplyVoice {
  readonly language: Language;
  readonly branding: ResolvedBranding;
  readonly timeZone: string;
}

const day = (iso: string, voice: ReplyVoice) => formatDay(iso, voice.language, voice.timeZone);
const distinct = <T>(values: readonly T[]) => [...new Set(values)];
/** The renewed loans' due days, earliest first, or only the last when `latestOnly`. */
function dueDays(loans: readonly LoanOutcome[], voice: ReplyVoice, latestOnly: boolean): string {
  const dates = loans.flatMap((loan) => (loan.state === 'renewed' ? [loan.dueAt] : [])).sort();
  const shown = latestOnly ? dates.slice(-1) : dates;
  return distinct(shown.map((iso) => day(iso, voice))).join(', ');
}

const RENEWAL_WORDS = {
  en: {
    renewed: (n: number, due: string, latest: boolean) => `renewed ${n}, due ${latest && n > 1 ? 'by ' : ''}${due}`,
    refused: (n: number, why: string) => `not renewed ${n}${why === '' ? '' : ` (${why})`}`,
    pending: (n: number) => `no answer for ${n}`,
    pendingHelp: (phone: string, catalog: boolean) => `Renew ${catalog ? 'in the online catalog or ' : ''}at ${phone}.`,
    nothing: (days: number) => `Nothing is due in the next ${days} days. Reply RENEW ALL to renew all, ITEMS to list.`,
    none: 'You have no items out.',
    silent: (phone: string, catalog: boolean) =>
      `The library system did not answer, nothing was renewed. Renew ${catalog ? 'in the online catalog or ' : ''}at ${phone}.`,
  },
  es: {
    renewed: (n: number, due: string, latest: boolean) => `renovados ${n}, vencen ${latest && n > 1 ? 'hasta ' : ''}${due}`,
    refused: (n: number, why: string) => `no renovados ${n}${why === '' ? '' : ` (${why})`}`,
    pending: (n: number) => `sin respuesta para ${n}`,
    pendingHelp: (phone: string, catalog: boolean) => `Renueve ${catalog ? 'en el catalogo o ' : ''}al ${phone}.`,
    nothing: (days: number) => `Nada vence en los proximos ${days} dias. Responda RENOVAR TODO o PRESTAMOS.`,
    none: 'No tiene prestamos.',
    silent: (phone: string, catalog: boolean) =>
      `El sistema de la biblioteca no respondio, no se renovo nada. Renueve ${catalog ? 'en el catalogo o ' : ''}al ${phone}.`,
  },
} as const;

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A reply's text: the library's short name first, GSM-7, on one line. */
function reply(voice: ReplyVoice, body: string): string {
  return toGsm7(`${smsSlot(voice.branding.shortName)}: ${body}`);
}

/**
 * The one reply to a renewal request: what was renewed (new due dates) and what was not (reasons in
 * plain words), per patron of the number; when the ILS left some loans unanswered, how to renew them
 * otherwise. Always one segment: it says less (the latest due date, then no reasons, then the
 * family's totals) until it fits.
 */
export function renewalReply(lines: readonly RenewalLine[], voice: ReplyVoice, catalog: boolean): string {
  const words = RENEWAL_WORDS[voice.language];
  const phone = displayPhone(voice.branding.supportPhone);
  const all = lines.flatMap((line) => line.loans);
  if (all.every((loan) => loan.state === 'pending')) return reply(voice, words.silent(phone, catalog));
  const render = (level: 0 | 1 | 2 | 3) => {
    // The last level adds the family's loans up on one line, without labels.
    const shown = level === 3 ? [{ label: '', loans: all }] : lines;
    const parts = shown
      .filter((line) => line.loans.length > 0)
      .map((line) => {
        const renewed = line.loans.filter((loan) => loan.state === 'renewed');
        const refused = line.loans.flatMap((loan) => (loan.state === 'refused' ? [loan.reason] : []));
        const pending = line.loans.filter((loan) => loan.state === 'pending').length;
        const clauses = [
          ...(renewed.length > 0 ? [words.renewed(renewed.length, dueDays(renewed, voice, level > 0), level > 0)] : []),
          ...(refused.length > 0
            ? [
                words.refused(
                  refused.length,
                  level < 2
                    ? distinct(refused)
                        .map((reason) => REASONS[voice.language][reason])
                        .join(', ')
                    : '',
                ),
              ]
            : []),
          ...(pending > 0 ? [words.pending(pending)] : []),
        ].join('; ');
        return line.label === '' ? `${capitalize(clauses)}.` : `${line.label}: ${clauses}.`;
      });
    const tail = all.some((loan) => loan.state === 'pending') ? ` ${words.pendingHelp(phone, catalog)}` : '';
    return reply(voice, `${parts.join(' ')}${tail}`);
  };
  for (const level of [0, 1, 2] as const) {
    const text = render(level);
    if (gsm7Length(text) <= SMS_SEGMENT) return text;
  }
  return render(3);
}

/** The reply to RENEW when nothing is due within the window (or RENEW ALL with nothing out). */
export function nothingToRenewReply(voice: ReplyVoice, withinDays: number, anyLoans: boolean): string {
  const words = RENEWAL_WORDS[voice.language];
  return reply(voice, anyLoans ? words.nothing(withinDays) : words.none);
}

/** One open loan as ITEMS reports it. */
export interface ItemsLoan {
  readonly dueAt: string;
  /** Shown only when the library enables titles in SMS. */
  readonly title?: string | undefined;
}

/** Septets three concatenated GSM-7 segments hold (153 each: the rest is the concatenation header). */
export const THREE_SEGMENTS = 3 * 153;

const ITEMS_WORDS = {
  en: {
    count: (n: number) => (n === 1 ? '1 item' : `${n} items`),
    due: 'due',
    none: 'no items',
    more: (url: string | undefined) => (url ? `More: ${url}` : 'More in the online catalog.'),
    renew: 'Reply RENEW to renew.',
  },
  es: {
    count: (n: number) => (n === 1 ? '1 prestamo' : `${n} prestamos`),
    due: 'vence',
    none: 'sin prestamos',
    more: (url: string | undefined) => (url ? `Mas: ${url}` : 'Mas en el catalogo.'),
    renew: 'Responda RENOVAR para renovar.',
  },
} as const;

/**
 * The reply to ITEMS: per patron the count and due dates of open loans (titles only when the library
 * enables them). One segment where it fits, at most three; past that the last entries give way to a
 * pointer to the catalog.
 */
export function itemsReply(
  patrons: readonly { label: string; loans: readonly ItemsLoan[] }[],
  voice: ReplyVoice,
  options: { titles: boolean; catalogUrl: string | undefined },
): string {
  const words = ITEMS_WORDS[voice.language];
  const entries = patrons.map((patron) => {
    const loans = [...patron.loans].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    const head = `${patron.label === '' ? '' : `${patron.label}: `}${loans.length === 0 ? words.none : words.count(loans.length)}`;
    const details = options.titles
      ? loans.map((loan) => `${loan.title ? `${smsSlot(loan.title)} ` : ''}${words.due} ${day(loan.dueAt, voice)}`)
      : groupByDay(loans, voice).map(([date, count]) => `${date}${count > 1 ? ` (${count})` : ''}`);
    return { head, details, titles: options.titles };
  });
  const render = (limit: number | undefined) => {
    let shown = 0;
    const text = entries
      .map((entry) => {
        const room = limit === undefined ? entry.details.length : Math.max(0, Math.min(entry.details.length, limit - shown));
        shown += room;
        const kept = entry.details.slice(0, room);
        if (kept.length === 0) return `${entry.head}.`;
        return entry.titles ? `${entry.head}: ${kept.join('; ')}.` : `${entry.head}, ${words.due} ${kept.join(', ')}.`;
      })
      .join(' ');
    return { text, shown };
  };
  const total = entries.reduce((sum, entry) => sum + entry.details.length, 0);
  const full = reply(voice, `${render(undefined).text} ${words.renew}`);
  if (gsm7Length(full) <= THREE_SEGMENTS) return full;
  for (let limit = total - 1; limit >= 0; limit--) {
    const text = reply(voice, `${render(limit).text} ${words.more(options.catalogUrl)}`);
    if (gsm7Length(text) <= THREE_SEGMENTS) return text;
  }
  return reply(voice, words.more(options.catalogUrl));
}

function groupByDay(loans: readonly ItemsLoan[], voice: ReplyVoice): [string, number][] {
  const counts = new Map<string, number>();
  for (const loan of loans) {
    const date = day(loan.dueAt, voice);
    counts.set(date, (counts.get(date) ?? 0) + 1);
  }
  return [...counts];
}
