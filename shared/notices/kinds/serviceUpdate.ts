/**
 * service-update: news from the library to every opted-in patron (of one member library or all),
 * sent by fan-out. A broadcast like any other library text: quiet hours hold its SMS, which carries
 * the opt-out instruction after the message.
 */
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';
import { inLanguage, localizedText, requireSmsText } from '#shared/notices/kinds/noticeParts.ts';

export const serviceUpdate = defineNoticeKind({
  kind: 'service-update',
  payload: { message: localizedText },
  ids: { message: localizedText },
  channels: ['sms', 'email'],
  quietHours: 'wait-for-morning',
  sms: {
    en: ({ message }, context) => ({
      text: '{library}: {text} Reply STOP to opt out.',
      slots: { library: context.branding.shortName, text: requireSmsText(inLanguage(message, 'en'), 'message') },
      shrink: ['text', 'library'],
    }),
    es: ({ message }, context) => ({
      text: '{library}: {text} Responda STOP para cancelar.',
      slots: { library: context.branding.shortName, text: requireSmsText(inLanguage(message, 'es'), 'message') },
      shrink: ['text', 'library'],
    }),
  },
  email: {
    en: ({ message }, context) => ({ subject: `News from ${context.branding.name}`, paragraphs: [inLanguage(message, 'en')] }),
    es: ({ message }, context) => ({ subject: `Aviso de ${context.branding.name}`, paragraphs: [inLanguage(message, 'es')] }),
  },
});
