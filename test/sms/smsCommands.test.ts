/**
 * Text commands without an emulator: each command word in English and Spanish with the keyword
 * normalization, the keywords' priority, family labels, and every reply GSM-7 within its segments
 * (counted by the project's counter and by sms-segments-calculator).
 */
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { brandingFor } from '#shared/config/consortiumConfig.ts';
import { gsm7Length, isGsm7 } from '#shared/notices/gsm7.ts';
import { classifyKeyword } from '#shared/sms/keywords.ts';
import {
  classifyCommand,
  commandSettings,
  itemsReply,
  nothingToRenewReply,
  patronLabels,
  renewalReply,
  THREE_SEGMENTS,
  type LoanOutcome,
  type ReplyVoice,
} from '#shared/sms/smsCommands.ts';
import { testConfig } from '#test/helpers/factories.ts';

const voice = (language: 'en' | 'es'): ReplyVoice => ({
  language,
  branding: brandingFor(testConfig, 'riverside').branding,
  timeZone: testConfig.timeZone,
});
const segments = (text: string) => new SegmentedMessage(text).segmentsCount;

describe('Function: classifyCommand', () => {
  it.each([
    ['RENEW', 'renew', undefined],
    ['renew', 'renew', undefined],
    ['  Renew!! ', 'renew', undefined],
    ['ＲＥＮＥＷ', 'renew', undefined],
    ['R E N E W', 'renew', undefined],
    ['renew please', 'renew', undefined],
    ['RENOVAR', 'renew', 'es'],
    ['renovar por favor', 'renew', 'es'],
    ['Renová', undefined, undefined],
    ['RENEW ALL', 'renew-all', undefined],
    ['renew-all', 'renew-all', undefined],
    ['R E N E W A L L', 'renew-all', undefined],
    ['RENOVAR TODO', 'renew-all', 'es'],
    ['renovar todos', 'renew-all', 'es'],
    ['ITEMS', 'items', undefined],
    ['items?', 'items', undefined],
    ['PRÉSTAMOS', 'items', 'es'],
    ['prestamos', 'items', 'es'],
    ['ARTÍCULOS', 'items', 'es'],
  ] as const)('reads %j as %s', (text, command, language) => {
    const read = classifyCommand(text);
    expect(read?.command).toBe(command);
    if (command !== undefined) expect(read?.language).toBe(language);
  });

  it.each(['renew my card at the desk tomorrow', 'items I returned', 'renewal', 'hello', ''])('leaves %j alone (no command)', (text) => {
    expect(classifyCommand(text)).toBeUndefined();
  });

  it('keeps keywords first: a text that asks to stop is never a command', () => {
    for (const text of ['STOP RENEW', 'renew stop', 'stop texting me items']) {
      expect(classifyKeyword(text), text).toBe('opt-out');
    }
    expect(classifyKeyword('RENEW')).toBe('unknown');
    expect(classifyKeyword('RENOVAR TODO')).toBe('unknown');
  });
});

describe('Function: commandSettings', () => {
  it('fills in the defaults and keeps what the library set', () => {
    expect(commandSettings(testConfig)).toEqual({
      enabled: true,
      renewWithinDays: 3,
      ilsAnswerSeconds: 120,
      patronLabel: 'card-suffix',
      catalogUrl: undefined,
    });
    const own = commandSettings({
      ...testConfig,
      sms: {
        ...testConfig.sms,
        commands: { renewWithinDays: 5, patronLabel: 'initial', catalogUrl: 'https://catalog.example.org/account' },
      },
    });
    expect(own).toMatchObject({
      renewWithinDays: 5,
      patronLabel: 'initial',
      ilsAnswerSeconds: 120,
      catalogUrl: 'https://catalog.example.org/account',
    });
  });
});

describe('Function: patronLabels', () => {
  it('labels nobody on a number with one patron, and each family member by card suffix, never a name', () => {
    expect(patronLabels([{ patronId: 'P-20001234' }], 'card-suffix')).toEqual(new Map([['P-20001234', '']]));
    const family = patronLabels([{ patronId: 'P-20001234' }, { patronId: 'P-20005678' }], 'card-suffix');
    expect([...family.values()]).toEqual(['#1234', '#5678']);
  });

  it('uses initials when the library chose them, and adds the card suffix when two share an initial', () => {
    const labels = patronLabels(
      [
        { patronId: 'P-1111', initial: 'ana' },
        { patronId: 'P-2222', initial: 'Alex' },
        { patronId: 'P-3333', initial: 'M' },
        { patronId: 'P-4444' },
      ],
      'initial',
    );
    expect([...labels.values()]).toEqual(['A. #1111', 'A. #2222', 'M.', '#4444']);
  });
});

