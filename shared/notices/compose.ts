/**
 * What each notice says, by SMS and email, in the patron's language: the kind's templates (from the
 * notice-kind registry) inside the layout every notice shares.
 *
 * SMS: GSM-7 only and one segment (160 characters): the variable parts (titles, branch, library
 * name, free text) are shortened until it fits; the opt-out instruction is never cut. Titles stay out
 * of SMS unless the consortium enables them (lock screens are public). Email: subject, plain text and
 * HTML, with titles, in the member library's name, a greeting before and a footer after.
 */
import type { ComposeContext, EmailTemplate } from '#shared/notices/kinds/defineNoticeKind.ts';
import { templatesOf, type NoticeContent, type NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { fitSms, htmlEmail } from '#shared/notices/noticeText.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

export type { ComposeContext } from '#shared/notices/kinds/defineNoticeKind.ts';
export { formatMoney } from '#shared/notices/kinds/noticeParts.ts';

const FOOTER = {
  en: (library: string) =>
    `You receive this email because you opted in to notices from ${library}. To stop them, change your preferences in the online catalog or ask library staff.`,
  es: (library: string) =>
    `Recibe este correo porque aceptó recibir avisos de ${library}. Para dejar de recibirlos, cambie sus preferencias en el catálogo en línea o pida ayuda al personal de la biblioteca.`,
} as const satisfies Record<Language, (library: string) => string>;

const GREETING = { en: 'Hello,', es: 'Hola:' } as const satisfies Record<Language, string>;

/** The shared email layout around a kind's subject and paragraphs: greeting, signature, footer. */
export function renderEmail(template: EmailTemplate, context: ComposeContext): NonNullable<NoticeContent['email']> {
  const { language, branding } = context;
  const paragraphs = [GREETING[language], ...template.paragraphs];
  const footer = FOOTER[language](branding.name);
  return {
    subject: template.subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${branding.name}\n${footer}\n`,
    html: htmlEmail(language, template.subject, [...paragraphs, branding.name], footer),
  };
}

/** Composes a notice for one patron. */
export function composeNotice(request: NoticeRequest, context: ComposeContext): NoticeContent {
  const templates = templatesOf(request);
  const sms = templates.sms[context.language](request, context);
  const content = { sms: fitSms(sms.text, sms.slots, sms.shrink) };
  return templates.email === undefined ? content : { ...content, email: renderEmail(templates.email[context.language](request, context), context) };
}
