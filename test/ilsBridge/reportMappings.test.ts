/**
 * Every shipped mapping (Koha and generic) read against a report in its ILS's shape, the date
 * formats and time zones, and the issues a bad file gets: line, column and rule, never a value.
 * Pure logic, no emulator.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReportMapping, type ReportMapping } from '#shared/ilsBridge/reportMapping.ts';
import { loanSnapshotEvents, rowReportEvents, stableEventId, type ReportContext } from '#shared/ilsBridge/reportEvents.ts';
import { readReportRows } from '#shared/ilsBridge/reportRows.ts';
import { parseAmount, parseReportDate } from '#shared/ilsBridge/reportValues.ts';

const FOLDER = new URL('../../config/ils-mappings/', import.meta.url);
const mappingFile = (name: string): ReportMapping => {
  const parsed = parseReportMapping(JSON.parse(readFileSync(new URL(`${name}.json`, FOLDER), 'utf-8')));
  if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.issues)}`);
  return parsed.mapping;
};
const ASOF = '2026-11-04T15:00:00.000Z';
const contextOf = (feed: string): ReportContext => ({
  feed,
  asOf: ASOF,
  mapping: mappingFile(feed),
  source: 'library.circulation',
  now: new Date(ASOF),
});

/** Reads a report and builds its events; fails the test on any issue. */
function eventsOf(feed: string, csv: string) {
  const context = contextOf(feed);
  const { rows, issues } = readReportRows(csv, context.mapping);
  expect(issues).toEqual([]);
  const built = context.mapping.report === 'current-loans' ? loanSnapshotEvents(rows, new Map(), context) : rowReportEvents(rows, context);
  expect(built.issues).toEqual([]);
  return built.events;
}

describe('Mappings: shipped files', () => {
  it('parses every mapping in config/ils-mappings, and each Koha mapping has its report SQL', () => {
    const names = readdirSync(FOLDER)
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.replace(/\.json$/, ''));

    expect(names.sort()).toEqual([
      'generic-current-loans',
      'generic-fines',
      'generic-holds-ready',
      'generic-patron-changes',
      'koha-current-loans',
      'koha-fines',
      'koha-holds-ready',
      'koha-patron-changes',
    ]);
    for (const name of names) expect(mappingFile(name).report).toBe(name.replace(/^(koha|generic)-/, ''));
    for (const name of names.filter((n) => n.startsWith('koha-'))) {
      const sql = readFileSync(new URL(`${name}.sql`, FOLDER), 'utf-8');
      for (const column of Object.values(mappingFile(name).columns)) expect(sql).toContain(`AS ${column}`);
    }
  });
});

describe('Mapping: koha-current-loans', () => {
  it('turns every open loan of a first snapshot into ItemCheckedOut, in the library time zone, branch codes translated', () => {
    const csv = [
      'issue_id,borrowernumber,itemnumber,title,itype,branchcode,issuedate,date_due,lastreneweddate',
      '9001,51,7001,"Piranesi, a novel",BK,RPLN,2026-10-21 14:05:09,2026-11-11 23:59:00,',
      // Summer time (EDT, -04:00) for the checkout, winter (EST, -05:00) for the due date.
      '9002,52,7002,Dune,DVD,MFL,2026-07-01 09:30:00,2026-11-20 23:59:00,2026-11-01 10:00:00',
    ].join('\n');

    expect(eventsOf('koha-current-loans', csv)).toEqual([
      {
        detailType: 'ItemCheckedOut',
        detail: {
          eventId: stableEventId('koha-current-loans', 'checkout', '9001'),
          occurredAt: '2026-10-21T18:05:09.000Z',
          loanId: '9001',
          patronId: '51',
          itemId: '7001',
          title: 'Piranesi, a novel',
          materialType: 'BK',
          branch: 'riverside-north',
          dueAt: '2026-11-12T04:59:00.000Z',
        },
      },
      {
        detailType: 'ItemCheckedOut',
        detail: {
          eventId: stableEventId('koha-current-loans', 'checkout', '9002'),
          occurredAt: '2026-07-01T13:30:00.000Z',
          loanId: '9002',
          patronId: '52',
          itemId: '7002',
          title: 'Dune',
          materialType: 'DVD',
          branch: 'maplewood-central',
          dueAt: '2026-11-21T04:59:00.000Z',
        },
      },
    ]);
  });
});

