/**
 * Pieces several notice kinds share: payload schemas (a hold, a digest of loans, a text in English
 * and Spanish) and the small phrases built from them.
 */
import * as z from 'zod/mini';
import { NoticeTextError } from '#shared/errors.ts';
import type { ComposeContext } from '#shared/notices/kinds/defineNoticeKind.ts';
import { hasGsm7Text } from '#shared/notices/gsm7.ts';
import { asSentence, formatDay, quotableSlot } from '#shared/notices/noticeText.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

/** A ready hold: hold-ready and hold-expiring. */
export const holdPayload = { hold: z.object({ title: z.string(), pickupBranch: z.string(), pickupBy: z.string() }) };

/** Every item of the patron due that day (one notice, a digest): due-soon and overdue. */
export const itemsPayload = {
  items: z.array(z.object({ loanId: z.string(), title: z.string(), dueAt: z.string() })).check(z.minLength(1)),
};

/** What a digest's notifier message carries: the ids of its loans (their titles are read at send time). */
export const loanIdsPayload = { loanIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) };

/** A text the library wrote, in English and optionally Spanish. */
export const localizedText = z.object({ en: z.string(), es: z.optional(z.string()) });

/** The patron's language version of a library's text, English when there is none. */
export function inLanguage(text: z.infer<typeof localizedText>, language: Language): string {
  return (language === 'es' ? text.es : undefined) ?? text.en;
}

/** A day in the library's time zone and the patron's language. */
export function dayOf(iso: string, context: ComposeContext): string {
  return formatDay(iso, context.language, context.timeZone);
}

/** The due day of a digest (its items share it). */
export function dueDay(items: readonly { dueAt: string }[], context: ComposeContext): string {
  const [first] = items;
  if (first === undefined) throw new NoticeTextError('a loan digest without items');
  return dayOf(first.dueAt, context);
}

/**
 * The title an SMS may show: only when the consortium allows titles in SMS and the title has
 * something left in GSM-7 (an all-emoji title leaves nothing: the SMS then names no title).
 */
export function smsTitle(titles: readonly string[], context: ComposeContext): string | undefined {
  if (!context.smsIncludesTitles) return undefined;
  return titles.map(quotableSlot).find((title) => title !== '');
}

/** `+18455550111` → `845-555-0111`: short enough for SMS. */
export function displayPhoneShort(e164: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return us ? `${us[1]}-${us[2]}-${us[3]}` : e164;
}

/** "2.50 USD" in the patron's language, e.g. "$2.50" / "2,50 US$". */
export function formatMoney(amount: string, currency: string, language: Language): string {
  try {
    return new Intl.NumberFormat(language === 'es' ? 'es-US' : 'en-US', { style: 'currency', currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A digest of loans in SMS: the first title the SMS may show and how many more, or how many items. */
export interface LoanDigest {
  /** `"{title}" {more}` when a title may be shown, else how many items ("3 items", "1 articulo"). */
  readonly subject: string;
  readonly count: number;
  readonly slots: Readonly<Record<string, string>>;
}

/** The SMS subject of a due-soon or overdue digest, and its slots. */
export function loanDigest(items: readonly { title: string; dueAt: string }[], context: ComposeContext): LoanDigest {
  const count = items.length;
  const title = smsTitle(
    items.map((item) => item.title),
    context,
  );
  const es = context.language === 'es';
  const more = count === 1 ? '' : es ? `y ${count - 1} mas` : `and ${count - 1} more`;
  const what = es ? (count === 1 ? '1 articulo' : `${count} articulos`) : count === 1 ? '1 item' : `${count} items`;
  return {
    subject: title === undefined ? what : '"{title}" {more}',
    count,
    slots: {
      library: context.branding.shortName,
      date: dueDay(items, context),
      title: title ?? '',
      more,
      phone: displayPhoneShort(context.branding.supportPhone),
    },
  };
}

/**
 * A library's own text for SMS, as a sentence (so the opt-out instruction after it reads right).
 * Nothing left once mapped onto GSM-7 is refused: the event contract refuses such texts first.
 */
export function requireSmsText(text: string, field: string): string {
  if (!hasGsm7Text(text)) throw new NoticeTextError(`${field} has no letter or digit left in GSM-7`, { context: { field } });
  return asSentence(text);
}
