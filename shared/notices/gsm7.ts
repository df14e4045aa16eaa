/**
 * The GSM 03.38 7-bit alphabet: SMS bodies use it only, so a message of up to 160 characters is one
 * segment. Text outside it is transliterated (diacritics stripped, curly quotes straightened) or
 * dropped (emoji).
 */

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '^{}\\[~]|€';
const BASIC_SET = new Set(BASIC);
const EXTENSION_SET = new Set(EXTENSION);

const REPLACEMENTS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u00B4': "'",
  '`': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2012': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00A0': ' ',
  '\u2009': ' ',
  '\u202F': ' ',
  '\t': ' ',
  '\u00B7': '.',
  '\u2022': '-',
  '\u00AA': 'a',
  '\u00BA': 'o',
  '\u00E7': 'c',
  '\u0141': 'L',
  '\u0142': 'l',
  '\u0110': 'D',
  '\u0111': 'd',
  '\u0152': 'OE',
  '\u0153': 'oe',
  '\u00DE': 'Th',
  '\u00FE': 'th',
  '\u00F0': 'd',
};

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

/**
 * Maps `text` onto GSM-7: keeps what GSM-7 has (including é, ñ, ü), straightens quotes and dashes,
 * strips other diacritics, and drops what has no equivalent (emoji, symbols).
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const char of text) {
    if (BASIC_SET.has(char) || EXTENSION_SET.has(char)) {
      out += char;
      continue;
    }
    const replacement = REPLACEMENTS[char];
    if (replacement !== undefined) {
      out += replacement;
      continue;
    }
    const stripped = char.normalize('NFD').replace(/\p{M}/gu, '');
    if (stripped !== char && [...stripped].every((c) => BASIC_SET.has(c))) {
      out += stripped;
      continue;
    }
    // Emoji, pictographs and other scripts have no GSM-7 form: drop them.
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

/** Shortens `text` to at most `max` septets, ending with "." when cut. */
export function truncateGsm7(text: string, max: number): string {
  if (gsm7Length(text) <= max) return text;
  let out = '';
  for (const char of text) {
    if (gsm7Length(out + char) > max - 1) break;
    out += char;
  }
  return `${out.trimEnd()}.`;
}
