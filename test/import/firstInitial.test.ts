/**
 * A first name in a patron export (the import) or a patron-changes report (the ILS report bridge):
 * only its initial goes on, the name is never part of a row, an event, an issue or a warning. Empty
 * clears the initial; a name that does not start with a letter gives none. Pure logic, no emulator.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCirculationEvent } from '#shared/events/parseEvent.ts';
import { rowReportEvents } from '#shared/ilsBridge/reportEvents.ts';
import { parseReportMapping } from '#shared/ilsBridge/reportMapping.ts';
import { readReportRows } from '#shared/ilsBridge/reportRows.ts';
import { loadImportMapping, parseImportMapping } from '#shared/import/importMapping.ts';
import { checkRecords } from '#shared/import/importRows.ts';
import { readPatronFile } from '#shared/import/patronFile.ts';
import { testConfig } from '#test/helpers/factories.ts';

const NAMES = ['Xiomara', 'élodie', 'Zbigniew', '7of9', '  '];

describe('Import: a first-name column', () => {
  const koha = loadImportMapping('koha');
  const mapping = parseImportMapping({ ...koha, columns: { ...koha.columns, firstName: 'firstname' } }, 'test');
  const header = 'borrowernumber,branchcode,smsalertnumber,email,lang,sms_opt_in,email_opt_in,updated_on,firstname';
  const check = (rows: string[]) => {
    const file = readPatronFile(Buffer.from([header, ...rows].join('\n')), mapping);
    return checkRecords(file.records, file.unreadable, mapping, { config: testConfig, defaultCountry: 'US', now: new Date() });
  };

  it('keeps only the initial of each name; empty clears it; no letter first gives none (a warning without the name)', () => {
    const checked = check([
      '201,RPL,,,en,0,0,,Xiomara',
      '202,RPL,,,en,0,0,,élodie',
      '203,RPL,,,en,0,0,,"  Zbigniew "',
      '204,RPL,,,en,0,0,,7of9',
      '205,RPL,,,en,0,0,,',
    ]);

    expect(checked.refused).toEqual([]);
    expect(checked.rows.map((row) => [row.patronId, row.initial])).toEqual([
      ['201', 'X'],
      ['202', 'É'],
      ['203', 'Z'],
      ['204', null],
      ['205', null],
    ]);
    expect(checked.warnings).toEqual([{ line: 5, field: 'firstname', rule: 'does not start with a letter: no initial for this patron' }]);
    const everything = JSON.stringify(checked);
    for (const name of NAMES.filter((name) => name.trim() !== '')) expect(everything).not.toContain(name);
  });

  it('leaves the initial alone when the mapping names no first-name column', () => {
    const file = readPatronFile(Buffer.from(`${header.replace(/,firstname$/, '')}\n206,RPL,,,en,0,0,`), koha);
    const checked = checkRecords(file.records, file.unreadable, koha, { config: testConfig, defaultCountry: 'US', now: new Date() });
    expect(checked.rows[0]!.initial).toBeUndefined();
  });
});

describe('ILS report bridge: patron changes with a first name', () => {
  const shipped = JSON.parse(readFileSync(new URL('../../config/ils-mappings/koha-patron-changes.json', import.meta.url), 'utf-8'));
  const parsed = parseReportMapping({ ...shipped, columns: { ...shipped.columns, firstName: 'firstname' } });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const { mapping } = parsed;
  const header = 'borrowernumber,updated_on,smsalertnumber,email,sms_opt_in,email_opt_in,language,firstname';

  it('sends only the initial in PatronPreferencesChanged (empty or no letter clears it), and the events pass the contract', () => {
    const csv = [
      header,
      '51,2026-11-04 08:00:00,,,1,0,en,Xiomara',
      '52,2026-11-04 08:00:00,,,1,0,en,E\u0301lodie',
      '53,2026-11-04 08:00:00,,,1,0,en,',
      '54,2026-11-04 08:00:00,,,1,0,en,7of9',
    ].join('\n');

    const { rows, issues } = readReportRows(csv, mapping);
    const built = rowReportEvents(rows, {
      feed: 'koha-patron-changes',
      asOf: '2026-11-04T15:00:00.000Z',
      mapping,
      source: 'library.circulation',
      now: new Date('2026-11-04T15:00:00.000Z'),
    });

    expect([...issues, ...built.issues]).toEqual([]);
    expect(built.events.map((event) => (event.detailType === 'PatronPreferencesChanged' ? event.detail.changes.initial : 'other'))).toEqual(
      ['X', 'É', null, null],
    );
    for (const event of built.events) {
      expect(parseCirculationEvent({ source: 'library.circulation', 'detail-type': event.detailType, detail: event.detail })).toEqual(
        event,
      );
    }
    const everything = JSON.stringify(built);
    for (const name of ['Xiomara', 'lodie', '7of9']) expect(everything).not.toContain(name);
  });

  it('names the column when a mapped first-name column is missing from the header', () => {
    expect(readReportRows(`${header.replace(/,firstname$/, '')}\n51,2026-11-04 08:00:00,,,1,0,en\n`, mapping).issues).toEqual([
      { line: 1, column: 'firstname', rule: 'is missing from the header (mapped to firstName)' },
    ]);
  });
});
