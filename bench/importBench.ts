/**
 * Patron import benchmark: a Koha report (100,000 rows by default, `BENCH_IMPORT_PATRONS` for a
 * quick run), read and checked, then imported into DynamoDB Local with the import's own chunking,
 * concurrency and writes. Reports patrons per second (target: 200 or more on this machine), write
 * units per patron as DynamoDB Local accounts them, a second run of the same file (which must write
 * nothing), and a baseline measured in the same run: the same number of patrons' items (each a copy of
 * an imported patron's profile and ledger entries) written with bare BatchWriteItem requests. The ratio
 * is the import's overhead: reading, merging, encrypting, indexing and the conditional profile puts.
 *
 * The tables have no stream: DynamoDB Local keeps every stream record and slows every write to a
 * stream-enabled table as they pile up, which DynamoDB does not. `npx tsx bench/importBench.ts` runs
 * this section alone (it starts its own DynamoDB Local); `npm run bench` runs it with the others.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, ensureTable, startDynamoDbLocal } from '#sandbox/localServices.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { loadConfigFile } from '#shared/config/loadConfigFile.ts';
import { EsdkContactCrypto, LocalPhoneBlindIndex, localContactKeyring } from '#shared/contacts/contactCrypto.ts';
import { loadImportMapping } from '#shared/import/importMapping.ts';
import { checkRecords, type ImportRow } from '#shared/import/importRows.ts';
import { readPatronFile } from '#shared/import/patronFile.ts';
import { PatronImporter, type ImportCounts } from '#shared/import/patronImporter.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';
import { patronPartition } from '#shared/table/keys.ts';

export interface ImportFigures {
  readonly patrons: number;
  readonly concurrency: number;
  readonly checkSeconds: number;
  readonly importSeconds: number;
  readonly counts: ImportCounts;
  readonly rerunSeconds: number;
  readonly rerun: ImportCounts;
  /** Write units per patron written (indexes included), measured on a sample imported one patron per chunk. */
  readonly writeUnitsPerPatron: number;
  /** Read units per patron on the second run (every profile exists then). */
  readonly readUnitsPerPatron: number;
  /** Items the import stored per patron (profile and ledger entries). */
  readonly itemsPerPatron: number;
  /** The same number of patrons' items written with bare BatchWriteItem requests. */
  readonly baselineSeconds: number;
  readonly baselineWriteUnitsPerPatron: number;
}

/** Ten New York area codes times 10,000 line numbers: 100,000 valid, distinct numbers. */
const AREA_CODES = ['845', '914', '518', '607', '315', '716', '585', '631', '516', '212'];
/** BatchWriteItem requests the baseline has in flight: the import's chunks times its writes per chunk. */
const BASELINE_REQUESTS_AT_ONCE = 8;

/** A Koha patron report of `patrons` rows, as the documented SQL report writes it. */
export function kohaReport(patrons: number): Buffer {
  const lines = ['borrowernumber,branchcode,smsalertnumber,email,lang,sms_opt_in,email_opt_in,updated_on'];
  for (let i = 0; i < patrons; i++) {
    const area = AREA_CODES[Math.floor(i / 10_000) % AREA_CODES.length]!;
    const phone = i % 10 === 9 ? '' : `(${area}) 555-${String(i % 10_000).padStart(4, '0')}`;
    const email = i % 4 === 3 ? '' : `reader${i}@example.net`;
    const sms = phone === '' || i % 7 === 0 ? 0 : 1;
    lines.push(
      `${100_000 + i},${i % 3 === 0 ? 'MPL' : 'RPL'},${phone},${email},${i % 5 === 0 ? 'es-ES' : 'default'},${sms},${email ? 1 : 0},2024-03-01 10:00:00`,
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** The stored items of one patron (profile and ledger entries). */
async function itemsOf(table: TableContext, patronId: string): Promise<Record<string, unknown>[]> {
  const { Items } = await table.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': patronPartition(patronId) },
    }),
  );
  return Items ?? [];
}

