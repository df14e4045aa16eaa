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
import { templatesOf, type ComposableNotice, type NoticeContent } from '#shared/notices/noticeKinds.ts';
import { emailFooter } from '#shared/notices/emailFooter.ts';
import { fitSms, htmlEmail } from '#shared/notices/noticeText.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

export type { ComposeContext } from '#shared/notices/kinds/defineNoticeKind.ts';
export { formatMoney } from '#shared/notices/kinds/noticeParts.ts';

const GREETING = { en: 'Hello,', es: 'Hola:' } as const satisfies Record<Language, string>;

/**
 * The shared email layout around a kind's subject and paragraphs: greeting, signature, and the footer
 * with the patron's unsubscribe link and the one-click headers (emailFooter.ts).
 */
export function renderEmail(template: EmailTemplate, context: ComposeContext, unsubscribeUrl: string): NonNullable<NoticeContent['email']> {
  const { language, branding } = context;
  const paragraphs = [GREETING[language], ...template.paragraphs];
  const footer = emailFooter(language, branding.name, unsubscribeUrl);
  return {
    subject: template.subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${branding.name}\n${footer.text}\n`,
    html: htmlEmail(language, template.subject, [...paragraphs, branding.name], footer.html),
    headers: footer.headers,
  };
}

/**
 * Composes a notice for one patron. Without the patron's signed unsubscribe link no email is
 * composed: every library-initiated email carries one.
 */
export function composeNotice(request: ComposableNotice, context: ComposeContext): NoticeContent {
  const templates = templatesOf(request);
  const sms = templates.sms[context.language](request, context);
  const content = { sms: fitSms(sms.text, sms.slots, sms.shrink) };
  if (templates.email === undefined || context.unsubscribeUrl === undefined) return content;
  return { ...content, email: renderEmail(templates.email[context.language](request, context), context, context.unsubscribeUrl) };
}
