/**
 * SMS keywords: what a patron's text asks for (docs/sms.md lists the rules and a table of examples,
 * each one a test).
 *
 * Text is normalized first: Unicode compatibility forms (fullwidth `ＳＴＯＰ`, mathematical letters),
 * accents, case, zero-width characters, punctuation, letter-spaced words (`S T O P`) and `OPT OUT`
 * written with any dash, underscore or space. Then, most private first:
 * 1. opt-out: the message begins with an opt-out keyword (English, French or Spanish), or is only an
 *    opt-out keyword with polite words ("please stop"), or is a short message that clearly asks to
 *    stop ("stop texting me", "no more texts", "unsubscribe me", "no mas mensajes"): the FCC's
 *    "reasonable means" of revoking consent;
 * 2. help: the message begins with HELP, INFO or AYUDA;
 * 3. opt-in: the message begins with START, UNSTOP or YES, as a whole word (never "yesterday",
 *    "restart", nor anything that also asks to stop);
 * 4. unknown: anything else.
 */
export type KeywordClass = 'opt-out' | 'opt-in' | 'help' | 'unknown';

const OPT_OUT = new Set([
  // AWS End User Messaging's and CTIA's list (OPT-OUT in any spelling becomes OPTOUT).
  'ARRET',
  'CANCEL',
  'END',
  'OPTOUT',
  'QUIT',
  'REMOVE',
  'REVOKE',
  'STOP',
  'STOPALL',
  'TD',
  'UNSUBSCRIBE',
  // Spanish.
  'ALTO',
  'PARAR',
  'PARE',
  'BAJA',
  'CANCELAR',
]);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);
const HELP = new Set(['HELP', 'INFO', 'AYUDA']);

/** Words that make a keyword polite without changing what it asks ("please stop", "stop it now, thanks"). */
const POLITE = new Set([
  'PLEASE',
  'PLS',
  'PLZ',
  'POR',
  'FAVOR',
  'OK',
  'OKAY',
  'THANKS',
  'THANK',
  'YOU',
  'THX',
  'GRACIAS',
  'NOW',
  'JUST',
  'IT',
  'ME',
  'HI',
  'HEY',
  'HOLA',
  'YA',
]);

/** Longest message (in words) read as a plain-language request to stop. */
const SHORT_MESSAGE_WORDS = 12;

/** Plain-language requests to stop (on the normalized words, joined by single spaces). */
const REVOCATIONS: readonly RegExp[] = [
  /\b(STOP|QUIT|CEASE|HALT|END)\b.*\b(TEXT\w*|MESSAG\w*|SMS|SENDING|CONTACTING|NOTIFICATIONS?|ALERTS?|REMINDERS?)\b/,
  /\bNO MORE (TEXT\w*|MESSAG\w*|SMS|NOTIFICATIONS?|ALERTS?|REMINDERS?)\b/,
  /\b(DONT|DO NOT|NEVER) (TEXT|MESSAGE|CONTACT|SMS) ME\b/,
  /\b(UNSUBSCRIBE|REMOVE|TAKE|DELETE) ME\b/,
  /\bOPT ME OUT\b/,
  /\bI DONT WANT (THESE |THIS |ANY |YOUR )?(TEXT\w*|MESSAG\w*|SMS|NOTIFICATIONS?)\b/,
  /\bLEAVE ME ALONE\b/,
  /\bWRONG NUMBER\b/,
  // Spanish.
  /\bNO MAS (MENSAJES|TEXTOS|SMS|AVISOS)\b/,
  /\bNO (ME )?(ENVIEN|MANDEN|ESCRIBAN)\b/,
  /\bDEJEN? DE (ENVIAR|MANDAR|ESCRIBIR)/,
  /\bYA NO QUIERO\b/,
  /\bNO QUIERO (MAS )?(MENSAJES|TEXTOS|SMS|AVISOS)\b/,
  /\b(DAME|DARME|DENME) DE BAJA\b/,
  /\bNUMERO EQUIVOCADO\b/,
];

/** "Don't stop texting me" asks for the opposite. */
const NEGATED_STOP = /\b(DONT|DO NOT|NEVER|NOT|CANT|CANNOT|WONT) (STOP|QUIT|END)\b/;

/** Keywords that mean only "stop": anywhere in a very short message ("yes stop", "ok unsubscribe") they opt out. */
const PLAIN_STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'OPTOUT', 'REVOKE']);
const VERY_SHORT_MESSAGE_WORDS = 4;

/**
 * The words of a message, normalized: compatibility forms folded, accents and invisible characters
 * removed, upper case, apostrophes dropped ("don't" → DONT), punctuation as spaces, letter-spaced
 * words joined, and `OPT OUT` as OPTOUT.
 */
export function keywordWords(messageBody: string): string[] {
  const text = messageBody
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/[\p{M}\p{Cf}]/gu, '')
    .toUpperCase()
    .replace(/['\u2019\u02BC`]/g, '');
  const tokens = text.split(/[^\p{L}\p{N}]+/u).filter((token) => token !== '');
  const words: string[] = [];
  for (let index = 0; index < tokens.length; ) {
    // A run of single letters is one word spelled out ("S T O P", "S.T.O.P"), when it is 3 or more
    // letters long or the whole message.
    let end = index;
    while (end < tokens.length && tokens[end]?.length === 1) end++;
    if (end - index >= 3 || (end - index >= 2 && index === 0 && end === tokens.length)) {
      words.push(tokens.slice(index, end).join(''));
      index = end;
      continue;
    }
    const word = tokens[index] ?? '';
    if (word === 'OPT' && tokens[index + 1] === 'OUT') {
      words.push('OPTOUT');
      index += 2;
      continue;
    }
    words.push(word);
    index++;
  }
  return words;
}

function asksToStop(words: readonly string[]): boolean {
  const [first] = words;
  if (first !== undefined && OPT_OUT.has(first)) return true;
  const content = words.filter((word) => !POLITE.has(word));
  if (content.length === 1 && OPT_OUT.has(content[0] ?? '')) return true;
  if (words.length > SHORT_MESSAGE_WORDS) return false;
  const sentence = words.join(' ');
  if (NEGATED_STOP.test(sentence)) return false;
  if (words.length <= VERY_SHORT_MESSAGE_WORDS && words.some((word) => PLAIN_STOP.has(word))) return true;
  return REVOCATIONS.some((pattern) => pattern.test(sentence));
}

/** What a patron's text asks for. */
export function classifyKeyword(messageBody: string): KeywordClass {
  const words = keywordWords(messageBody);
  const [first] = words;
  if (first === undefined) return 'unknown';
  if (asksToStop(words)) return 'opt-out';
  if (HELP.has(first)) return 'help';
  if (OPT_IN.has(first)) return 'opt-in';
  return 'unknown';
}
