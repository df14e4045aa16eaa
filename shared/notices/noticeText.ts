/**
 * Building blocks for notice text: dates in the library's time zone and language, SMS bodies that
 * stay GSM-7 and one segment, and HTML-safe email bodies.
 */
import { NoticeTextError } from '#shared/errors.ts';
import { gsm7Length, toGsm7, truncateGsm7 } from '#shared/notices/gsm7.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

/** One SMS segment in GSM-7. */
export const SMS_SEGMENT = 160;

const LOCALES: Record<Language, string> = { en: 'en-US', es: 'es-US' };

/** A short day for SMS and email, e.g. "Tue Dec 1" / "mar 1 dic", in the library's time zone. */
export function formatDay(iso: string, language: Language, timeZone: string): string {
  const parts = new Intl.DateTimeFormat(LOCALES[language], {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
  }).formatToParts(new Date(iso));
  const get = (type: string) => (parts.find((part) => part.type === type)?.value ?? '').replace(/\.$/, '');
  return language === 'es' ? `${get('weekday')} ${get('day')} ${get('month')}` : `${get('weekday')} ${get('month')} ${get('day')}`;
}

/**
 * A value as it may stand inside an SMS: GSM-7 on one line, its double quotes made single (templates
 * use double quotes around titles), and a pair of quotes around the whole value removed.
 */
export function smsSlot(value: string): string {
  let slot = tidySms(value).replace(/"/g, "'");
  while (slot.length >= 2 && slot.startsWith("'") && slot.endsWith("'")) slot = slot.slice(1, -1).trim();
  return slot;
}

/** A value a template puts in quotes: no quote may open or close it (never `"'x'"`). */
export function quotableSlot(value: string): string {
  return smsSlot(value).replace(/^['\s]+|['\s]+$/g, '');
}

/** Ends `text` as a sentence (".", "!" or "?"), unless it is empty. */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' || /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** The text rules of every SMS: one line, single spaces, no ".." nor "!." nor " .". */
function tidySms(body: string): string {
  return toGsm7(body)
    .replace(/ +([.,;:!?])/g, '$1')
    .replace(/([.!?])\.+/g, '$1');
}

/**
 * Renders an SMS from a template whose `{slot}` values may be shortened, in the order given, until
 * the whole body fits one GSM-7 segment. Values go through {@link smsSlot}. The fixed text (with its
 * opt-out instruction) is never cut: a template that cannot fit is refused.
 */
export function fitSms(template: string, slots: Readonly<Record<string, string>>, shrinkable: readonly string[]): string {
  const values = Object.fromEntries(Object.entries(slots).map(([key, value]) => [key, smsSlot(value)]));
  const render = () => tidySms(template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? ''));
  let body = render();
  for (const slot of shrinkable) {
    // Tidying may join what a cut separated: cut again (a few times at most) until the body fits.
    for (let attempt = 0; attempt < 3 && gsm7Length(body) > SMS_SEGMENT; attempt++) {
      const current = values[slot] ?? '';
      if (gsm7Length(current) <= 3) break;
      values[slot] = truncateGsm7(current, Math.max(3, gsm7Length(current) - (gsm7Length(body) - SMS_SEGMENT)));
      body = render();
    }
  }
  if (gsm7Length(body) > SMS_SEGMENT) {
    throw new NoticeTextError('SMS template does not fit one segment', { context: { septets: gsm7Length(body) } });
  }
  return body;
}

/** Escapes text for HTML email bodies. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * A minimal, accessible HTML email around paragraphs of plain text; `footerHtml` is an HTML fragment
 * the caller has escaped (see emailFooter.ts).
 */
export function htmlEmail(language: Language, title: string, paragraphs: readonly string[], footerHtml: string): string {
  const body = paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n');
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:sans-serif;line-height:1.5;max-width:36em">
${body}
<hr>${footerHtml}
</body></html>`;
}