describe('Function: renewalReply', () => {
  const renewed = (dueAt: string): LoanOutcome => ({ state: 'renewed', dueAt });
  const lines = [
    {
      label: '#1234',
      loans: [renewed('2026-11-18T23:59:00Z'), renewed('2026-11-20T23:59:00Z'), { state: 'refused', reason: 'on-hold' } as const],
    },
    {
      label: '#5678',
      loans: [{ state: 'refused', reason: 'too-many-renewals' } as const, { state: 'refused', reason: 'blocked' } as const],
    },
  ];

  it('says what was renewed (new due dates) and what was not (reasons in plain words), per patron, in English', () => {
    const two = [
      { label: '#1234', loans: [renewed('2026-11-18T23:59:00Z'), renewed('2026-11-20T23:59:00Z')] },
      { label: '#5678', loans: [{ state: 'refused', reason: 'on-hold' } as const, { state: 'refused', reason: 'blocked' } as const] },
    ];
    expect(renewalReply(two, voice('en'), false)).toBe(
      'Riverside Library: #1234: renewed 2, due Wed Nov 18, Fri Nov 20. #5678: not renewed 2 (someone is waiting for it, your account needs attention).',
    );
    // One more reason would take a second segment: the dates shrink to the latest, then the reasons go.
    expect(renewalReply(lines, voice('en'), false)).toBe(
      'Riverside Library: #1234: renewed 2, due by Fri Nov 20; not renewed 1. #5678: not renewed 2.',
    );
  });

  it('speaks Spanish, and says less (the latest due date, then no reasons) rather than take a second segment', () => {
    const text = renewalReply(lines, voice('es'), false);
    expect(text).toContain('#1234: renovados 2, vencen hasta');
    expect(gsm7Length(text)).toBeLessThanOrEqual(160);
  });

  it('tells a silent ILS apart, with how to renew otherwise', () => {
    const pending: LoanOutcome = { state: 'pending' };
    expect(renewalReply([{ label: '', loans: [pending, pending] }], voice('en'), true)).toBe(
      'Riverside Library: The library system did not answer, nothing was renewed. Renew in the online catalog or at (845) 555-0111.',
    );
    expect(renewalReply([{ label: '', loans: [renewed('2026-11-18T23:59:00Z'), pending] }], voice('es'), false)).toBe(
      'Riverside Library: Renovados 1, vencen mié 18 nov; sin respuesta para 1. Renueve al (845) 555-0111.',
    );
  });

  it('fits one GSM-7 segment for families of up to 6 with 10 loans each, in both languages', () => {
    const reasons = ['too-many-renewals', 'on-hold', 'blocked', 'other'] as const;
    for (const language of ['en', 'es'] as const) {
      for (let patrons = 1; patrons <= 6; patrons++) {
        const family = Array.from({ length: patrons }, (_, p) => ({
          label: patrons === 1 ? '' : `#${1000 + p}`,
          loans: Array.from(
            { length: 10 },
            (_, l): LoanOutcome =>
              l % 3 === 0
                ? { state: 'refused', reason: reasons[l % 4]! }
                : l % 3 === 1
                  ? renewed(`2026-11-${10 + l}T23:00:00Z`)
                  : { state: 'pending' },
          ),
        }));
        const text = renewalReply(family, voice(language), true);
        expect(isGsm7(text), text).toBe(true);
        expect(segments(text), text).toBe(1);
      }
    }
  });
});

describe('Function: itemsReply', () => {
  const options = { titles: false, catalogUrl: 'https://catalog.example.org/account' };

  it('gives count and due dates per patron, one segment for a family with a few loans, in English and Spanish', () => {
    const patrons = [
      { label: '#1234', loans: [{ dueAt: '2026-11-18T23:59:00Z' }, { dueAt: '2026-11-18T23:59:00Z' }, { dueAt: '2026-11-25T23:59:00Z' }] },
      { label: '#5678', loans: [] },
    ];
    const en = itemsReply(patrons, voice('en'), options);
    expect(en).toBe('Riverside Library: #1234: 3 items, due Wed Nov 18 (2), Wed Nov 25. #5678: no items. Reply RENEW to renew.');
    const es = itemsReply(patrons, voice('es'), options);
    expect(es).toBe(
      'Riverside Library: #1234: 3 prestamos, vence mié 18 nov (2), mié 25 nov. #5678: sin prestamos. Responda RENOVAR para renovar.',
    );
    expect([en, es].map(segments)).toEqual([1, 1]);
  });

  it('shows titles only when asked, and never more than three segments: then a pointer to the catalog', () => {
    const many = [
      {
        label: '',
        loans: Array.from({ length: 40 }, (_, index) => ({
          dueAt: `2026-12-${String(1 + (index % 28)).padStart(2, '0')}T23:00:00Z`,
          title: `Ça ira, tome ${index} — “l’été”`,
        })),
      },
    ];
    const withoutTitles = itemsReply(many, voice('en'), options);
    expect(withoutTitles).not.toContain('tome');
    const withTitles = itemsReply(many, voice('en'), { ...options, titles: true });
    expect(withTitles).toContain("Ça ira, tome 0 - 'l'été' due Tue Dec 1;");
    expect(withTitles.endsWith('More: https://catalog.example.org/account')).toBe(true);
    for (const text of [withoutTitles, withTitles, itemsReply(many, voice('es'), { titles: true, catalogUrl: undefined })]) {
      expect(isGsm7(text), text).toBe(true);
      expect(gsm7Length(text)).toBeLessThanOrEqual(THREE_SEGMENTS);
      expect(segments(text)).toBeLessThanOrEqual(3);
    }
  });

  it('answers RENEW with nothing to renew in one segment, in both languages', () => {
    for (const language of ['en', 'es'] as const) {
      for (const anyLoans of [true, false]) expect(segments(nothingToRenewReply(voice(language), 3, anyLoans))).toBe(1);
    }
  });
});
