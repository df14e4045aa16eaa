/**
 * Reads an ILS patron export as its mapping describes: CSV with a header (csv-parse) or JSON lines.
 * A file that cannot be read that way is refused as a whole with an {@link ImportFileError} that says
 * where and what to change: wrong encoding or byte order mark, wrong delimiter, missing columns,
 * broken quotes. A UTF-8 byte order mark and CRLF line ends are read as they are.
 * Messages name lines and columns, never a value from the file.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { ImportFileError } from '#shared/errors.ts';
import type { ImportMapping } from '#shared/import/importMapping.ts';

/** One record of the file: its line number and its values by column (or JSON field path). */
export interface SourceRecord {
  readonly line: number;
  /** The record's values; `undefined` for a JSON field the line does not have. */
  readonly values: Readonly<Record<string, string | undefined>>;
}

/** One line that is not a record at all (JSON lines only): refused, the rest of the file is read. */
export interface UnreadableLine {
  readonly line: number;
  readonly rule: string;
}

export interface PatronFile {
  /** First 12 hex digits of the file's SHA-256: names the import in ledger evidence and checkpoints. */
  readonly fileId: string;
  readonly records: readonly SourceRecord[];
  readonly unreadable: readonly UnreadableLine[];
  /** True when a UTF-8 byte order mark was found and skipped. */
  readonly hadBom: boolean;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const DELIMITERS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'vertical bar' };

const named = (delimiter: string) => DELIMITERS[delimiter] ?? `"${delimiter}"`;

/** The columns a mapping names, in a stable order. */
export function mappedColumns(mapping: ImportMapping): string[] {
  return Object.values(mapping.columns).filter((column): column is string => column !== undefined);
}

/** Decodes the bytes as UTF-8 text, refusing UTF-16 and invalid UTF-8; skips a UTF-8 byte order mark. */
function decode(bytes: Buffer): { text: string; hadBom: boolean } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ImportFileError('the file is UTF-16 text (it starts with a UTF-16 byte order mark): export it as UTF-8');
  }
  const hadBom = bytes.subarray(0, 3).equals(UTF8_BOM);
  const text = new TextDecoder('utf-8').decode(hadBom ? bytes.subarray(3) : bytes);
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0 && !bytes.includes(Buffer.from('\uFFFD'))) {
    const line = text.slice(0, bad).split('\n').length;
    throw new ImportFileError(`the file is not UTF-8 text (the first byte that is not UTF-8 is on line ${line}): export it as UTF-8`);
  }
  return { text, hadBom };
}

/** Reads and checks a patron export; throws {@link ImportFileError} when it cannot be read as mapped. */
export function readPatronFile(bytes: Buffer, mapping: ImportMapping): PatronFile {
  const fileId = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const { text, hadBom } = decode(bytes);
  if (text.trim() === '') throw new ImportFileError('the file is empty');
  const read = mapping.format === 'csv' ? readCsv(text, mapping) : readJsonLines(text, mapping);
  return { fileId, hadBom, ...read };
}

interface CsvError extends Error {
  code?: string;
  lines?: number;
  bytes?: number;
  record?: unknown[];
}

function csvRefusal(error: CsvError, delimiter: string, text: string): ImportFileError {
  // From the byte offset the parser reached, as its own line count is off after a CRLF inside quotes.
  const line =
    error.bytes === undefined
      ? (error.lines ?? 0)
      : 1 +
        Buffer.from(text)
          .subarray(0, error.bytes - 1)
          .filter((byte) => byte === 0x0a).length;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new ImportFileError(
        `a quoted field is never closed (the file ends inside quotes opened at or before line ${line}): check the quotes`,
      );
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new ImportFileError(
        `line ${line}: a quote in the middle of a field; a field that holds quotes must be quoted as a whole, with each inner quote doubled`,
      );
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return new ImportFileError(
        `line ${line} has ${error.record?.length ?? 'a different number of'} fields and the header does not: ` +
          `a value holding the delimiter (${named(delimiter)}) must be quoted, or the file uses another delimiter`,
      );
    default:
      return new ImportFileError(`the file cannot be read as CSV at line ${line} (${error.code ?? error.name})`, { cause: error });
  }
}

