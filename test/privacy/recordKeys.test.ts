/**
 * Drift test: every table key the code spells belongs to a record kind of the inventory, with the
 * `kind` attribute the inventory names, and every inventory entry is still spelled by the code. A
 * new record kind written without an inventory entry fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RECORD_KINDS, patternHead, recordKindOfKey, type RecordKind } from '#shared/privacy/recordInventory.ts';
import { spelledKeys, type KeyPart, type SpelledKey } from '#test/helpers/recordKeyScan.ts';

const sameHead = (part: KeyPart | undefined, pattern: string) => {
  if (part === undefined || part === 'copy') return true;
  const { head, exact } = patternHead(pattern);
  return part !== 'unknown' && part.head === head && part.exact === exact;
};

/** The inventory entries a spelled key can be. */
const entriesFor = (key: SpelledKey): RecordKind[] =>
  RECORD_KINDS.filter((entry) => sameHead(key.pk, entry.key.pk) && sameHead(key.sk, entry.key.sk));

describe('Record inventory: keys the code spells', () => {
  let keys: SpelledKey[];

  beforeAll(() => {
    keys = spelledKeys();
  }, 60_000);

  it('finds the keys of the code (the scan itself works)', () => {
    const literal = keys.filter((key) => key.pk !== 'copy');
    // Profiles, ledger, holds, loans, fines, history, notices, tombstones, statistics, journal, markers...
    expect(literal.length).toBeGreaterThanOrEqual(RECORD_KINDS.length);
    expect(keys.some((key) => key.at.startsWith('shared/patrons/patronRepository.ts') && key.kind === 'consent-ledger')).toBe(true);
  });

  it('can tell the record kind of every key: no key is built in a way the inventory cannot follow', () => {
    const opaque = keys.filter((key) => key.pk === 'unknown' || key.sk === 'unknown').map((key) => key.at);
    expect(opaque, 'spell table keys as literals or templates (or in a key builder) so the record inventory can follow them').toEqual([]);
  });

  it('finds every key the code spells in the record inventory (add an entry to shared/privacy/recordInventory.ts)', () => {
    const missing = keys
      .filter((key) => key.pk !== 'copy' && entriesFor(key).length === 0)
      .map((key) => `${key.at}: ${JSON.stringify({ pk: key.pk, sk: key.sk })}`);
    expect(missing).toEqual([]);
  });

  it('names the kind attribute the code writes beside each key', () => {
    const wrong = keys
      .filter((key) => key.kind !== undefined && key.pk !== 'copy')
      .filter((key) => !entriesFor(key).some((entry) => entry.kind === key.kind))
      .map(
        (key) =>
          `${key.at}: kind ${key.kind} is not ${entriesFor(key)
            .map((entry) => entry.kind)
            .join(' or ')}`,
      );
    expect(wrong).toEqual([]);
  });

  it('has no entry the code no longer spells', () => {
    const stale = RECORD_KINDS.filter((entry) => !keys.some((key) => key.pk !== 'copy' && entriesFor(key).includes(entry))).map(
      (entry) => `${entry.key.pk} / ${entry.key.sk}`,
    );
    expect(stale).toEqual([]);
  });

  it('tells every inventory key pattern apart, so each stored item has one record kind', () => {
    for (const entry of RECORD_KINDS) {
      const sample = (pattern: string) => pattern.replace(/<[^>]+>/g, 'x1');
      expect(recordKindOfKey(sample(entry.key.pk), sample(entry.key.sk)), `${entry.key.pk} / ${entry.key.sk}`).toBe(entry);
    }
  });

  it('links to a patron exactly the records keyed by the patron id, each in a section of the patron data report', () => {
    for (const entry of RECORD_KINDS) {
      const keyedByPatron = `${entry.key.pk}${entry.key.sk}`.includes('<patronId>');
      expect(entry.link === 'patron', entry.kind).toBe(keyedByPatron);
      expect(entry.reportSection !== undefined, entry.kind).toBe(keyedByPatron);
    }
  });
});
