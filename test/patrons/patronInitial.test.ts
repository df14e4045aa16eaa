/**
 * The first initial: what the contract accepts (and how it refuses, never echoing the value), how a
 * first name is reduced to it, how events set and clear it (newer wins; at the same time clearing
 * wins, whichever arrives first; closing the account drops it), and how replies to a shared number
 * label patrons by it. Pure domain logic: no emulator.
 */
import { describe, expect, it } from 'vitest';
import { EventValidationError } from '#shared/errors.ts';
import type { DetailOf } from '#shared/events/contract.ts';
import { parseCirculationEvent } from '#shared/events/parseEvent.ts';
import { initialOfName, normalizeInitial } from '#shared/patrons/patronInitial.ts';
import {
  applyClosure,
  applyImport,
  applyPreferences,
  applyRegistration,
  emptyProfile,
  type PatronProfile,
  type ProfileChange,
} from '#shared/patrons/patronProfile.ts';
import { patronLabels } from '#shared/sms/smsCommands.ts';
import { eventBridgeEvent, patronRegistered, preferencesChanged } from '#test/helpers/factories.ts';

const registration = (initial: string | undefined, occurredAt = '2026-11-02T10:00:00-05:00', eventId = 'evt-reg') =>
  patronRegistered({ patronId: 'P-1', eventId, occurredAt, ...(initial === undefined ? {} : { initial }) });
const change = (initial: string | null, occurredAt = '2026-11-03T10:00:00-05:00', eventId = 'evt-pref') =>
  preferencesChanged('P-1', { initial }, { eventId, occurredAt });

type Step = (profile: PatronProfile) => ProfileChange;
const run = (steps: readonly Step[]) => steps.reduce((profile, step) => step(profile).profile, emptyProfile('P-1'));
const register =
  (detail: DetailOf<'PatronRegistered'>): Step =>
  (profile) =>
    applyRegistration(profile, detail);
const prefer =
  (detail: DetailOf<'PatronPreferencesChanged'>): Step =>
  (profile) =>
    applyPreferences(profile, detail);

describe('Contract: initial', () => {
  const parse = (detailType: string, detail: unknown) => parseCirculationEvent(eventBridgeEvent(detailType, detail));

  it.each(['A', 'z', 'É', 'E\u0301', 'Ñ', 'ß', 'Ł', '李'])('accepts one letter (%s), with its accents', (initial) => {
    expect(parse('PatronRegistered', registration(initial)).detailType).toBe('PatronRegistered');
  });

  it.each([
    ['a whole name', 'Xiomara'],
    ['two letters', 'XQ'],
    ['a digit', '7'],
    ['a dot after the letter', 'X.'],
    ['a space', ' '],
    ['an emoji', '\u{1F600}'],
    ['nothing', ''],
  ])('refuses %s, naming the field and the rule, never the value', (_case, initial) => {
    const detail = { ...registration(undefined), initial };
    let error: unknown;
    try {
      parse('PatronRegistered', detail);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EventValidationError);
    const { message, issues } = error as EventValidationError;
    expect(issues).toEqual([{ field: 'detail.initial', rule: 'must be exactly one letter (a first initial, never a name)' }]);
    if (initial.trim() !== '') expect(message).not.toContain(initial);
    expect(JSON.stringify(issues)).not.toContain('Xiomara');
  });

  it('takes null in PatronPreferencesChanged (it clears the initial), and refuses a name there too', () => {
    expect(parse('PatronPreferencesChanged', change(null)).detailType).toBe('PatronPreferencesChanged');
    expect(() => parse('PatronPreferencesChanged', preferencesChanged('P-1', { initial: 'Xiomara' }))).toThrow(
      'invalid event: detail.changes.initial must be exactly one letter (a first initial, never a name)',
    );
  });
});

describe('Function: initialOfName', () => {
  it.each([
    ['Ana', 'A'],
    ['  maría josé ', 'M'],
    ['élodie', 'É'],
    ['E\u0301lodie', 'É'],
    ['ñandú', 'Ñ'],
    ['ß', 'ß'],
    ['J', 'J'],
  ])('keeps only the first letter of %j: %s', (name, initial) => {
    expect(initialOfName(name)).toBe(initial);
  });

  it.each(['', '   ', '2Pac', '-Ana', '\u{1F600}Ana'])('finds no initial in %j', (name) => {
    expect(initialOfName(name)).toBeUndefined();
  });

  it('stores a composed, upper-case letter (when upper case is one letter)', () => {
    expect(normalizeInitial('e\u0301')).toBe('É');
    expect(normalizeInitial('ß')).toBe('ß');
  });
});

