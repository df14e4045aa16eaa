/**
 * Building blocks for notice text: dates in the library's time zone and language, SMS bodies that
 * stay GSM-7 and one segment, and HTML-safe email bodies.
 */
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
  return language === 'es'
    ? `${get('weekday')} ${get('day')} ${get('month')}`
    : `${get('weekday')} ${get('month')} ${get('day')}`;
}

/**
 * Renders an SMS from a template whose `{slot}` values may be shortened, in the order given, until
 * the whole body fits one GSM-7 segment. Everything is mapped onto GSM-7 first.
 */
export function fitSms(template: string, slots: Record<string, string>, shrinkable: readonly string[]): string {
  const values = Object.fromEntries(Object.entries(slots).map(([key, value]) => [key, toGsm7(value)]));
  const render = () => toGsm7(template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? ''));
  let body = render();
  for (const slot of shrinkable) {
    const overflow = gsm7Length(body) - SMS_SEGMENT;
    if (overflow <= 0) break;
    const current = values[slot] ?? '';
    values[slot] = truncateGsm7(current, Math.max(3, gsm7Length(current) - overflow));
    body = render();
  }
  return gsm7Length(body) <= SMS_SEGMENT ? body : truncateGsm7(body, SMS_SEGMENT);
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