/**
 * Writes `patrons` copies of `template` (one patron's items, with distinct keys and index keys) with
 * bare BatchWriteItem requests; returns the seconds taken and the write units consumed.
 */
async function bareWrites(
  table: TableContext,
  template: readonly Record<string, unknown>[],
  patrons: number,
): Promise<{ seconds: number; writeUnits: number }> {
  const requests = Array.from({ length: patrons }, (_, i) =>
    template.map((item) => ({
      PutRequest: {
        Item: {
          ...item,
          pk: patronPartition(`baseline-${i}`),
          ...(item.phoneIndex === undefined
            ? {}
            : { phoneIndex: `${String(item.phoneIndex)}-${i}`, audienceKey: `${String(item.audienceKey)}-${i}` }),
        },
      },
    })),
  ).flat();
  let next = 0;
  let writeUnits = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests.length) {
      let batch: typeof requests = requests.slice(next, next + 25);
      next += 25;
      while (batch.length > 0) {
        const result = await table.doc.send(
          new BatchWriteCommand({ RequestItems: { [table.tableName]: batch }, ReturnConsumedCapacity: 'TOTAL' }),
        );
        writeUnits += (result.ConsumedCapacity ?? []).reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
        batch = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: BASELINE_REQUESTS_AT_ONCE }, worker));
  return { seconds: (performance.now() - started) / 1000, writeUnits };
}

/**
 * Imports `patrons` rows into `tables.main` (after a warm-up of a few into `tables.warmup`), imports
 * them again, then writes the baseline into `tables.baseline`. The tables should have no stream.
 */
export async function importBench(
  tables: { main: TableContext; warmup: TableContext; baseline: TableContext },
  config: ConsortiumConfig,
  patrons = 100_000,
  concurrency = 4,
): Promise<ImportFigures> {
  const mapping = loadImportMapping('koha');
  const checkStarted = performance.now();
  const file = readPatronFile(kohaReport(patrons), mapping);
  const checked = checkRecords(file.records, file.unreadable, mapping, { config, defaultCountry: 'US', now: new Date() });
  const checkSeconds = (performance.now() - checkStarted) / 1000;
  if (checked.refused.length > 0 || checked.rows.length !== patrons)
    throw new Error(`the bench report has ${checked.refused.length} refused rows`);

  const keys = {
    encrypter: new EsdkContactCrypto(localContactKeyring(randomBytes(32))),
    phoneIndex: new LocalPhoneBlindIndex(randomBytes(32)),
  };
  const importerFor = (table: TableContext, chunkSize?: number) => {
    const store = new DynamoPatronStore(table, config.retention.consentLedgerDays);
    return new PatronImporter({
      patrons: store,
      service: new PatronService({ patrons: store, ...keys }),
      concurrency,
      ...(chunkSize === undefined ? {} : { chunkSize }),
      provenanceOf: (row: ImportRow) => ({
        at: row.consentAt ?? '2026-11-01T00:00:00Z',
        source: 'import',
        policyVersion: '2026-09',
        evidenceId: `import:${file.fileId}:${row.line}`,
      }),
    });
  };
  // Write units on a sample imported one patron per chunk: DynamoDB Local reports a transaction's
  // capacity only when it holds one item (DynamoDB bills a transaction the sum of its items').
  const sampleSize = Math.min(300, Math.ceil(patrons / 10));
  const sample = await importerFor(tables.warmup, 1).run(checked.rows.slice(0, sampleSize), { startChunk: 0 });
  // The JIT of DynamoDB Local and of Node warm up on a few more patrons, so the figures are of steady work.
  await importerFor(tables.warmup).run(checked.rows.slice(sampleSize, sampleSize + Math.min(1_500, Math.ceil(patrons / 10))), {
    startChunk: 0,
  });
  const importer = importerFor(tables.main);
  const started = performance.now();
  const counts = await importer.run(checked.rows, { startChunk: 0 });
  const importSeconds = (performance.now() - started) / 1000;
  const rerunStarted = performance.now();
  const rerun = await importer.run(checked.rows, { startChunk: 0 });
  const rerunSeconds = (performance.now() - rerunStarted) / 1000;

  // A patron with both contacts, an SMS opt-in and an email opt-in: the commonest row of the report.
  const template = await itemsOf(tables.main, checked.rows[1]!.patronId);
  const baseline = await bareWrites(tables.baseline, template, patrons);
  const written = counts.created + counts.updated;
  return {
    patrons,
    concurrency,
    checkSeconds,
    importSeconds,
    counts,
    rerunSeconds,
    rerun,
    writeUnitsPerPatron: sample.writeUnits / (sample.created + sample.updated),
    readUnitsPerPatron: rerun.readUnits / patrons,
    itemsPerPatron: (written + counts.ledgerEntries) / written,
    baselineSeconds: baseline.seconds,
    baselineWriteUnitsPerPatron: baseline.writeUnits / patrons,
  };
}

