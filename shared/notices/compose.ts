/**
 * What each notice says, in English and Spanish, by SMS and email (DESIGN.md section 7).
 *
 * SMS: GSM-7 only and one segment (160 characters): text is mapped onto GSM-7 and the variable
 * parts (titles, branch, library name, free text) are shortened until it fits. Titles stay out of SMS
 * unless the consortium enables them (lock screens are public). Email: subject, plain text and HTML,
 * with titles, in the member library's name.
 */
import type { ResolvedBranding } from '#shared/config/consortiumConfig.ts';
import { BookdropError } from '#shared/errors.ts';
import { emailFooter } from '#shared/notices/emailFooter.ts';
import type { NoticeContent, NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { fitSms, formatDay, htmlEmail } from '#shared/notices/noticeText.ts';
import { composeSmsOptIn } from '#shared/notices/smsReplies.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

export interface ComposeContext {
  readonly language: Language;
  readonly branding: ResolvedBranding;
  readonly timeZone: string;
  readonly smsIncludesTitles: boolean;
  /** Display name of a branch id. */
  readonly branchName: (branchId: string) => string;
  /** The patron's signed unsubscribe link; without one no email is composed (every email carries it). */
  readonly unsubscribeUrl?: string | undefined;
}

interface Parts {
  /** SMS template; `{slot}` values are shortened in `shrink` order until the text fits. */
  readonly sms: string;
  readonly slots: Record<string, string>;
  readonly shrink: readonly string[];
  readonly subject: string;
  readonly paragraphs: readonly string[];
}

const GREETING = { en: 'Hello,', es: 'Hola:' } as const;

/** "2.50 USD" in the patron's language, e.g. "$2.50" / "2,50 US$". */
export function formatMoney(amount: string, currency: string, language: Language): string {
  try {
    return new Intl.NumberFormat(language === 'es' ? 'es-US' : 'en-US', { style: 'currency', currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

function need<T>(value: T | undefined, what: string, request: NoticeRequest): T {
  if (value === undefined) throw new BookdropError(`${request.kind} request without ${what}`, { context: { kind: request.kind, subjectId: request.subjectId } });
  return value;
}

function titlesLine(titles: readonly string[], language: Language): string {
  if (titles.length === 1) return `"${titles[0]}"`;
  const rest = titles.length - 1;
  return language === 'es' ? `"${titles[0]}" y ${rest} mas` : `"${titles[0]}" and ${rest} more`;
}

function parts(request: NoticeRequest, context: ComposeContext): Parts {
  const { language, timeZone } = context;
  const es = language === 'es';
  const library = context.branding.shortName;
  const day = (iso: string) => formatDay(iso, language, timeZone);
  switch (request.kind) {
    case 'hold-ready':
    case 'hold-expiring': {
      const hold = need(request.hold, 'hold details', request);
      const branch = context.branchName(hold.pickupBranch);
      const date = day(hold.pickupBy);
      const ready = request.kind === 'hold-ready';
      const titled = context.smsIncludesTitles;
      const sms = ready
        ? es
          ? titled
            ? '{library}: "{title}" esta listo en {branch}. Recojalo antes del {date}. Responda STOP para cancelar.'
            : '{library}: Su reserva esta lista en {branch}. Recojala antes del {date}. Responda HELP para ayuda, STOP para cancelar.'
          : titled
            ? '{library}: "{title}" is ready at {branch}. Pick up by {date}. Reply STOP to opt out.'
            : '{library}: Your hold is ready at {branch}. Pick up by {date}. Reply HELP for help, STOP to opt out.'
        : es
          ? titled
            ? '{library}: Ultimo dia para recoger "{title}" en {branch}: {date}. Responda STOP para cancelar.'
            : '{library}: Su reserva en {branch} vence el {date}. Recojala antes o pasara al siguiente. STOP para cancelar.'
          : titled
            ? '{library}: Last day to pick up "{title}" at {branch}: {date}. Reply STOP to opt out.'
            : '{library}: Your hold at {branch} expires {date}. Pick it up by then or it goes to the next patron. STOP to opt out.';
      return {
        sms,
        slots: { library, branch, date, title: hold.title },
        shrink: ['title', 'branch', 'library'],
        subject: ready
          ? es
            ? `Su reserva está lista en ${branch}`
            : `Your hold is ready at ${branch}`
          : es
            ? `Su reserva en ${branch} vence el ${date}`
            : `Your hold at ${branch} expires ${date}`,
        paragraphs: ready
          ? es
            ? [`Su reserva "${hold.title}" está lista para recoger en ${branch}.`, `Recójala antes del ${date}. Después pasará a la siguiente persona en la lista.`]
            : [`Your hold "${hold.title}" is ready for pickup at ${branch}.`, `Please pick it up by ${date}. After that it goes to the next patron in line.`]
          : es
            ? [`Su reserva "${hold.title}" en ${branch} vence el ${date}.`, 'Recójala antes de esa fecha; después pasará a la siguiente persona en la lista.']
            : [`Your hold "${hold.title}" at ${branch} expires on ${date}.`, 'Pick it up by then; after that it goes to the next patron in line.'],
      };
    }
    case 'due-soon':
    case 'overdue': {
      const items = need(request.items, 'items', request);
      const date = day(items[0]?.dueAt ?? request.subjectId);
      const titles = items.map((item) => item.title);
      const count = items.length;
      const dueSoon = request.kind === 'due-soon';
      const what = es ? (count === 1 ? '1 articulo' : `${count} articulos`) : count === 1 ? '1 item' : `${count} items`;
      const titled = context.smsIncludesTitles;
      const sms = dueSoon
        ? es
          ? `{library}: ${titled ? '{titles}' : what} vence${count === 1 ? '' : 'n'} el {date}. Renueve en el catalogo o llame al {phone}. STOP para cancelar.`
          : `{library}: ${titled ? '{titles}' : what} ${count === 1 ? 'is' : 'are'} due {date}. Renew in the catalog or call {phone}. Reply STOP to opt out.`
        : es
          ? `{library}: ${titled ? '{titles}' : what} vencio el {date}. Devuelva o renueve pronto. Ayuda: {phone}. STOP para cancelar.`
          : `{library}: ${titled ? '{titles}' : what} ${count === 1 ? 'was' : 'were'} due {date}. Please return or renew. Help: {phone}. STOP to opt out.`;
      const list = titles.map((title) => `- ${title}`);
      return {
        sms,
        slots: { library, date, titles: titlesLine(titles, language), phone: displayPhoneShort(context.branding.supportPhone) },
        shrink: ['titles', 'library'],
        subject: dueSoon
          ? es
            ? `${count === 1 ? 'Un artículo vence' : `${count} artículos vencen`} el ${date}`
            : `${count === 1 ? 'An item is' : `${count} items are`} due ${date}`
          : es
            ? `Artículos vencidos desde el ${date}`
            : `Overdue since ${date}: please return or renew`,
        paragraphs: dueSoon
          ? es
            ? [`Estos artículos vencen el ${date}:`, ...list, 'Puede renovarlos en el catálogo en línea si nadie más los ha reservado.']
            : [`These items are due on ${date}:`, ...list, 'You can renew them in the online catalog if nobody else has placed a hold.']
          : es
            ? [`Estos artículos vencieron el ${date}:`, ...list, 'Devuélvalos o renuévelos lo antes posible.']
            : [`These items were due on ${date}:`, ...list, 'Please return or renew them as soon as you can.'],
      };
    }
    case 'fine-assessed': {
      const fine = need(request.fine, 'fine details', request);
      const amount = formatMoney(fine.amount, fine.currency, language);
      return {
        // The reason stays out of SMS: it may name a title.
        sms: es
          ? '{library}: Se agrego un cargo de {amount} a su cuenta. Detalles en el catalogo o en la biblioteca. STOP para cancelar.'
          : '{library}: A charge of {amount} was added to your account. Details in the catalog or at the library. Reply STOP to opt out.',
        slots: { library, amount },
        shrink: ['library'],
        subject: es ? `Cargo de ${amount} en su cuenta` : `A charge of ${amount} on your account`,
        paragraphs: es
          ? [`Se agregó un cargo de ${amount} a su cuenta.`, `Motivo: ${fine.reason}.`, 'Puede pagarlo en el catálogo en línea o en cualquier biblioteca.']
          : [`A charge of ${amount} was added to your account.`, `Reason: ${fine.reason}.`, 'You can pay it in the online catalog or at any library desk.'],
      };
    }
    case 'service-update': {
      const message = need(request.message, 'message', request);
      const text = (es ? message.es : undefined) ?? message.en;
      return {
        sms: '{library}: {text}',
        slots: { library, text },
        shrink: ['text', 'library'],
        subject: es ? `Aviso de ${context.branding.name}` : `News from ${context.branding.name}`,
        paragraphs: [text],
      };
    }
    case 'policy-update': {
      const policy = need(request.policy, 'policy details', request);
      const summary = (es ? policy.summary.es : undefined) ?? policy.summary.en;
      return {
        sms: es ? '{library}: Actualizamos nuestra politica de privacidad: {summary}' : '{library}: We updated our privacy policy: {summary}',
        slots: { library, summary },
        shrink: ['summary', 'library'],
        subject: es ? 'Actualizamos nuestra política de privacidad' : 'We updated our privacy policy',
        paragraphs: es
          ? [`Actualizamos nuestra política de privacidad (versión ${policy.policyVersion}).`, summary]
          : [`We updated our privacy policy (version ${policy.policyVersion}).`, summary],
      };
    }
    case 'sms-opt-in':
      throw new BookdropError('sms-opt-in is composed by composeSmsOptIn');
  }
}

/** `+18455550111` → `845-555-0111`: short enough for SMS. */
function displayPhoneShort(e164: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return us ? `${us[1]}-${us[2]}-${us[3]}` : e164;
}

/** Composes a notice for one patron. */
export function composeNotice(request: NoticeRequest, context: ComposeContext): NoticeContent {
  if (request.kind === 'sms-opt-in') return { sms: composeSmsOptIn(context.language, context.branding) };
  const composed = parts(request, context);
  const sms = fitSms(composed.sms, composed.slots, composed.shrink);
  if (context.unsubscribeUrl === undefined) return { sms };
  const paragraphs = [GREETING[context.language], ...composed.paragraphs];
  const footer = emailFooter(context.language, context.branding.name, context.unsubscribeUrl);
  return {
    sms,
    email: {
      subject: composed.subject,
      text: `${paragraphs.join('\n\n')}\n\n--\n${context.branding.name}\n${footer.text}\n`,
      html: htmlEmail(context.language, composed.subject, [...paragraphs, context.branding.name], footer.html),
      headers: footer.headers,
    },
  };
}
