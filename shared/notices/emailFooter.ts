/**
 * The footer and headers every library-initiated email carries: why the patron gets it, a visible
 * "stop these emails" link in their language, and the RFC 8058 one-click unsubscribe headers
 * (`List-Unsubscribe` with the same HTTPS link, `List-Unsubscribe-Post`). Composition calls
 * {@link emailFooter} once per email; nothing else about the email changes.
 */
import { escapeHtml } from '#shared/notices/noticeText.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

/** A header added to an email (SES `Content.Simple.Headers`). */
export interface EmailHeader {
  readonly name: string;
  readonly value: string;
}

export interface EmailFooter {
  /** Plain-text lines, after the signature. */
  readonly text: string;
  /** An HTML fragment (already escaped), after the signature. */
  readonly html: string;
  readonly headers: readonly EmailHeader[];
}

const WORDING = {
  en: {
    why: (library: string) => `You receive this email because you opted in to notices from ${library}.`,
    stop: 'Stop these emails',
    other: 'You can also change your preferences in the online catalog or ask library staff.',
  },
  es: {
    why: (library: string) => `Recibe este correo porque aceptó recibir avisos de ${library}.`,
    stop: 'Dejar de recibir estos correos',
    other: 'También puede cambiar sus preferencias en el catálogo en línea o pedir ayuda al personal de la biblioteca.',
  },
} as const;

/** The one-click unsubscribe headers (RFC 2369 and RFC 8058) for `unsubscribeUrl`. */
export function unsubscribeHeaders(unsubscribeUrl: string): readonly EmailHeader[] {
  return [
    { name: 'List-Unsubscribe', value: `<${unsubscribeUrl}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}

/** Footer text, HTML and headers of an email from `libraryName` in `language`. */
export function emailFooter(language: Language, libraryName: string, unsubscribeUrl: string): EmailFooter {
  const words = WORDING[language];
  const why = words.why(libraryName);
  return {
    text: `${why}\n${words.stop}: ${unsubscribeUrl}\n${words.other}`,
    html:
      `<p style="font-size:smaller;color:#444">${escapeHtml(why)} ` +
      `<a href="${escapeHtml(unsubscribeUrl)}" style="color:#0b5394">${escapeHtml(words.stop)}</a>. ${escapeHtml(words.other)}</p>`,
    headers: unsubscribeHeaders(unsubscribeUrl),
  };
}
