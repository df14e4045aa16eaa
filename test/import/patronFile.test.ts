/**
 * Reading patron exports: what is read as it is (UTF-8 byte order mark, CRLF, quoted fields) and what
 * is refused as a whole, with a message that says where and what to change and never a value.
 */
import { describe, expect, it } from 'vitest';
import { ImportFileError } from '#shared/errors.ts';
import { loadImportMapping, parseImportMapping } from '#shared/import/importMapping.ts';
import { readPatronFile } from '#shared/import/patronFile.ts';

const koha = loadImportMapping('koha');
const generic = loadImportMapping('generic');
const KOHA_HEADER = 'borrowernumber,branchcode,smsalertnumber,email,lang,sms_opt_in,email_opt_in,updated_on';
const kohaRow = (id: string, phone = '(845) 555-0101') => `${id},RPL,${phone},reader${id}@example.net,en,1,1,2024-03-01 10:00:00`;
const csv = (...lines: string[]) => Buffer.from(`${lines.join('\n')}\n`);

function refusal(bytes: Buffer, mapping = koha): string {
  try {
    readPatronFile(bytes, mapping);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFileError);
    return (error as Error).message;
  }
  throw new Error('the file was not refused');
}

describe('Function: readPatronFile', () => {
  describe('what it reads', () => {
    it('reads a Koha report with its line numbers and values by column', () => {
      const file = readPatronFile(csv(KOHA_HEADER, kohaRow('101'), kohaRow('102')), koha);

      expect(file.records.map((record) => record.line)).toEqual([2, 3]);
      expect(file.records[0]?.values).toEqual({
        borrowernumber: '101',
        branchcode: 'RPL',
        smsalertnumber: '(845) 555-0101',
        email: 'reader101@example.net',
        lang: 'en',
        sms_opt_in: '1',
        email_opt_in: '1',
        updated_on: '2024-03-01 10:00:00',
      });
      expect(file.fileId).toMatch(/^[0-9a-f]{12}$/);
      expect(file.hadBom).toBe(false);
    });

    it('skips a UTF-8 byte order mark and reads CRLF line ends, so the first column keeps its name', () => {
      const plain = readPatronFile(csv(KOHA_HEADER, kohaRow('101')), koha);
      const excel = readPatronFile(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${KOHA_HEADER}\r\n${kohaRow('101')}\r\n`)]),
        koha,
      );

      expect(excel.hadBom).toBe(true);
      expect(excel.records).toEqual(plain.records);
    });

    it('names each record by the line it starts on, after quoted line breaks (LF or CRLF) and empty lines', () => {
      const rows = [KOHA_HEADER, kohaRow('101'), '102,RPL,"(845) 555-0102\r\nmobile",a@example.net,en,1,1,', '', kohaRow('103')];
      const crlf = readPatronFile(Buffer.from(`${rows.join('\r\n')}\r\n`), koha);
      const lf = readPatronFile(Buffer.from(`${rows.join('\n').replace('\r\n', '\n')}\n`), koha);

      expect(crlf.records.map((record) => [record.line, record.values.borrowernumber])).toEqual([
        [2, '101'],
        [3, '102'],
        [6, '103'],
      ]);
      expect(lf.records.map((record) => record.line)).toEqual([2, 3, 6]);
    });

    it('reads quoted fields holding the delimiter, doubled quotes and line breaks', () => {
      const file = readPatronFile(csv(KOHA_HEADER, '101,RPL,"(845) 555-0101, mobile","a""b@example.net",en,1,1,', kohaRow('102')), koha);

      expect(file.records[0]?.values.smsalertnumber).toBe('(845) 555-0101, mobile');
      expect(file.records[0]?.values.email).toBe('a"b@example.net');
      expect(file.records[1]?.line).toBe(3);
    });

    it('reads a semicolon or tab export when the mapping says so', () => {
      const semicolon = parseImportMapping({ ...koha, delimiter: ';' }, 'test');
      const tab = parseImportMapping({ ...koha, delimiter: '\t' }, 'test');

      expect(readPatronFile(csv(KOHA_HEADER.replaceAll(',', ';'), kohaRow('101').replaceAll(',', ';')), semicolon).records).toHaveLength(1);
      expect(readPatronFile(csv(KOHA_HEADER.replaceAll(',', '\t'), kohaRow('101').replaceAll(',', '\t')), tab).records).toHaveLength(1);
    });

    it('reads JSON lines, dotted paths included, and refuses only the line that is not an object', () => {
      const mapping = parseImportMapping(
        { format: 'jsonl', columns: { patronId: 'id', phone: 'contact.phone', smsOptIn: 'consent.sms' } },
        'test',
      );
      const file = readPatronFile(
        Buffer.from(
          '{"id":"P1","contact":{"phone":"+18455550101"},"consent":{"sms":true}}\r\n\n[1,2]\n{"id":"P2","consent":{"sms":false}}\n',
        ),
        mapping,
      );

      expect(file.records).toEqual([
        { line: 1, values: { id: 'P1', 'contact.phone': '+18455550101', 'consent.sms': 'true' } },
        { line: 4, values: { id: 'P2', 'contact.phone': undefined, 'consent.sms': 'false' } },
      ]);
      expect(file.unreadable).toEqual([{ line: 3, rule: 'must be one JSON object' }]);
    });
  });

  describe('what it refuses', () => {
    it('refuses the wrong delimiter and names the one the file seems to use', () => {
      const message = refusal(csv(KOHA_HEADER.replaceAll(',', ';'), kohaRow('101').replaceAll(',', ';')));

      expect(message).toBe(
        'the header has a single column: the mapping expects columns separated by comma, but the file seems to use semicolon ' +
          '(set "delimiter" in the mapping, or pass --delimiter)',
      );
    });

    it('refuses a header without a mapped column and lists what it has', () => {
      const message = refusal(csv('borrowernumber,branchcode,email', '101,RPL,a@example.net'));

      expect(message).toBe(
        'the header lacks the columns smsalertnumber, lang, sms_opt_in, email_opt_in, updated_on named by the mapping ' +
          '(the header has: borrowernumber, branchcode, email)',
      );
    });

    it('refuses a file without a header line and never echoes its first record (phone, email, name)', () => {
      const message = refusal(
        csv('P1,riverside,+18455550101,jane.doe@example.net,en,yes,no,0,2024-03-01,Jane', 'P2,riverside,,,en,0,0,0,,'),
        generic,
      );

      expect(message).toBe(
        'the first line names none of the columns of the mapping ' +
          '(patron_id, library, phone, email, language, sms_opt_in, email_opt_in, checkout_history_opt_in, consent_at): ' +
          'the file must start with a header line naming its columns, or another --mapping is needed',
      );
      expect(message).not.toMatch(/jane|8455550101|Jane|P1/);
    });

    it('names the right line in a refusal after a value holding a CRLF line break', () => {
      const before = [KOHA_HEADER, '101,RPL,"(845) 555-0101\r\nmobile",a@example.net,en,1,1,'];
      const file = (...lines: string[]) => Buffer.from(`${[...before, ...lines].join('\r\n')}\r\n`);

      expect(refusal(file(kohaRow('102'), '103,RPL,845"555,b@example.net,en,1,1,'))).toMatch(/^line 5: a quote in the middle/);
      expect(refusal(file(kohaRow('102'), '103,RPL,845,555,0103,b@example.net,en,1,1,'))).toMatch(/^line 5 has 10 fields/);
    });

    it('refuses a quote that is never closed', () => {
      expect(refusal(csv(KOHA_HEADER, '101,RPL,"(845) 555-0101,a@example.net,en,1,1,'))).toMatch(/^a quoted field is never closed/);
    });

    it('refuses a quote in the middle of a field, by line, without the value', () => {
      const message = refusal(csv(KOHA_HEADER, kohaRow('101'), '102,RPL,845"555,secret@example.net,en,1,1,'));

      expect(message).toMatch(/^line 3: a quote in the middle of a field/);
      expect(message).not.toContain('secret');
      expect(message).not.toContain('845');
      expect(refusal(csv(KOHA_HEADER, '101,"RPL"x,,,en,1,1,'))).toMatch(/^line 2: a quote in the middle of a field/);
    });

    it('refuses a record with more fields than the header (an unquoted delimiter in a value)', () => {
      const message = refusal(csv(KOHA_HEADER, kohaRow('101'), '102,RPL,845,555,0102,x@example.net,en,1,1,'));

      expect(message).toBe(
        'line 3 has 10 fields and the header does not: a value holding the delimiter (comma) must be quoted, or the file uses another delimiter',
      );
    });

    it('refuses UTF-16 (a UTF-16 byte order mark) and bytes that are not UTF-8, by line', () => {
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${KOHA_HEADER}\n`, 'utf16le')]);
      const latin1 = Buffer.concat([csv(KOHA_HEADER, kohaRow('101')), Buffer.from('102,RPL,,Jos\xe9@example.net,en,1,1,\n', 'latin1')]);

      expect(refusal(utf16)).toBe('the file is UTF-16 text (it starts with a UTF-16 byte order mark): export it as UTF-8');
      expect(refusal(latin1)).toBe('the file is not UTF-8 text (the first byte that is not UTF-8 is on line 3): export it as UTF-8');
    });

    it('refuses an empty file, a duplicated column, a CSV given as JSON lines and JSON lines without the patron id', () => {
      const jsonl = parseImportMapping({ ...generic, format: 'jsonl' }, 'test');

      expect(refusal(Buffer.from('\n\n'))).toBe('the file is empty');
      expect(refusal(csv(`${KOHA_HEADER},email`, `${kohaRow('101')},x`))).toBe('the header names the column email twice');
      expect(refusal(csv('patron_id,phone', 'P1,+18455550101'), jsonl)).toBe(
        'line 1 is not a JSON object: is this a CSV file? (use a CSV mapping or --format csv)',
      );
      expect(refusal(Buffer.from('{"id":"P1"}\n'), jsonl)).toBe('no line has the field patron_id that the mapping names as the patron id');
    });
  });
});