function readCsv(text: string, mapping: ImportMapping): { records: SourceRecord[]; unreadable: UnreadableLine[] } {
  const delimiter = mapping.delimiter ?? ',';
  let rows: { record: string[]; info: { bytes: number } }[];
  try {
    rows = parse(text, { delimiter, info: true, skip_empty_lines: true, relax_column_count: false }) as unknown as typeof rows;
  } catch (error) {
    throw csvRefusal(error as CsvError, delimiter, text);
  }
  const [head, ...body] = rows;
  if (!head) throw new ImportFileError('the file has no header line');
  const header = head.record.map((name) => name.trim());
  const wanted = mappedColumns(mapping);
  if (header.length === 1 && wanted.length > 1) {
    const other = Object.keys(DELIMITERS).find((candidate) => candidate !== delimiter && header[0]!.includes(candidate));
    throw new ImportFileError(
      `the header has a single column: the mapping expects columns separated by ${named(delimiter)}` +
        (other ? `, but the file seems to use ${named(other)} (set "delimiter" in the mapping, or pass --delimiter)` : ''),
    );
  }
  // A first line naming none of the mapped columns is a record, not a header: its values are never echoed.
  if (!wanted.some((column) => header.includes(column))) {
    throw new ImportFileError(
      `the first line names none of the columns of the mapping (${wanted.join(', ')}): ` +
        'the file must start with a header line naming its columns, or another --mapping is needed',
    );
  }
  const duplicate = header.find((name, index) => header.indexOf(name) !== index);
  if (duplicate !== undefined) throw new ImportFileError(`the header names the column ${duplicate} twice`);
  const missing = wanted.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new ImportFileError(
      `the header lacks ${missing.length === 1 ? 'the column' : 'the columns'} ${missing.join(', ')} named by the mapping ` +
        `(the header has: ${header.join(', ')})`,
    );
  }
  const lines = startLines(
    text,
    rows.map(({ info }) => info.bytes),
  ).slice(1);
  const records = body.map(({ record }, index) => ({
    line: lines[index]!,
    values: Object.fromEntries(header.map((name, index) => [name, record[index]])),
  }));
  return { records, unreadable: [] };
}

/**
 * The line each record starts on, from the byte offsets where records end. csv-parse's own line count is
 * the line a record ends on, and counts a CRLF inside quotes as two lines: every later record would be
 * named a line too far.
 */
function startLines(text: string, ends: readonly number[]): number[] {
  const bytes = Buffer.from(text);
  const starts: number[] = [];
  let line = 1;
  let offset = 0;
  for (const end of ends) {
    // Empty lines before a record are skipped by the parser, not by the count.
    for (; offset < end && (bytes[offset] === 0x0a || bytes[offset] === 0x0d); offset++) if (bytes[offset] === 0x0a) line++;
    starts.push(line);
    for (; offset < end; offset++) if (bytes[offset] === 0x0a) line++;
  }
  return starts;
}

/** A dotted path into a JSON object, as text (`null` and absent alike are `undefined`). */
function valueAt(object: Record<string, unknown>, path: string): string | undefined {
  let value: unknown = object;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function readJsonLines(text: string, mapping: ImportMapping): { records: SourceRecord[]; unreadable: UnreadableLine[] } {
  const records: SourceRecord[] = [];
  const unreadable: UnreadableLine[] = [];
  const wanted = mappedColumns(mapping);
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const source = raw.trim();
    if (source === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      if (records.length === 0 && unreadable.length === 0) {
        throw new ImportFileError(`line ${index + 1} is not a JSON object: is this a CSV file? (use a CSV mapping or --format csv)`);
      }
      unreadable.push({ line: index + 1, rule: 'must be one JSON object' });
      return;
    }
    const object = parsed as Record<string, unknown>;
    records.push({ line: index + 1, values: Object.fromEntries(wanted.map((path) => [path, valueAt(object, path)])) });
  });
  const patronPath = mapping.columns.patronId;
  if (records.length > 0 && records.every((record) => record.values[patronPath] === undefined)) {
    throw new ImportFileError(`no line has the field ${patronPath} that the mapping names as the patron id`);
  }
  return { records, unreadable };
}
