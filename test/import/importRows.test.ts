/**
 * Checking import rows: each shipped mapping (generic, Koha), phone normalization with the configured
 * default country, every refusal with its line, column and rule (never the value), channels left off
 * for bad contacts, and duplicate patrons (the last row wins).
 */
import { describe, expect, it } from 'vitest';
import { checkRecords, normalizePhone, parseConsentDate, type CheckContext } from '#shared/import/importRows.ts';
import { loadImportMapping, parseImportMapping } from '#shared/import/importMapping.ts';
import { readPatronFile } from '#shared/import/patronFile.ts';
import { testConfig } from '#test/helpers/factories.ts';

const context: CheckContext = { config: testConfig, defaultCountry: 'US', now: new Date('2026-11-20T12:00:00Z') };
const koha = loadImportMapping('koha');
const generic = loadImportMapping('generic');
const check = (text: string, mapping = koha) => {
  const file = readPatronFile(Buffer.from(text), mapping);
  return checkRecords(file.records, file.unreadable, mapping, context);
};
const KOHA_HEADER = 'borrowernumber,branchcode,smsalertnumber,email,lang,sms_opt_in,email_opt_in,updated_on';

describe('Function: checkRecords', () => {
  it('maps a Koha report: branch codes to member libraries, local phone numbers to E.164, Koha languages, local times to UTC', () => {
    const checked = check(
      [
        KOHA_HEADER,
        '101,RPL,(845) 555-0101,ana@example.net,es-ES,1,1,2024-03-01 10:00:00',
        '102,MPL,845.555.0102,,default,1,0,2024-07-01 09:30:00',
        '103,riverside-north,,bo@example.net,en,0,1,',
      ].join('\n'),
    );

    expect(checked.refused).toEqual([]);
    expect(checked.warnings).toEqual([]);
    expect(checked.rows).toEqual([
      {
        line: 2,
        patronId: '101',
        library: 'riverside',
        language: 'es',
        consent: { sms: true, email: true },
        contacts: { sms: '+18455550101', email: 'ana@example.net' },
        consentAt: '2024-03-01T15:00:00.000Z',
      },
      {
        line: 3,
        patronId: '102',
        library: 'maplewood',
        language: 'en',
        consent: { sms: true, email: false },
        contacts: { sms: '+18455550102', email: null },
        // Daylight saving time in July: UTC-4.
        consentAt: '2024-07-01T13:30:00.000Z',
      },
      {
        line: 4,
        patronId: '103',
        library: 'riverside',
        language: 'en',
        consent: { sms: false, email: true },
        contacts: { sms: null, email: 'bo@example.net' },
        consentAt: undefined,
      },
    ]);
  });

  it('maps the generic export, checkout history and ISO dates with offset included', () => {
    const checked = check(
      [
        'patron_id,library,phone,email,language,sms_opt_in,email_opt_in,checkout_history_opt_in,consent_at',
        'P-1,maplewood,+44 7911 123456,c@example.org,es,yes,no,y,2025-01-02T03:04:05+01:00',
      ].join('\r\n'),
      generic,
    );

    expect(checked.rows).toEqual([
      {
        line: 2,
        patronId: 'P-1',
        library: 'maplewood',
        language: 'es',
        consent: { sms: true, email: false, checkoutHistory: true },
        contacts: { sms: '+447911123456', email: 'c@example.org' },
        consentAt: '2025-01-02T02:04:05.000Z',
      },
    ]);
  });

  it('maps JSON lines with a mapping of its own, boolean values included', () => {
    const mapping = parseImportMapping(
      { format: 'jsonl', columns: { patronId: 'id', phone: 'contact.sms', smsOptIn: 'prefs.sms', emailOptIn: 'prefs.email' } },
      'test',
    );
    const checked = check('{"id":"J1","contact":{"sms":"8455550111"},"prefs":{"sms":true,"email":false}}\n', mapping);

    expect(checked.rows).toEqual([
      {
        line: 1,
        patronId: 'J1',
        library: undefined,
        language: undefined,
        consent: { sms: true, email: false },
        contacts: { sms: '+18455550111' },
        consentAt: undefined,
      },
    ]);
  });

  it('refuses rows by line, column and rule, never quoting a value, and imports the others', () => {
    const checked = check(
      [
        KOHA_HEADER,
        ',RPL,8455550101,a@example.net,en,1,1,',
        'P 2,RPL,8455550102,b@example.net,en,1,1,',
        '103,RPL,8455550103,c@example.net,en,maybe,1,',
        '104,RPL,8455550104,d@example.net,en,1,1,yesterday',
        '105,RPL,8455550105,e@example.net,en,1,1,2027-01-01',
        '106,R#L,8455550106,f@example.net,en,1,1,',
        '107,RPL,8455550107,g@example.net,en,1,1,2024-02-30',
        '108,RPL,8455550108,h@example.net,en,1,1,',
      ].join('\n'),
    );

    expect(checked.refused).toEqual([
      { line: 2, field: 'borrowernumber', rule: 'is required' },
      { line: 3, field: 'borrowernumber', rule: 'must be 1 to 64 letters, digits or ._:- characters' },
      { line: 4, field: 'sms_opt_in', rule: 'must be one of 1, y, yes, true, t, 0, n, no, false, f, (empty)' },
      { line: 5, field: 'updated_on', rule: 'must be a date (YYYY-MM-DD), a date and time, or an ISO 8601 date-time with offset' },
      { line: 6, field: 'updated_on', rule: 'must not be in the future' },
      { line: 7, field: 'branchcode', rule: 'must be 1 to 64 letters, digits or ._:- characters' },
      { line: 8, field: 'updated_on', rule: 'must be a date (YYYY-MM-DD), a date and time, or an ISO 8601 date-time with offset' },
    ]);
    expect(checked.rows.map((row) => row.patronId)).toEqual(['108']);
    expect(JSON.stringify(checked.refused)).not.toMatch(/555|example|maybe|yesterday|R#L/);
  });

  it('leaves a channel off for an invalid phone or email, and warns about unknown libraries and languages', () => {
    const checked = check(
      [
        KOHA_HEADER,
        '201,RPL,555-0101,a@example.net,en,1,1,',
        '202,RPL,(845) 555-0102 ext. 7,b@example.net,en,1,1,',
        '203,RPL,8455550103,not-an-address,en,1,1,',
        '204,XYZ,8455550104,d@example.net,fr-FR,1,1,',
      ].join('\n'),
    );

    expect(checked.refused).toEqual([]);
    expect(checked.warnings).toEqual([
      {
        line: 2,
        field: 'smsalertnumber',
        rule: 'must be a valid phone number (numbers without a country code are read as US); SMS left off for this patron',
      },
      {
        line: 3,
        field: 'smsalertnumber',
        rule: 'must not have an extension: an extension cannot receive text messages; SMS left off for this patron',
      },
      { line: 4, field: 'email', rule: 'must be an email address; email left off for this patron' },
      {
        line: 5,
        field: 'branchcode',
        rule: 'is not a member library or branch of the configuration (nor mapped in "libraries"): the consortium\'s branding is used',
      },
      { line: 5, field: 'lang', rule: 'is not a supported language (en, es) nor mapped in "languages": left unset' },
    ]);
    const [first, , third, fourth] = checked.rows;
    expect(first).toMatchObject({ consent: { email: true }, contacts: { email: 'a@example.net' } });
    expect(first?.consent).not.toHaveProperty('sms');
    expect(first?.contacts).not.toHaveProperty('sms');
    expect(third).toMatchObject({ consent: { sms: true }, contacts: { sms: '+18455550103' } });
    expect(third?.consent).not.toHaveProperty('email');
    expect(fourth).toMatchObject({ library: 'XYZ', language: undefined });
    expect(JSON.stringify(checked.warnings)).not.toMatch(/555|example|not-an-address/);
  });

  it('reports duplicate patron rows and keeps the last one, at the place the patron first appears', () => {
    const checked = check(
      [
        KOHA_HEADER,
        '301,RPL,8455550101,a@example.net,en,1,1,2024-01-01',
        '302,RPL,8455550102,b@example.net,en,1,1,2024-01-01',
        '301,RPL,8455550199,a@example.net,en,0,1,2024-02-01',
        '301,MPL,8455550198,a@example.net,en,1,0,2024-03-01',
      ].join('\n'),
    );

    expect(checked.duplicateCount).toBe(2);
    expect(checked.warnings).toEqual([
      { line: 2, field: 'borrowernumber', rule: 'the same patron as line 4, which wins' },
      { line: 4, field: 'borrowernumber', rule: 'the same patron as line 5, which wins' },
    ]);
    expect(checked.rows.map((row) => [row.patronId, row.line, row.library, row.contacts.sms])).toEqual([
      ['301', 5, 'maplewood', '+18455550198'],
      ['302', 3, 'riverside', '+18455550102'],
    ]);
  });
});

describe('Function: normalizePhone', () => {
  it('normalizes national formats with the default country and keeps international numbers as they are', () => {
    expect(normalizePhone('(845) 555-0101', 'US')).toEqual({ e164: '+18455550101' });
    expect(normalizePhone('1-845-555-0101', 'US')).toEqual({ e164: '+18455550101' });
    expect(normalizePhone('+52 55 1234 5678', 'US')).toEqual({ e164: '+525512345678' });
    expect(normalizePhone('07911 123456', 'GB')).toEqual({ e164: '+447911123456' });
    expect(normalizePhone('12', 'US')).toHaveProperty('rule');
  });
});

describe('Function: parseConsentDate', () => {
  it('reads dates, local date-times in the consortium time zone and ISO date-times with offset', () => {
    expect(parseConsentDate('2024-01-15', 'America/New_York')).toBe('2024-01-15T05:00:00.000Z');
    expect(parseConsentDate('2024-01-15 23:59:59', 'America/New_York')).toBe('2024-01-16T04:59:59.000Z');
    expect(parseConsentDate('2024-01-15T10:00:00Z', 'America/New_York')).toBe('2024-01-15T10:00:00.000Z');
    expect(parseConsentDate('0000-00-00 00:00:00', 'America/New_York')).toBeUndefined();
    expect(parseConsentDate('15/01/2024', 'America/New_York')).toBeUndefined();
  });
});
