/**
 * The SMS texts Bookdrop sends of its own: the carrier-required opt-in confirmation (brand, message
 * frequency, "Msg & data rates may apply", HELP and STOP instructions) and the replies to STOP, HELP
 * and unknown text. GSM-7, one segment.
 */
import type { ResolvedBranding } from '#shared/config/consortiumConfig.ts';
import type { SmsTemplate } from '#shared/notices/kinds/defineNoticeKind.ts';
import { fitSms } from '#shared/notices/noticeText.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

const OPT_IN = {
  en: '{library}: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.',
  es: '{library}: Recibira avisos de la biblioteca por SMS. Frecuencia variable. Pueden aplicar tarifas de msj y datos. HELP ayuda, STOP cancelar.',
} as const;

/** The opt-in confirmation before fitting: the `sms-opt-in` notice kind and the reply to START share it. */
export function smsOptInTemplate(language: Language, branding: ResolvedBranding): SmsTemplate {
  return { text: OPT_IN[language], slots: { library: branding.shortName }, shrink: ['library'] };
}

/** Sent on every SMS opt-in, whatever its source. */
export function composeSmsOptIn(language: Language, branding: ResolvedBranding): string {
  const template = smsOptInTemplate(language, branding);
  return fitSms(template.text, template.slots, template.shrink);
}

const OPT_OUT = {
  en: '{library}: You are unsubscribed from library texts and will get no more. Reply START to resubscribe, HELP for help.',
  es: '{library}: Ya no recibira mensajes de la biblioteca. Responda START para volver a suscribirse, HELP para ayuda.',
} as const;

const HELP = {
  en: '{library}: Library notices by text. Help: {phone}. Msg frequency varies. Msg & data rates may apply. Reply STOP to cancel.',
  es: '{library}: Avisos de la biblioteca por SMS. Ayuda: {phone}. Frecuencia variable. Pueden aplicar tarifas de msj y datos. STOP cancelar.',
} as const;

const HINT = {
  en: '{library}: This number does not read replies. Reply HELP for help or STOP to cancel texts.',
  es: '{library}: Este numero no lee respuestas. Responda HELP para ayuda o STOP para cancelar.',
} as const;

/** `+18455550111` → `(845) 555-0111`; other numbers stay E.164. */
export function displayPhone(e164: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return us ? `(${us[1]}) ${us[2]}-${us[3]}` : e164;
}

/** Reply to an opt-out keyword (sent to every number that asks, known or not, within the reply caps). */
export function composeOptOutReply(language: Language, branding: ResolvedBranding): string {
  return fitSms(OPT_OUT[language], { library: branding.shortName }, ['library']);
}

/** Reply to HELP, INFO or AYUDA: the member library's name and support contact. */
export function composeHelpReply(language: Language, branding: ResolvedBranding): string {
  return fitSms(HELP[language], { library: branding.shortName, phone: displayPhone(branding.supportPhone) }, ['library']);
}

/** The one short hint per number and day for text Bookdrop does not understand. */
export function composeHint(language: Language, branding: ResolvedBranding): string {
  return fitSms(HINT[language], { library: branding.shortName }, ['library']);
}
