/**
 * SMS keywords (DESIGN.md section 5), matched case-insensitively with surrounding whitespace and
 * punctuation ignored. A message whose first word is an opt-out keyword opts out ("STOP please",
 * "Stop!!"); opt-in and help keywords must be the whole message.
 */
export type KeywordClass = 'opt-out' | 'opt-in' | 'help' | 'unknown';

const OPT_OUT = new Set(['ARRET', 'CANCEL', 'END', 'OPT-OUT', 'OPTOUT', 'QUIT', 'REMOVE', 'STOP', 'STOPALL', 'TD', 'UNSUBSCRIBE']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);
const HELP = new Set(['HELP', 'INFO']);

/** Strips accents, surrounding punctuation and whitespace, and upper-cases. */
function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '');
}

export function classifyKeyword(messageBody: string): KeywordClass {
  const text = normalise(messageBody);
  if (OPT_OUT.has(text) || HELP.has(text) || OPT_IN.has(text)) {
    return OPT_OUT.has(text) ? 'opt-out' : OPT_IN.has(text) ? 'opt-in' : 'help';
  }
  const first = normalise(text.split(/\s+/)[0] ?? '');
  // "OPT OUT" written as two words counts too.
  if (OPT_OUT.has(first) || /^OPT\s+OUT\b/.test(text)) return 'opt-out';
  return 'unknown';
}
