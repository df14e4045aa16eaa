/**
 * A patron's first initial: the one letter a reply to a shared number may name a family member by
 * (docs/sms-commands.md). Bookdrop keeps the letter, never the name: an import or a report file that
 * carries a first name is reduced to its initial here, before anything is stored. Pure: no I/O.
 */

/**
 * One letter, possibly with its accents as combining marks (`E` + `´`): what the contract accepts as
 * `initial`. A JSON Schema pattern too (ECMA-262 with Unicode property escapes).
 */
export const INITIAL_PATTERN = /^\p{L}\p{M}{0,3}$/u;

/** The rule a bad initial breaks, as a field error says it (never with the value). */
export const INITIAL_RULE = 'must be exactly one letter (a first initial, never a name)';

/**
 * The stored form of a valid initial: composed (`E` + `´` becomes `É`) and upper case when upper case
 * is still one letter (`ß` stays `ß`).
 */
export function normalizeInitial(initial: string): string {
  const composed = initial.normalize('NFC');
  const upper = composed.toUpperCase();
  return INITIAL_PATTERN.test(upper) ? upper : composed;
}

/**
 * The initial of a first name (or of a column that already holds only the initial): its first letter
 * with that letter's accents, or `undefined` when the name does not start with a letter (digits,
 * punctuation, an emoji). Surrounding spaces are ignored. The name itself goes no further.
 */
export function initialOfName(name: string): string | undefined {
  const first = /^\p{L}\p{M}{0,3}/u.exec(name.trim().normalize('NFC'));
  return first === null ? undefined : normalizeInitial(first[0]);
}
