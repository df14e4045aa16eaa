/**
 * Reads a report's CSV text with its mapping into typed rows. Every problem is collected as a
 * {@link ReportIssue} (line, column, rule) so the operator sees them all at once; no cell value is
 * ever part of an issue.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { fieldSpec, type FieldType, type ReportMapping } from '#shared/ilsBridge/reportMapping.ts';
import {
  parseAmount,
  parseEmail,
  parseFirstInitial,
  parseFlag,
  parsePhone,
  parseReportDate,
  type Parsed,
} from '#shared/ilsBridge/reportValues.ts';

/** One problem in a report file: where it is and which rule it breaks. Never the value. */
export interface ReportIssue {
  /** 1-based line of the file (the header is line 1); 0 for the mapping or the file as a whole. */
  readonly line: number;
  /** The CSV column header, or a mapping path. */
  readonly column?: string;
  readonly rule: string;
}

/** A cell's typed value: text, a flag, or null for a contact the row clears. */
export type CellValue = string | boolean | null;

/** One data row: its line and its mapped fields' values (absent optional fields are left out). */
export interface ReportRow {
  readonly line: number;
  readonly values: Readonly<Record<string, CellValue>>;
}

const CSV_RULES: Partial<Record<string, string>> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'has a different number of fields than the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'has a different number of fields than the header',
  CSV_QUOTE_NOT_CLOSED: 'has a quote that is never closed',
  INVALID_OPENING_QUOTE: 'has a quote inside an unquoted field',
  CSV_INVALID_CLOSING_QUOTE: 'has characters after a closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'has characters after a closing quote',
  CSV_MAX_RECORD_SIZE: 'has a record that is too large',
};

const ID = /^[A-Za-z0-9._:-]{1,64}$/;

function readCell(type: FieldType, text: string, mapping: ReportMapping): Parsed<CellValue> {
  switch (type) {
    case 'id':
      return ID.test(text) ? { ok: true, value: text } : { ok: false, rule: 'must be 1 to 64 letters, digits or ._:- characters' };
    case 'text':
      return { ok: true, value: text };
    case 'date':
      return parseReportDate(text, mapping.dateFormats, mapping.timeZone, mapping.dateOnlyTime);
    case 'amount':
      return parseAmount(text);
    case 'flag':
      return parseFlag(text);
    case 'phone':
      return parsePhone(text, mapping.constants.phoneCountry);
    case 'email':
      return parseEmail(text);
    case 'initial':
      return parseFirstInitial(text);
  }
}

/** Parses the whole file; rows are returned only for lines without issues. */
export function readReportRows(text: string, mapping: ReportMapping): { rows: ReportRow[]; issues: ReportIssue[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, delimiter: mapping.delimiter, info: true }) as unknown as typeof records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === 'number' ? error.lines : 0;
    return { rows: [], issues: [{ line, rule: `the CSV ${CSV_RULES[error.code] ?? 'cannot be read'}` }] };
  }
  const [header, ...data] = records;
  if (!header) return { rows: [], issues: [{ line: 0, rule: 'the file is empty: it needs a header line' }] };
  const headerNames = header.record.map((cell) => cell.trim());
  const issues: ReportIssue[] = [];
  const columns: { field: string; column: string; index: number; type: FieldType; required: boolean }[] = [];
  for (const [field, column] of Object.entries(mapping.columns)) {
    const spec = fieldSpec(mapping.report, field);
    const index = headerNames.indexOf(column);
    if (!spec) continue;
    if (index < 0) issues.push({ line: 1, column, rule: `is missing from the header (mapped to ${field})` });
    else columns.push({ field, column, index, ...spec });
  }
  if (issues.length > 0) return { rows: [], issues };

  const rows: ReportRow[] = [];
  for (const { record, info } of data) {
    const line = info.lines;
    const values: Record<string, CellValue> = {};
    let clean = true;
    for (const { field, column, index, type, required } of columns) {
      const raw = (record[index] ?? '').trim();
      const text = mapping.values[field]?.[raw] ?? raw;
      if (text === '' && type !== 'phone' && type !== 'email' && type !== 'flag' && type !== 'initial') {
        if (required) {
          issues.push({ line, column, rule: 'is required' });
          clean = false;
        }
        continue;
      }
      const cell = readCell(type, text, mapping);
      if (cell.ok) values[field] = cell.value;
      else {
        issues.push({ line, column, rule: cell.rule });
        clean = false;
      }
    }
    if (clean) rows.push({ line, values });
  }
  return { rows, issues };
}