describe('Mapping: koha-holds-ready', () => {
  it('turns each waiting hold into HoldReady, a date-only pickup day at 23:59 library time', () => {
    const csv =
      'reserve_id,borrowernumber,title,branchcode,waiting_since,expirationdate\n3301,51,Piranesi,RPL,2026-11-04 00:00:00,2026-11-11\n';

    expect(eventsOf('koha-holds-ready', csv)).toEqual([
      {
        detailType: 'HoldReady',
        detail: {
          eventId: stableEventId('koha-holds-ready', 'hold-ready', '3301', '2026-11-04T05:00:00.000Z'),
          occurredAt: '2026-11-04T05:00:00.000Z',
          holdId: '3301',
          patronId: '51',
          title: 'Piranesi',
          pickupBranch: 'riverside-main',
          pickupBy: '2026-11-12T04:59:00.000Z',
        },
      },
    ]);
  });
});

describe('Mapping: koha-fines', () => {
  it('turns an outstanding debit into FineAssessed (Koha decimals to cents) and a settled one into FineResolved', () => {
    const csv = [
      'accountlines_id,borrowernumber,issue_id,amount,amountoutstanding,debit_type_code,date,updated_at,resolution',
      '801,51,9001,2.500000,2.500000,OVERDUE,2026-11-03 00:05:00,2026-11-03 00:05:00,waived',
      '802,52,,10.000000,0.000000,LOST,2026-10-01 10:00:00,2026-11-04 09:15:00,paid',
    ].join('\n');

    expect(eventsOf('koha-fines', csv)).toEqual([
      {
        detailType: 'FineAssessed',
        detail: {
          eventId: stableEventId('koha-fines', 'fine-assessed', '801'),
          occurredAt: '2026-11-03T05:05:00.000Z',
          fineId: '801',
          patronId: '51',
          loanId: '9001',
          amount: '2.50',
          currency: 'USD',
          reason: 'overdue',
        },
      },
      {
        detailType: 'FineResolved',
        detail: {
          eventId: stableEventId('koha-fines', 'fine-resolved', '802'),
          occurredAt: '2026-11-04T14:15:00.000Z',
          fineId: '802',
          patronId: '52',
          resolution: 'paid',
        },
      },
    ]);
  });
});

describe('Mapping: koha-patron-changes', () => {
  it('turns a changed patron into PatronPreferencesChanged: national SMS number to E.164, empty email clears it, flags to consent', () => {
    const csv =
      'borrowernumber,updated_on,smsalertnumber,email,sms_opt_in,email_opt_in,language\n51,2026-11-04 08:00:00,(845) 555-0142,,1,0,es\n';

    expect(eventsOf('koha-patron-changes', csv)).toEqual([
      {
        detailType: 'PatronPreferencesChanged',
        detail: {
          eventId: stableEventId('koha-patron-changes', 'patron-changed', '51', '2026-11-04T13:00:00.000Z'),
          occurredAt: '2026-11-04T13:00:00.000Z',
          patronId: '51',
          source: 'staff',
          changes: { contact: { phone: '+18455550142', email: null }, consent: { sms: true, email: false }, language: 'es' },
        },
      },
    ]);
  });
});

