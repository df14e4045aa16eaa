/**
 * The GSM 03.38 7-bit alphabet: SMS bodies use it only, so a message of up to 160 septets is one
 * segment. GSM-7's own letters (é, ñ, ü, Å, ß, Δ, ...) are kept; everything else is transliterated by
 * any-ascii (Turkish ı, Vietnamese, Greek, Cyrillic, CJK, Hebrew, Arabic, curly quotes, dashes), so no
 * letter is ever dropped. Emoji and invisible characters have no spoken form and are dropped.
 *
 * any-ascii's tables (550 KB) are loaded on the first character that needs them, not at start: a
 * function bundle leaves the package out and carries it beside itself (infra/bundling.ts), so most
 * cold starts, and every text GSM-7 already covers, never parse them.
 */
// Named apart from the `createRequire` that the function bundles' banner declares.
import { createRequire as requireFor } from 'node:module';
import { BASIC_SET, EXTENSION_SET, gsm7Length, isGsm7 } from '#shared/notices/gsm7Alphabet.ts';

export { gsm7Length, isGsm7 } from '#shared/notices/gsm7Alphabet.ts';

/** Where a better GSM-7 form exists than any-ascii's (which writes `<<`, `(C)`, `1/2`). */
const PREFERRED: Readonly<Record<string, string>> = {
  '`': "'",
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2039': "'",
  '\u203A': "'",
  // Arabic alef carries a vowel any-ascii leaves unwritten: keep it as "a" so no letter disappears.
  '\u0627': 'a',
  '\u0671': 'a',
};

const requireModule = requireFor(import.meta.url);
let anyAscii: ((text: string) => string) | undefined;

/** any-ascii's transliteration, loaded (synchronously) on first use. */
function transliterate(text: string): string {
  anyAscii ??= (requireModule('any-ascii') as { default: (text: string) => string }).default;
  return anyAscii(text);
}

/** Emoji, their modifiers and flags: pictures, not words. */
const PICTOGRAPH = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}]/u;
/** Zero-width and direction marks, variation selectors, soft hyphens, combining marks left over. */
const INVISIBLE = /[\p{Cf}\p{M}\p{Cc}]/u;

/** One character onto GSM-7: itself, its transliteration, or nothing (emoji, invisible marks). */
function charToGsm7(char: string): string {
  if (/\s/u.test(char)) return ' ';
  if (BASIC_SET.has(char) || EXTENSION_SET.has(char)) return char;
  const preferred = PREFERRED[char];
  if (preferred !== undefined) return preferred;
  if (PICTOGRAPH.test(char)) return '';
  // A Latin letter with a diacritic GSM-7 lacks: drop the diacritic (ó → o), keeping the case.
  const stripped = char.normalize('NFD').replace(/\p{M}/gu, '');
  if (stripped !== char && stripped !== '' && isGsm7(stripped)) return stripped;
  if (INVISIBLE.test(char)) return '';
  return [...transliterate(char)].map((c) => (BASIC_SET.has(c) || EXTENSION_SET.has(c) ? c : (PREFERRED[c] ?? ''))).join('');
}

/**
 * Maps `text` onto GSM-7, on one line: GSM-7's own letters stay, other letters are transliterated,
 * whitespace (newlines, non-breaking spaces) becomes one space, runs of dots become one.
 *
 * @example toGsm7('Iğdır’da “kış”…') // 'Igdir\'da "kis".'
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) out += charToGsm7(char);
  return out
    .replace(/ {2,}/g, ' ')
    .replace(/\.{2,}/g, '.')
    .trim();
}

/** True if `text` keeps a letter or digit once mapped onto GSM-7 (an all-emoji text keeps none). */
export function hasGsm7Text(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(toGsm7(text));
}

/** A cut moves back to the end of the previous word when that loses at most this many septets. */
const WORD_CUT_SLACK = 12;

/**
 * Shortens `text` to at most `max` septets, ending with "." when cut (never after other punctuation),
 * at the end of a word when one is near.
 */
export function truncateGsm7(text: string, max: number): string {
  if (gsm7Length(text) <= max) return text;
  let out = '';
  let next = '';
  for (const char of text) {
    if (gsm7Length(out + char) > max - 1) {
      next = char;
      break;
    }
    out += char;
  }
  const space = out.lastIndexOf(' ');
  if (next !== ' ' && space > 0 && out.length - space <= WORD_CUT_SLACK) out = out.slice(0, space);
  const kept = out.replace(/[\s\p{P}]+$/u, '');
  return kept === '' ? '' : `${kept}.`;
}