describe('Profile: initial', () => {
  it('a registration sets it (stored upper case, composed); a newer change replaces or clears it; an older one changes nothing', () => {
    const registered = run([register(registration('e\u0301'))]);
    expect(registered.initial).toEqual({ value: 'É', at: '2026-11-02T15:00:00.000Z', evidenceId: 'evt-reg' });
    expect(run([register(registration('a')), prefer(change('B'))]).initial?.value).toBe('B');
    expect(run([register(registration('a')), prefer(change(null))]).initial?.value).toBeNull();
    const late = applyPreferences(run([register(registration('a', '2026-11-04T10:00:00-05:00'))]), change('B'));
    expect(late.changed).toBe(false);
    expect(late.profile.initial?.value).toBe('A');
  });

  it('a registration without one leaves the initial as it is; a duplicate changes nothing', () => {
    const profile = run([register(registration('a')), prefer(change('B'))]);
    const again = applyRegistration(profile, registration(undefined, '2026-11-05T10:00:00-05:00', 'evt-reg-2'));
    expect(again.profile.initial?.value).toBe('B');
    expect(applyPreferences(profile, change('B')).changed).toBe(false);
  });

  it('in any order, the newest statement wins; at the same time clearing wins over setting, whichever arrives first', () => {
    const steps: Step[] = [
      register(registration('a', '2026-11-02T10:00:00-05:00')),
      prefer(change('B', '2026-11-03T10:00:00-05:00', 'evt-b')),
      prefer(change('C', '2026-11-03T10:00:00-05:00', 'evt-c')),
      prefer(change(null, '2026-11-03T10:00:00-05:00', 'evt-clear')),
    ];
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ];
    const results = orders.map((order) => run(order.map((index) => steps[index]!)));
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0]!.initial).toEqual({ value: null, at: '2026-11-03T15:00:00.000Z', evidenceId: 'evt-clear' });
    // Two letters at the same time: the greater event id, in both orders.
    expect(run([steps[1]!, steps[2]!]).initial?.value).toBe('C');
    expect(run([steps[2]!, steps[1]!]).initial?.value).toBe('C');
  });

  it('closing the account drops it, and an older change cannot bring it back', () => {
    const closed = run([
      register(registration('a')),
      (profile) => applyClosure(profile, { eventId: 'evt-close', occurredAt: '2026-11-04T10:00:00-05:00', patronId: 'P-1' }),
    ]);
    expect(closed.initial).toBeUndefined();
    expect(applyPreferences(closed, change('B')).profile.initial).toBeUndefined();
  });

  it('an import row sets or clears it as an event does, and one without it leaves it', () => {
    const provenance = { at: '2026-11-03T00:00:00.000Z', source: 'import' as const, policyVersion: undefined, evidenceId: 'imp-1' };
    const profile = run([register(registration('a'))]);
    expect(applyImport(profile, { consent: {}, contacts: {}, initial: 'q' }, provenance).profile.initial?.value).toBe('Q');
    expect(applyImport(profile, { consent: {}, contacts: {}, initial: null }, provenance).profile.initial?.value).toBeNull();
    expect(applyImport(profile, { consent: {}, contacts: {} }, provenance).profile.initial?.value).toBe('A');
  });
});

describe('Function: patronLabels (initials)', () => {
  it('labels by initial when the library chose initials, by card when it did not, whatever the profile holds', () => {
    const family = [
      { patronId: 'P-20001234', initial: 'J' },
      { patronId: 'P-20005678', initial: 'M' },
    ];
    expect([...patronLabels(family, 'initial').values()]).toEqual(['J.', 'M.']);
    expect([...patronLabels(family, 'card-suffix').values()]).toEqual(['#1234', '#5678']);
  });

  it('falls back to the card only for a patron without an initial (none, or cleared)', () => {
    const labels = patronLabels(
      [{ patronId: 'P-1111', initial: 'J' }, { patronId: 'P-2222', initial: null }, { patronId: 'P-3333' }],
      'initial',
    );
    expect([...labels.values()]).toEqual(['J.', '#2222', '#3333']);
  });

  it('tells apart two patrons with the same initial by adding the card, also when only GSM-7 makes them the same', () => {
    const labels = patronLabels(
      [
        { patronId: 'P-1111', initial: 'Á' },
        { patronId: 'P-2222', initial: 'A' },
        { patronId: 'P-3333', initial: 'é' },
        { patronId: 'P-4444', initial: 'È' },
        { patronId: 'P-5555', initial: 'ñ' },
      ],
      'initial',
    );
    expect([...labels.values()]).toEqual(['A. #1111', 'A. #2222', 'É.', 'E.', 'Ñ.']);
    expect(new Set(labels.values()).size).toBe(5);
  });

  it('shows more of the card when two cards end alike, so every label stays distinct', () => {
    const sameEnd = [
      { patronId: 'RIV-001234', initial: 'J' },
      { patronId: 'MAP-091234', initial: 'J' },
      { patronId: 'RIV-005678', initial: 'K' },
    ];
    expect([...patronLabels(sameEnd, 'initial').values()]).toEqual(['J. #01234', 'J. #91234', 'K.']);
    expect([...patronLabels(sameEnd, 'card-suffix').values()]).toEqual(['#01234', '#91234', '#5678']);
  });

  it('writes a letter outside GSM-7 as GSM-7 does, and never more than the letter', () => {
    const labels = patronLabels(
      [
        { patronId: 'P-1111', initial: 'Ł' },
        { patronId: 'P-2222', initial: '李' },
      ],
      'initial',
    );
    expect([...labels.values()]).toEqual(['L. #1111', 'L. #2222']);
  });
});
