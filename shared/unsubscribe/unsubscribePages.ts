/**
 * The unsubscribe pages, in the member library's name, in English or Spanish: the page a link opens
 * (one button that confirms; no JavaScript), the confirmation (how to opt back in), and clear pages
 * for a link that is broken, tampered with or expired, or a moment when the choice cannot be saved.
 * Accessible: `lang`, one `h1`, a real button described by the text above it, text contrast above
 * 7:1, a visible focus ring, readable on a phone.
 */
import type { ResolvedBranding } from '#shared/config/consortiumConfig.ts';
import { escapeHtml } from '#shared/notices/noticeText.ts';
import { displayPhone } from '#shared/notices/smsReplies.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

/** Which page to show. */
export type UnsubscribePage = 'confirm' | 'done' | 'invalid' | 'expired' | 'unavailable';

interface PageText {
  readonly title: string;
  readonly paragraphs: readonly string[];
  /** The confirm button's label, on the page that has one. */
  readonly button?: string;
  readonly note?: string;
}

type Words = Record<UnsubscribePage, (library: string, phone: string) => PageText>;

const WORDS: Record<Language, Words> = {
  en: {
    confirm: (library) => ({
      title: `Stop email notices from ${library}?`,
      paragraphs: [
        `You will no longer get email notices from ${library}: holds ready for pickup, due dates, overdue items, charges and library news.`,
        'Text messages, if you get them, do not change.',
      ],
      button: 'Stop email notices',
      note: 'Opened this page by mistake? Just close it: nothing changes until you press the button.',
    }),
    done: (library, phone) => ({
      title: 'You will no longer get email notices',
      paragraphs: [
        `${library} will not send you email notices any more.`,
        `Changed your mind? Turn email notices back on in your account preferences in the online catalog, or ask library staff (call ${phone}).`,
      ],
    }),
    invalid: (_library, phone) => ({
      title: 'This link does not work',
      paragraphs: [
        'The link may have been cut short or changed. Nothing was changed on your account.',
        `To stop email notices, change your preferences in the online catalog or ask library staff (call ${phone}).`,
      ],
    }),
    expired: (_library, phone) => ({
      title: 'This link has expired',
      paragraphs: [
        'Unsubscribe links work for a year after the email was sent. Nothing was changed on your account.',
        `To stop email notices, use the link in a recent email, change your preferences in the online catalog, or ask library staff (call ${phone}).`,
      ],
    }),
    unavailable: (_library, phone) => ({
      title: 'We could not save your choice',
      paragraphs: [
        'Something went wrong on our side and nothing was changed yet. Please try again in a few minutes.',
        `If it keeps happening, ask library staff (call ${phone}).`,
      ],
    }),
  },
  es: {
    confirm: (library) => ({
      title: `¿Dejar de recibir avisos por correo de ${library}?`,
      paragraphs: [
        `Ya no recibirá avisos por correo electrónico de ${library}: reservas listas para recoger, fechas de vencimiento, artículos vencidos, cargos y noticias de la biblioteca.`,
        'Los mensajes de texto, si los recibe, no cambian.',
      ],
      button: 'Dejar de recibir avisos por correo',
      note: '¿Abrió esta página por error? Ciérrela: nada cambia hasta que pulse el botón.',
    }),
    done: (library, phone) => ({
      title: 'Ya no recibirá avisos por correo',
      paragraphs: [
        `${library} ya no le enviará avisos por correo electrónico.`,
        `¿Cambió de opinión? Vuelva a activar los avisos por correo en las preferencias de su cuenta en el catálogo en línea, o pida ayuda al personal de la biblioteca (llame al ${phone}).`,
      ],
    }),
    invalid: (_library, phone) => ({
      title: 'Este enlace no funciona',
      paragraphs: [
        'Puede que el enlace esté incompleto o se haya modificado. No se cambió nada en su cuenta.',
        `Para dejar de recibir avisos por correo, cambie sus preferencias en el catálogo en línea o pida ayuda al personal de la biblioteca (llame al ${phone}).`,
      ],
    }),
    expired: (_library, phone) => ({
      title: 'Este enlace ha vencido',
      paragraphs: [
        'Los enlaces para darse de baja funcionan durante un año desde que se envió el correo. No se cambió nada en su cuenta.',
        `Para dejar de recibir avisos por correo, use el enlace de un correo reciente, cambie sus preferencias en el catálogo en línea o pida ayuda al personal de la biblioteca (llame al ${phone}).`,
      ],
    }),
    unavailable: (_library, phone) => ({
      title: 'No pudimos guardar su elección',
      paragraphs: [
        'Algo falló de nuestro lado y todavía no se cambió nada. Vuelva a intentarlo en unos minutos.',
        `Si sigue pasando, pida ayuda al personal de la biblioteca (llame al ${phone}).`,
      ],
    }),
  },
};

const STYLE = [
  'body{margin:0;background:#fff;color:#1a1a1a;font:1.125rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
  'main{max-width:34rem;margin:0 auto;padding:2rem 1.25rem}',
  '.library{margin:0 0 1.5rem;font-weight:600;color:#333;border-bottom:3px solid #0b5394;padding-bottom:.5rem}',
  'h1{font-size:1.6rem;line-height:1.3;margin:0 0 1rem}',
  'button{font:inherit;font-weight:600;color:#fff;background:#0b5394;border:2px solid #0b5394;border-radius:.4rem;padding:.7rem 1.4rem;cursor:pointer}',
  'button:hover{background:#073763}',
  'button:focus-visible,a:focus-visible{outline:3px solid #1a1a1a;outline-offset:3px}',
  '.note{font-size:1rem;color:#333}',
].join('');

/** The whole HTML document of one page. */
export function renderUnsubscribePage(page: UnsubscribePage, language: Language, branding: ResolvedBranding): string {
  // A phone number never breaks across lines: no-break space and non-breaking hyphen.
  const phone = displayPhone(branding.supportPhone).replace(/ /g, '\u00a0').replace(/-/g, '\u2011');
  const text = WORDS[language][page](branding.name, phone);
  const paragraphs = text.paragraphs.map((paragraph, index) => `<p id="p${index}">${escapeHtml(paragraph)}</p>`).join('\n');
  const form = text.button
    ? `<form method="post"><input type="hidden" name="confirm" value="yes">` +
      `<button type="submit" aria-describedby="p0">${escapeHtml(text.button)}</button></form>\n` +
      (text.note ? `<p class="note">${escapeHtml(text.note)}</p>\n` : '')
    : '';
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(text.title)} | ${escapeHtml(branding.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="library">${escapeHtml(branding.name)}</p>
<h1>${escapeHtml(text.title)}</h1>
${paragraphs}
${form}</main>
</body>
</html>
`;
}
