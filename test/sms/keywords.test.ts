import { describe, expect, it } from 'vitest';
import { classifyKeyword } from '#shared/sms/keywords.ts';

describe('Function: classifyKeyword', () => {
  it.each(['ARRET', 'CANCEL', 'END', 'OPT-OUT', 'OPTOUT', 'QUIT', 'REMOVE', 'STOP', 'STOPALL', 'TD', 'UNSUBSCRIBE'])('opts out on %s', (word) => {
    expect(classifyKeyword(word)).toBe('opt-out');
  });

  it.each(['stop', ' Stop ', 'STOP!!', '"stop."', 'Stop please', 'stop, thanks', 'Arrêt', 'opt out', 'Unsubscribe me 🙏', '\nSTOP\n'])(
    'opts out on %j (case, whitespace, punctuation, first word)',
    (text) => {
      expect(classifyKeyword(text)).toBe('opt-out');
    },
  );

  it.each(['START', 'start', 'Unstop', 'yes', 'YES!', ' Start. '])('opts in on %j', (text) => {
    expect(classifyKeyword(text)).toBe('opt-in');
  });

  it.each(['HELP', 'help?', 'Info', ' INFO! '])('asks for help on %j', (text) => {
    expect(classifyKeyword(text)).toBe('help');
  });

  it.each(['Thanks!', 'when do you open?', 'yes please renew', 'start my renewal', 'stopped by yesterday', '', '🙂'])(
    'does not understand %j',
    (text) => {
      expect(classifyKeyword(text)).toBe('unknown');
    },
  );
});
