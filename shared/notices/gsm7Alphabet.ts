/**
 * The GSM 03.38 7-bit alphabet itself (basic table and extension table): which characters an SMS may
 * carry in one 160-septet segment, and how many septets a text takes. No dependencies, so the
 * configuration can check names with it without the transliteration tables.
 */

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '^{}\\[~]|€';
export const BASIC_SET = new Set(BASIC);
export const EXTENSION_SET = new Set(EXTENSION);

/** True if every character of `text` is in the GSM-7 basic or extension table. */
export function isGsm7(text: string): boolean {
  for (const char of text) if (!BASIC_SET.has(char) && !EXTENSION_SET.has(char)) return false;
  return true;
}

/** Septets `text` takes in GSM-7 (extension characters take two). */
export function gsm7Length(text: string): number {
  let length = 0;
  for (const char of text) length += EXTENSION_SET.has(char) ? 2 : 1;
  return length;
}
