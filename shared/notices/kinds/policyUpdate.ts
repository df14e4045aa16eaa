/** policy-update: the privacy policy in force changed; every opted-in patron hears once per version. */
import * as z from 'zod/mini';
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';
import { inLanguage, localizedText, requireSmsText } from '#shared/notices/kinds/noticeParts.ts';

const policyPayload = z.object({ policyVersion: z.string(), summary: localizedText });

export const policyUpdate = defineNoticeKind({
  kind: 'policy-update',
  payload: { policy: policyPayload },
  ids: { policy: policyPayload },
  channels: ['sms', 'email'],
  quietHours: 'wait-for-morning',
  sms: {
    en: ({ policy }, context) => ({
      text: '{library}: We updated our privacy policy: {summary} Reply STOP to opt out.',
      slots: { library: context.branding.shortName, summary: requireSmsText(inLanguage(policy.summary, 'en'), 'summary') },
      shrink: ['summary', 'library'],
    }),
    es: ({ policy }, context) => ({
      text: '{library}: Actualizamos nuestra politica de privacidad: {summary} STOP para cancelar.',
      slots: { library: context.branding.shortName, summary: requireSmsText(inLanguage(policy.summary, 'es'), 'summary') },
      shrink: ['summary', 'library'],
    }),
  },
  email: {
    en: ({ policy }) => ({
      subject: 'We updated our privacy policy',
      paragraphs: [`We updated our privacy policy (version ${policy.policyVersion}).`, inLanguage(policy.summary, 'en')],
    }),
    es: ({ policy }) => ({
      subject: 'Actualizamos nuestra política de privacidad',
      paragraphs: [`Actualizamos nuestra política de privacidad (versión ${policy.policyVersion}).`, inLanguage(policy.summary, 'es')],
    }),
  },
});
