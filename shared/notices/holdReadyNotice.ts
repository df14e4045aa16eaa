/**
 * The `hold-ready` notice: a hold is waiting at a pickup branch. SMS leaves the title out unless the
 * consortium enables titles (lock screens are public); email includes it.
 */
import type { ResolvedBranding } from '#shared/config/consortiumConfig.ts';
import { fitSms, formatDay, htmlEmail } from '#shared/notices/noticeText.ts';
import type { NoticeContent } from '#shared/notices/noticeKinds.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

export interface HoldReadyInput {
  readonly language: Language;
  readonly branding: ResolvedBranding;
  readonly branchName: string;
  readonly title: string;
  readonly pickupBy: string;
  readonly timeZone: string;
  readonly smsIncludesTitles: boolean;
}

const TEXT = {
  en: {
    sms: '{library}: Your hold is ready at {branch}. Pick up by {date}. Reply HELP for help, STOP to opt out.',
    smsWithTitle: '{library}: "{title}" is ready at {branch}. Pick up by {date}. Reply STOP to opt out.',
    subject: (branch: string) => `Your hold is ready at ${branch}`,
    body: (title: string, branch: string, date: string) => [
      'Hello,',
      `Your hold "${title}" is ready for pickup at ${branch}.`,
      `Please pick it up by ${date}. After that it goes to the next patron in line.`,
    ],
    footer: (library: string) =>
      `You receive this email because you opted in to notices from ${library}. To stop them, change your preferences in the online catalog or ask library staff.`,
  },
  es: {
    sms: '{library}: Su reserva esta lista en {branch}. Recojala antes del {date}. Responda HELP para ayuda, STOP para cancelar.',
    smsWithTitle: '{library}: "{title}" esta listo en {branch}. Recojalo antes del {date}. Responda STOP para cancelar.',
    subject: (branch: string) => `Su reserva está lista en ${branch}`,
    body: (title: string, branch: string, date: string) => [
      'Hola:',
      `Su reserva "${title}" está lista para recoger en ${branch}.`,
      `Recójala antes del ${date}. Después pasará a la siguiente persona en la lista.`,
    ],
    footer: (library: string) =>
      `Recibe este correo porque aceptó recibir avisos de ${library}. Para dejar de recibirlos, cambie sus preferencias en el catálogo en línea o pida ayuda al personal de la biblioteca.`,
  },
} as const;

export function composeHoldReady(input: HoldReadyInput): NoticeContent {
  const text = TEXT[input.language];
  const date = formatDay(input.pickupBy, input.language, input.timeZone);
  const sms = input.smsIncludesTitles
    ? fitSms(text.smsWithTitle, { library: input.branding.shortName, title: input.title, branch: input.branchName, date }, [
        'title',
        'branch',
        'library',
      ])
    : fitSms(text.sms, { library: input.branding.shortName, branch: input.branchName, date }, ['branch', 'library']);
  const subject = text.subject(input.branchName);
  const paragraphs = text.body(input.title, input.branchName, date);
  const footer = text.footer(input.branding.name);
  return {
    sms,
    email: {
      subject,
      text: `${paragraphs.join('\n\n')}\n\n--\n${input.branding.name}\n${footer}\n`,
      html: htmlEmail(input.language, subject, [...paragraphs, input.branding.name], footer),
    },
  };
}
