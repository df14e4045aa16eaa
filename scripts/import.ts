/**
 * `npm run import -- <file> (--sandbox [url] | --stage <name>) [options]`: brings an ILS's existing
 * patrons in (consent, contacts, language, library) from its patron export, without sending anything.
 *
 * Every row is checked before anything is written; `--dry-run` stops there. The import is idempotent
 * (the same file twice changes nothing the second time) and resumable (a checkpoint after each chunk).
 * Exit status: 0 done, 1 rows refused, 2 the file or the options cannot be used, 3 the target failed.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SingleBar } from 'cli-progress';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { loadConfigFile, DEFAULT_CONFIG_FILE } from '#shared/config/loadConfigFile.ts';
import { phoneIndexFromEnv } from '#shared/contacts/keys.ts';
import { contactEncrypterFromEnv } from '#shared/contacts/contactEncryption.ts';
import { BookdropError, ConfigurationError, ImportFileError } from '#shared/errors.ts';
import { ImportCheckpointFile, type ImportIdentity } from '#shared/import/importCheckpoint.ts';
import { loadImportMapping } from '#shared/import/importMapping.ts';
import { checkRecords, type RowIssue } from '#shared/import/importRows.ts';
import { readPatronFile } from '#shared/import/patronFile.ts';
import { PatronImporter, type ImportCounts } from '#shared/import/patronImporter.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { DynamoPolicyStore } from '#shared/policy/policyStore.ts';
import { tableContext } from '#shared/table/documentClient.ts';
import {
  CliFailure,
  CliUsageError,
  cannotWrite,
  explainError,
  resolveTarget,
  splitTargetArgs,
  type TargetSpec,
} from '#scripts/cli/target.ts';

const USAGE = `usage: npm run import -- <file> (--sandbox [url] | --stage <name> [--region <region>]) [options]
  --mapping <generic|koha|path>  how the file names its columns (default: generic)
  --format <csv|jsonl>           override the mapping's format
  --delimiter <char>             override the mapping's CSV delimiter ("\\t" for tab)
  --dry-run                      check every row and report; write nothing
  --strict                       write nothing if any row is refused
  --as-of <ISO 8601>             date of rows without a consent date (default: the file's modification time)
  --policy-version <v>           policy version to record (default: the stack's current one)
  --concurrency <n>              chunks written at once (default 4)
  --checkpoint <path>            checkpoint file (default .bookdrop/import/<file id>.json)
  --report <path>                write every refused row and warning as CSV
  --config <path>                consortium configuration (default config/consortium.json)
`;

const EXIT = { done: 0, refused: 1, unusable: 2, target: 3, interrupted: 130 } as const;
const SHOWN_PER_SECTION = 20;
const out = (text = '') => process.stdout.write(`${text}\n`);

function fail(status: number, message: string): never {
  process.stderr.write(`import: ${message}\n`);
  process.exit(status);
}

let args: ReturnType<typeof parse>;
let spec: TargetSpec | undefined;
function parse() {
  // A dry run needs no target: the target options are read only when given (and required only to write).
  const argv = process.argv.slice(2);
  const names = /^--(sandbox|stage|region)(=|$)/;
  const split = argv.some((arg) => names.test(arg)) ? splitTargetArgs(argv) : { spec: undefined, rest: argv };
  spec = split.spec;
  return parseArgs({
    args: split.rest,
    allowPositionals: true,
    options: {
      mapping: { type: 'string', default: 'generic' },
      format: { type: 'string' },
      delimiter: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      'as-of': { type: 'string' },
      'policy-version': { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      checkpoint: { type: 'string' },
      report: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
}
try {
  args = parse();
} catch (error) {
  fail(EXIT.unusable, `${(error as Error).message}\n${USAGE}`);
}
const { values: options, positionals } = args;
if (options.help) {
  out(USAGE);
  process.exit(EXIT.done);
}
const file = positionals[0];
if (!file || positionals.length > 1) fail(EXIT.unusable, `name one file to import\n${USAGE}`);

function printIssues(title: string, issues: readonly RowIssue[]): void {
  if (issues.length === 0) return;
  out(`${title} (${issues.length})`);
  for (const issue of issues.slice(0, SHOWN_PER_SECTION)) out(`  line ${issue.line}, ${issue.field}: ${issue.rule}`);
  if (issues.length > SHOWN_PER_SECTION)
    out(
      `  ... and ${issues.length - SHOWN_PER_SECTION} more${options.report ? ` (all in ${options.report})` : ' (--report <path> lists them all)'}`,
    );
}

function writeReport(path: string, refused: readonly RowIssue[], warnings: readonly RowIssue[]): void {
  const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
  const lines = [
    'line,field,outcome,rule',
    ...refused.map((issue) => [issue.line, quote(issue.field), 'refused', quote(issue.rule)].join(',')),
    ...warnings.map((issue) => [issue.line, quote(issue.field), 'warning', quote(issue.rule)].join(',')),
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const number = (n: number) => n.toLocaleString('en-US');
const row = (label: string, value: string) => out(`  ${label.padEnd(34)} ${value}`);

try {
  const config = loadConfigFile(options.config ?? DEFAULT_CONFIG_FILE);
  const mapping = loadImportMapping(options.mapping);
  if (options.format !== undefined) {
    if (options.format !== 'csv' && options.format !== 'jsonl') fail(EXIT.unusable, '--format must be csv or jsonl');
    mapping.format = options.format;
  }
  if (options.delimiter !== undefined) mapping.delimiter = options.delimiter === '\\t' ? '\t' : options.delimiter;
  const country = config.sms.defaultCountry;
  if (!country || !isSupportedCountry(country)) {
    fail(
      EXIT.unusable,
      'the configuration must name sms.defaultCountry (e.g. "US"): the country of phone numbers written without a country code',
    );
  }
  const concurrency = Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
    fail(EXIT.unusable, '--concurrency must be a whole number from 1 to 32');

  let bytes: Buffer;
  let modified: Date;
  try {
    bytes = readFileSync(file);
    modified = statSync(file).mtime;
  } catch {
    fail(EXIT.unusable, `cannot read ${file}: check the path and its permissions`);
  }
  const asOf = options['as-of'] === undefined ? modified : new Date(options['as-of']);
  if (Number.isNaN(asOf.getTime()) || !/[zZ]|[+-]\d\d:\d\d$/.test(options['as-of'] ?? 'Z'))
    fail(EXIT.unusable, '--as-of must be an ISO 8601 date-time with offset');

  const patronFile = readPatronFile(bytes, mapping);
  const checked = checkRecords(patronFile.records, patronFile.unreadable, mapping, {
    config,
    defaultCountry: country as CountryCode,
    now: new Date(),
  });
  out(
    `${basename(file)}: ${mapping.description ?? `${mapping.format} export`} (file id ${patronFile.fileId}${patronFile.hadBom ? ', UTF-8 byte order mark skipped' : ''})`,
  );
  printIssues('Refused rows: nothing of them is imported', checked.refused);
  printIssues('Warnings: imported, as said', checked.warnings);
  if (options.report) {
    try {
      writeReport(options.report, checked.refused, checked.warnings);
    } catch (error) {
      fail(EXIT.unusable, `${cannotWrite(options.report, error)}. Nothing was written.`);
    }
  }
  const refusedLines = new Set(checked.refused.map((issue) => issue.line)).size;
  out('Checked');
  row('records read', number(checked.recordCount));
  row('rows refused', number(refusedLines));
  row('duplicate rows (the last one wins)', number(checked.duplicateCount));
  row('patrons to import', number(checked.rows.length));
  row('dated, when the row has no date', asOf.toISOString());

  if (options['dry-run']) {
    out('Dry run: nothing written.');
    process.exit(refusedLines > 0 ? EXIT.refused : EXIT.done);
  }
  if (options.strict && refusedLines > 0) fail(EXIT.refused, `${refusedLines} row(s) refused and --strict given: nothing written`);

  // Without --sandbox or --stage, splitTargetArgs says what to give (a usage error).
  const target = await resolveTarget(spec ?? splitTargetArgs([]).spec);
  const keys = target.contactKeys();
  const table = tableContext(new DynamoDBClient(target.clientConfig('dynamodb')), target.tableName);
  const patrons = new DynamoPatronStore(table, config.retention.consentLedgerDays);
  let policyVersion = options['policy-version'];
  try {
    policyVersion ??= (await new DynamoPolicyStore(table).current())?.policyVersion;
  } catch (error) {
    fail(EXIT.target, explainError(error, { doing: `reading the current policy version from ${target.description}` }));
  }
  const service = new PatronService({ patrons, encrypter: contactEncrypterFromEnv(keys), phoneIndex: phoneIndexFromEnv(keys) });
  const importer = new PatronImporter({
    patrons,
    service,
    concurrency,
    provenanceOf: (imported) => ({
      at: imported.consentAt ?? asOf.toISOString(),
      source: 'import',
      policyVersion,
      evidenceId: `import:${patronFile.fileId}:${imported.line}`,
    }),
  });

  const identity: ImportIdentity = {
    fileId: patronFile.fileId,
    target: `${target.description} table ${target.tableName}`,
    asOf: asOf.toISOString(),
    chunkSize: importer.chunkSize,
    rows: checked.rows.length,
  };
  const checkpoint = new ImportCheckpointFile(options.checkpoint ?? `.bookdrop/import/${patronFile.fileId}.json`);
  const resumed = checkpoint.load(identity);
  const startChunk = resumed?.nextChunk ?? 0;
  const alreadyDone = Math.min(checked.rows.length, startChunk * importer.chunkSize);
  if (resumed) out(`Resuming from the checkpoint of ${resumed.savedAt}: ${number(alreadyDone)} patrons already done`);

  const started = performance.now();
  let done = alreadyDone;
  const bar = new SingleBar({
    format: 'importing {bar} {value}/{total} patrons | {rate}/s | {eta_formatted} left',
    hideCursor: true,
    stream: process.stderr,
    noTTYOutput: false,
    etaBuffer: 50,
  });
  const rate = () => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? Math.round((done - alreadyDone) / seconds) : 0;
  };
  bar.start(checked.rows.length, done, { rate: 0 });
  const interrupt = () => {
    bar.stop();
    process.stderr.write('import: interrupted; run the same command again to resume from the checkpoint\n');
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  let counts: ImportCounts;
  try {
    counts = await importer.run(checked.rows, {
      startChunk,
      ...(resumed ? { carried: resumed.counts } : {}),
      onProgress: (patronsDone) => {
        done += patronsDone;
        bar.update(done, { rate: rate() });
      },
      onCheckpoint: async (nextChunk, soFar) => checkpoint.save(identity, nextChunk, soFar, new Date()),
    });
  } catch (error) {
    bar.stop();
    if (error instanceof BookdropError && !(error instanceof ConfigurationError)) throw error;
    fail(
      EXIT.target,
      `${explainError(error, { doing: `importing into ${target.description}` })} The checkpoint keeps what is done: run the same command again to resume.`,
    );
  }
  bar.stop();
  checkpoint.clear();
  const seconds = (performance.now() - started) / 1000;
  const written = counts.created + counts.updated;
  out(`Imported into ${target.description}`);
  row('patrons created', number(counts.created));
  row('patrons updated', number(counts.updated));
  row('patrons unchanged (already so)', number(counts.unchanged));
  row('consent ledger entries written', number(counts.ledgerEntries));
  row('merged again after a concurrent change', number(counts.retried));
  row('write units per patron written', written > 0 ? (counts.writeUnits / written).toFixed(2) : '-');
  row(
    'time, rate',
    `${seconds.toFixed(1)} s, ${number(Math.round((checked.rows.length - alreadyDone) / Math.max(seconds, 0.001)))} patrons/s`,
  );
  out('No confirmation text and no notice is sent for imported patrons.');
  process.exit(refusedLines > 0 ? EXIT.refused : EXIT.done);
} catch (error) {
  if (error instanceof ImportFileError) fail(EXIT.unusable, `${file} cannot be read as mapped: ${error.message}. Nothing was written.`);
  if (error instanceof ConfigurationError || error instanceof CliUsageError) fail(EXIT.unusable, error.message);
  if (error instanceof CliFailure) fail(EXIT.target, error.message);
  fail(EXIT.target, explainError(error, { doing: 'importing' }));
}
