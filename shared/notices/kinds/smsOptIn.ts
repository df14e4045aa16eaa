/**
 * sms-opt-in: the carrier-required confirmation of an SMS opt-in made at registration, in the catalog
 * or by staff. It is not an answer to a text from the patron (START is answered by the inbound-SMS
 * service at once), so quiet hours hold it like every other library text.
 */
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';
import { smsOptInTemplate } from '#shared/notices/smsReplies.ts';

export const smsOptIn = defineNoticeKind({
  kind: 'sms-opt-in',
  payload: {},
  ids: {},
  channels: ['sms'],
  quietHours: 'wait-for-morning',
  sms: {
    en: (_, context) => smsOptInTemplate('en', context.branding),
    es: (_, context) => smsOptInTemplate('es', context.branding),
  },
});
