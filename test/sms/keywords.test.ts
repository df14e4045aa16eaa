/**
 * Keyword classes: every example of the table in docs/sms.md, plus each keyword of every class.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyKeyword, keywordWords, type KeywordClass } from '#shared/sms/keywords.ts';

/** The rows between the markers of docs/sms.md: a JSON string message and its class. */
function documentedExamples(): [string, KeywordClass][] {
  const doc = readFileSync(new URL('../../docs/sms.md', import.meta.url), 'utf8');
  const table = doc.slice(doc.indexOf('<!-- keyword-examples:start -->'), doc.indexOf('<!-- keyword-examples:end -->'));
  return [...table.matchAll(/^\| `(".*")` \| ([a-z-]+) \|$/gm)].map((row) => [JSON.parse(row[1] ?? '') as string, row[2] as KeywordClass]);
}

describe('Function: classifyKeyword', () => {
  const examples = documentedExamples();

  it('reads the documented table of examples, with every class in it', () => {
    expect(examples.length).toBeGreaterThanOrEqual(70);
    expect(new Set(examples.map(([, keywordClass]) => keywordClass))).toEqual(new Set(['opt-out', 'opt-in', 'help', 'unknown']));
  });

  it.each(examples)('classifies %j as %s (docs/sms.md)', (message, keywordClass) => {
    expect(classifyKeyword(message)).toBe(keywordClass);
  });

  it.each([
    'ARRET',
    'CANCEL',
    'END',
    'OPT-OUT',
    'OPTOUT',
    'QUIT',
    'REMOVE',
    'REVOKE',
    'STOP',
    'STOPALL',
    'TD',
    'UNSUBSCRIBE',
    'ALTO',
    'PARAR',
    'PARE',
    'BAJA',
    'CANCELAR',
  ])('opts out on %s, alone, lower-case, fullwidth and followed by other words', (word) => {
    const fullwidth = [...word].map((char) => (char === '-' ? '－' : String.fromCodePoint(char.codePointAt(0)! + 0xfee0))).join('');
    for (const text of [word, word.toLowerCase(), fullwidth, `${word} thanks`]) expect(classifyKeyword(text), text).toBe('opt-out');
  });

  it.each(['START', 'UNSTOP', 'YES'])('opts in on %s, alone and followed by other words', (word) => {
    for (const text of [word, word.toLowerCase(), `${word} please`]) expect(classifyKeyword(text), text).toBe('opt-in');
  });

  it.each(['HELP', 'INFO', 'AYUDA'])('asks for help on %s, alone and followed by other words', (word) => {
    for (const text of [word, word.toLowerCase(), `${word} me`]) expect(classifyKeyword(text), text).toBe('help');
  });

  it('never reads an opt-in into text that also asks to stop', () => {
    for (const text of ['yes stop', 'START STOP', 'yes, unsubscribe', 'start? no, stop texting me'])
      expect(classifyKeyword(text), text).toBe('opt-out');
  });
});

describe('Function: keywordWords', () => {
  it('folds compatibility forms, joins spelled-out words and OPT OUT, and splits on punctuation', () => {
    expect(keywordWords('ＯＰＴ－ＯＵＴ')).toEqual(['OPTOUT']);
    expect(keywordWords('S-T-O-P now')).toEqual(['STOP', 'NOW']);
    expect(keywordWords("don't stop")).toEqual(['DONT', 'STOP']);
    expect(keywordWords('Ⓢⓣⓞⓟ')).toEqual(['STOP']);
  });
});
