/**
 * The carrier-required SMS texts: the opt-in confirmation (brand, message frequency, "Msg & data
 * rates may apply", HELP and STOP instructions). GSM-7, one segment.
 */
import type { ResolvedBranding } from '#shared/config/consortiumConfig.ts';
import { fitSms } from '#shared/notices/noticeText.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

const OPT_IN = {
  en: '{library}: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.',
  es: '{library}: Recibira avisos de la biblioteca por SMS. Frecuencia variable. Pueden aplicar tarifas de msj y datos. HELP ayuda, STOP cancelar.',
} as const;

/** Sent on every SMS opt-in, whatever its source. */
export function composeSmsOptIn(language: Language, branding: ResolvedBranding): string {
  return fitSms(OPT_IN[language], { library: branding.shortName }, ['library']);
}