describe('Mappings: generic', () => {
  it('reads each generic report with ISO dates and its own column names', () => {
    const loans = eventsOf(
      'generic-current-loans',
      'loanId,patronId,itemId,title,materialType,branch,checkedOutAt,dueAt,renewedAt\n' +
        'L1,P1,I1,Dune,,riverside-main,2026-11-01T10:00:00-04:00,2026-11-22T23:59:00-05:00,\n',
    );
    const holds = eventsOf(
      'generic-holds-ready',
      'holdId,patronId,title,pickupBranch,readyAt,pickupBy\nH1,P1,Dune,riverside-main,2026-11-04T09:00:00-05:00,2026-11-11\n',
    );
    const fines = eventsOf(
      'generic-fines',
      'fineId,patronId,loanId,amount,outstanding,reason,assessedAt,resolution,resolvedAt\n' +
        'F1,P1,,1.25,0,overdue,2026-11-01T10:00:00Z,waived,2026-11-02T10:00:00Z\n',
    );
    const patrons = eventsOf(
      'generic-patron-changes',
      'patronId,changedAt,phone,email,smsOptIn,emailOptIn,language\nP1,2026-11-04T10:00:00Z,+18455550199,p1@example.net,yes,no,en\n',
    );

    expect(loans.map((event) => [event.detailType, event.detail])).toEqual([
      [
        'ItemCheckedOut',
        expect.objectContaining({
          loanId: 'L1',
          occurredAt: '2026-11-01T14:00:00.000Z',
          dueAt: '2026-11-23T04:59:00.000Z',
          branch: 'riverside-main',
        }),
      ],
    ]);
    expect(holds.map((event) => event.detail)).toEqual([expect.objectContaining({ holdId: 'H1', pickupBy: '2026-11-12T04:59:00.000Z' })]);
    expect(fines.map((event) => [event.detailType, event.detail])).toEqual([
      ['FineResolved', expect.objectContaining({ fineId: 'F1', resolution: 'waived', occurredAt: '2026-11-02T10:00:00.000Z' })],
    ]);
    expect(patrons.map((event) => event.detail)).toEqual([
      expect.objectContaining({
        changes: { contact: { phone: '+18455550199', email: 'p1@example.net' }, consent: { sms: true, email: false }, language: 'en' },
      }),
    ]);
  });
});

describe('Reading: dates and amounts', () => {
  it('reads each format in the mapping time zone, across daylight-saving changes', () => {
    const zone = 'America/New_York';

    expect(parseReportDate('2026-03-08 03:30:00', ['yyyy-MM-dd HH:mm:ss'], zone, '23:59')).toEqual({
      ok: true,
      value: '2026-03-08T07:30:00.000Z',
    });
    expect(parseReportDate('11/4/2026', ['yyyy-MM-dd', 'M/d/yyyy'], zone, '23:59')).toEqual({
      ok: true,
      value: '2026-11-05T04:59:00.000Z',
    });
    expect(parseReportDate('04.11.2026 10:00', ['dd.MM.yyyy HH:mm'], 'Europe/Berlin', '23:59')).toEqual({
      ok: true,
      value: '2026-11-04T09:00:00.000Z',
    });
    expect(parseReportDate('2026-02-30', ['yyyy-MM-dd'], zone, '23:59')).toEqual({ ok: false, rule: 'is not a calendar date' });
    expect(parseReportDate('2026-11-04T10:00:00', ['ISO'], zone, '23:59')).toEqual({
      ok: false,
      rule: 'must be a date in one of the formats ISO',
    });
  });

  it('reads amounts to cents and refuses negative or non-numeric ones', () => {
    expect(['2.500000', '10', '0.005', '0.999', '3.1'].map((text) => parseAmount(text))).toEqual([
      { ok: true, value: '2.50' },
      { ok: true, value: '10.00' },
      { ok: true, value: '0.01' },
      { ok: true, value: '1.00' },
      { ok: true, value: '3.10' },
    ]);
    expect(parseAmount('-1.00').ok).toBe(false);
    expect(parseAmount('1,00').ok).toBe(false);
  });
});