/** The section's printed lines. */
export function printImportFigures(figures: ImportFigures, line: (label: string, value: string) => void): void {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  const rate = figures.patrons / figures.importSeconds;
  const baseRate = figures.patrons / figures.baselineSeconds;
  process.stdout.write(
    `\nPatron import (${n(figures.patrons)}-row Koha report into DynamoDB Local, no stream; ${figures.concurrency} chunks of 100 at once)\n`,
  );
  line(
    'patrons per second (target 200)',
    `${n(rate)} (${figures.importSeconds.toFixed(0)} s; checking the file ${figures.checkSeconds.toFixed(1)} s)`,
  );
  line(
    'baseline: bare BatchWriteItem, same items',
    `${n(baseRate)} patrons/s (${figures.baselineSeconds.toFixed(0)} s, ${figures.itemsPerPatron.toFixed(2)} items per patron)`,
  );
  line('import speed / baseline speed', (rate / baseRate).toFixed(2));
  line(
    'write units per patron (baseline)',
    `${figures.writeUnitsPerPatron.toFixed(2)} (${figures.baselineWriteUnitsPerPatron.toFixed(2)})`,
  );
  line('consent ledger entries', n(figures.counts.ledgerEntries));
  line('same file again: time, patrons written', `${figures.rerunSeconds.toFixed(0)} s, ${figures.rerun.created + figures.rerun.updated}`);
  line('same file again: read units per patron', figures.readUnitsPerPatron.toFixed(2));
}

/** Table names of the section; the tables are created without a stream. */
export const IMPORT_BENCH_TABLES = {
  main: 'bookdrop-bench-import',
  warmup: 'bookdrop-bench-import-warmup',
  baseline: 'bookdrop-bench-import-baseline',
} as const;

/** Creates the section's tables on `client` and runs it with `BENCH_IMPORT_PATRONS` rows. */
export async function runImportBench(client: DynamoDBClient, config: ConsortiumConfig): Promise<ImportFigures> {
  for (const name of Object.values(IMPORT_BENCH_TABLES)) await ensureTable(client, name, { streams: false });
  const [main, warmup, baseline] = [IMPORT_BENCH_TABLES.main, IMPORT_BENCH_TABLES.warmup, IMPORT_BENCH_TABLES.baseline].map((name) =>
    tableContext(client, name),
  );
  return importBench({ main: main!, warmup: warmup!, baseline: baseline! }, config, Number(process.env.BENCH_IMPORT_PATRONS ?? 100_000));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const dynamo = await startDynamoDbLocal();
  try {
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const figures = await runImportBench(client, loadConfigFile());
    printImportFigures(figures, (label, value) => process.stdout.write(`  ${label.padEnd(44)} ${value}\n`));
    process.stdout.write('\n');
  } finally {
    await dynamo.stop();
  }
}
