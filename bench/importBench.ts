/**
 * Patron import benchmark: a 100,000-row Koha report, read and checked, then imported into DynamoDB
 * Local with the import's own chunking, concurrency and transactions. Reports patrons per second
 * (target: 200 or more on this machine), a second run of the same file (which must write nothing),
 * and write units per patron. DynamoDB Local under-reports the capacity of a transaction of several
 * items, so write units are measured on a sample imported one patron per transaction (what DynamoDB
 * bills for a multi-patron transaction is the sum of its patrons').
 */
import { randomBytes } from 'node:crypto';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { EsdkContactCrypto, LocalPhoneBlindIndex, localContactKeyring } from '#shared/contacts/contactCrypto.ts';
import { loadImportMapping } from '#shared/import/importMapping.ts';
import { checkRecords } from '#shared/import/importRows.ts';
import { readPatronFile } from '#shared/import/patronFile.ts';
import { PatronImporter, type ImportCounts } from '#shared/import/patronImporter.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import type { TableContext } from '#shared/table/documentClient.ts';

export interface ImportFigures {
  readonly patrons: number;
  readonly checkSeconds: number;
  readonly importSeconds: number;
  readonly counts: ImportCounts;
  readonly rerunSeconds: number;
  readonly rerun: ImportCounts;
  /** Write units per patron written, as DynamoDB accounts them (transactional writes, indexes included). */
  readonly writeUnitsPerPatron: number;
  /** Read units per patron on the second run (every profile exists then). */
  readonly readUnitsPerPatron: number;
}

/** Ten New York area codes times 10,000 line numbers: 100,000 valid, distinct numbers. */
const AREA_CODES = ['845', '914', '518', '607', '315', '716', '585', '631', '516', '212'];

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

/** Imports `patrons` rows into `tables.main`, and a sample of them one by one into `tables.units`. */
export async function importBench(
  tables: { main: TableContext; units: TableContext },
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
      provenanceOf: (row) => ({
        at: row.consentAt ?? '2026-11-01T00:00:00Z',
        source: 'import',
        policyVersion: '2026-09',
        evidenceId: `import:${file.fileId}:${row.line}`,
      }),
    });
  };
  const sample = await importerFor(tables.units, 1).run(checked.rows.slice(0, 500), { startChunk: 0 });
  const importer = importerFor(tables.main);
  const started = performance.now();
  const counts = await importer.run(checked.rows, { startChunk: 0 });
  const importSeconds = (performance.now() - started) / 1000;
  const rerunStarted = performance.now();
  const rerun = await importer.run(checked.rows, { startChunk: 0 });
  const rerunSeconds = (performance.now() - rerunStarted) / 1000;
  return {
    patrons,
    checkSeconds,
    importSeconds,
    counts,
    rerunSeconds,
    rerun,
    writeUnitsPerPatron: sample.writeUnits / (sample.created + sample.updated),
    readUnitsPerPatron: rerun.readUnits / patrons,
  };
}