describe('Reading: bad files and rows', () => {
  const mapping = mappingFile('koha-patron-changes');

  it('reports every bad cell with its line, column and rule, never its value', () => {
    const csv = [
      'borrowernumber,updated_on,smsalertnumber,email,sms_opt_in,email_opt_in,language',
      '51,2026-11-04 08:00:00,(845) 555-0142,good@example.net,1,0,en',
      '52,04/11/2026,555-SECRET-99,not-an-email,maybe,0,en',
      ',2026-11-04 08:00:00,,,1,0,fr',
    ].join('\n');

    const { rows, issues } = readReportRows(csv, mapping);
    const built = rowReportEvents(rows, contextOf('koha-patron-changes'));

    expect(issues).toEqual([
      { line: 3, column: 'updated_on', rule: 'must be a date in one of the formats yyyy-MM-dd HH:mm:ss' },
      { line: 3, column: 'smsalertnumber', rule: 'must be a phone number (E.164, or national for US)' },
      { line: 3, column: 'email', rule: 'must be an email address' },
      { line: 3, column: 'sms_opt_in', rule: 'must be a yes/no flag (1 or 0, yes or no, true or false)' },
      { line: 4, column: 'borrowernumber', rule: 'is required' },
    ]);
    expect(rows.map((row) => row.line)).toEqual([2]);
    expect(built.issues).toEqual([]);
    expect(JSON.stringify(issues)).not.toMatch(/SECRET|not-an-email|maybe|04\/11/);
  });

  it('maps a contract rule broken by a cell back to its CSV column', () => {
    const { rows } = readReportRows(
      'borrowernumber,updated_on,smsalertnumber,email,sms_opt_in,email_opt_in,language\n51,2026-11-04 08:00:00,,,1,0,fr\n',
      mapping,
    );

    const built = rowReportEvents(rows, contextOf('koha-patron-changes'));

    expect(built.issues).toEqual([{ line: 2, column: 'language', rule: 'must be "en" or "es"' }]);
  });

  it("names the date column of a change dated more than 5 minutes ahead of Bookdrop's clock (it would outrank a later STOP)", () => {
    const { rows } = readReportRows(
      'borrowernumber,updated_on,smsalertnumber,email,sms_opt_in,email_opt_in,language\n' +
        '51,2026-11-04 10:05:00,,,1,0,en\n52,2026-11-04 10:06:00,,,1,0,en\n',
      mapping,
    );

    const built = rowReportEvents(rows, contextOf('koha-patron-changes'));

    expect(built.issues).toEqual([
      { line: 3, column: 'updated_on', rule: "must not be more than 5 minutes ahead of Bookdrop's clock (check the ILS's clock)" },
    ]);
  });

  it('names a header that lacks a mapped column, and a line with the wrong number of fields', () => {
    expect(readReportRows('borrowernumber,updated_on\n51,2026-11-04 08:00:00\n', mapping).issues).toEqual([
      { line: 1, column: 'smsalertnumber', rule: 'is missing from the header (mapped to phone)' },
      { line: 1, column: 'email', rule: 'is missing from the header (mapped to email)' },
      { line: 1, column: 'sms_opt_in', rule: 'is missing from the header (mapped to smsOptIn)' },
      { line: 1, column: 'email_opt_in', rule: 'is missing from the header (mapped to emailOptIn)' },
      { line: 1, column: 'language', rule: 'is missing from the header (mapped to language)' },
    ]);
    const ragged = readReportRows(
      'borrowernumber,updated_on,smsalertnumber,email,sms_opt_in,email_opt_in,language\n51,2026-11-04 08:00:00,1,2\n',
      mapping,
    );
    expect(ragged.issues).toEqual([{ line: 2, rule: 'the CSV has a different number of fields than the header' }]);
  });

  it('refuses a mapping with a missing column, an unknown field, a bad time zone or date format', () => {
    const result = parseReportMapping({
      report: 'holds-ready',
      timeZone: 'Mars/Olympus',
      dateFormats: ['HH:mm'],
      columns: { holdId: 'id', patronId: 'p', title: 't', pickupBranch: 'b', readyAt: 'r', colour: 'c' },
    });

    expect(result).toEqual({
      ok: false,
      issues: [
        { field: 'mapping.timeZone', rule: 'must be an IANA time zone such as America/New_York' },
        { field: 'mapping.dateFormats.0', rule: 'needs yyyy, M or MM, and d or dd (tokens: yyyy MM M dd d HH H mm ss)' },
        { field: 'mapping.columns.pickupBy', rule: 'is required for a holds-ready report' },
        { field: 'mapping.columns.colour', rule: 'is not a field of a holds-ready report' },
      ],
    });
  });
});
