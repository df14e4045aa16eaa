/**
 * Writes checked import rows: chunks of patrons read with one BatchGetItem, merged with the same
 * rules as events (source `import`, so nothing is confirmed or sent), contacts encrypted and indexed,
 * and written: ledger entries in batches first, then the chunk's profiles in one transaction on their
 * version conditions, several chunks at once (bounded), with retries on throttling. A profile that changed
 * between read and write is re-read and merged again on its own, and the ledger entries of the first
 * merge that the second no longer makes are deleted. Chunks are numbered: after each, the contiguous
 * prefix of finished chunks is reported to the checkpoint, so an interrupted run resumes there; a
 * chunk done twice changes nothing the second time (ledger keys are deterministic).
 */
import { applyImport, emptyProfile, type ConsentLedgerEntry, type PatronProfile, type Provenance } from '#shared/patrons/patronProfile.ts';
import { BATCH_GET_LIMIT, type BulkPatronStore } from '#shared/patrons/patronRepository.ts';
import { ledgerKey } from '#shared/table/keys.ts';
import type { PatronService } from '#shared/patrons/patronService.ts';
import type { ImportRow } from '#shared/import/importRows.ts';

/** What an import did, in patrons and capacity units. */
export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  ledgerEntries: number;
  /** Patrons whose profile changed between read and write, merged again one by one. */
  retried: number;
  readUnits: number;
  writeUnits: number;
}

export const emptyCounts = (): ImportCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  ledgerEntries: 0,
  retried: 0,
  readUnits: 0,
  writeUnits: 0,
});

function addCounts(into: ImportCounts, from: ImportCounts): void {
  for (const key of Object.keys(into) as (keyof ImportCounts)[]) into[key] += from[key];
}

export interface ImportRunOptions {
  /** Chunks before this one are already done (from the checkpoint). */
  readonly startChunk: number;
  /** Counts of the chunks already done, carried over from the checkpoint. */
  readonly carried?: ImportCounts;
  /** Called when every chunk before `nextChunk` is done, with the counts so far. */
  readonly onCheckpoint?: (nextChunk: number, counts: ImportCounts) => Promise<void>;
  /** Called after each chunk with the number of patrons it held. */
  readonly onProgress?: (patrons: number) => void;
}

export interface PatronImporterDeps {
  readonly patrons: BulkPatronStore;
  /** Encrypts contacts and, for a conflicting patron, merges again with optimistic concurrency. */
  readonly service: PatronService;
  /** Ledger provenance of a row. */
  readonly provenanceOf: (row: ImportRow) => Provenance;
  /**
   * Chunks written at once.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Patrons per chunk (one BatchGetItem: at most 100), the unit of the checkpoint.
   * @default 100
   */
  readonly chunkSize?: number;
}

interface Pending {
  readonly row: ImportRow;
  readonly created: boolean;
  readonly profile: PatronProfile;
  readonly ledger: readonly ConsentLedgerEntry[];
}

export class PatronImporter {
  public readonly chunkSize: number;
  private readonly concurrency: number;

  public constructor(private readonly deps: PatronImporterDeps) {
    this.chunkSize = deps.chunkSize ?? BATCH_GET_LIMIT;
    this.concurrency = deps.concurrency ?? 4;
  }

  /** How many chunks `rows` make. */
  public chunkCount(rows: readonly ImportRow[]): number {
    return Math.ceil(rows.length / this.chunkSize);
  }

  /** Imports `rows` from chunk `options.startChunk` on; resolves with the counts of the whole import. */
  public async run(rows: readonly ImportRow[], options: ImportRunOptions): Promise<ImportCounts> {
    const total = this.chunkCount(rows);
    const counts = { ...emptyCounts(), ...options.carried };
    const finished = new Map<number, ImportCounts>();
    let watermark = options.startChunk;
    let next = options.startChunk;
    let failure: unknown;
    let saving = Promise.resolve();

    const worker = async () => {
      while (failure === undefined && next < total) {
        const index = next++;
        const chunk = rows.slice(index * this.chunkSize, (index + 1) * this.chunkSize);
        try {
          finished.set(index, await this.importChunk(chunk));
        } catch (error) {
          failure ??= error;
          return;
        }
        options.onProgress?.(chunk.length);
        const before = watermark;
        while (finished.has(watermark)) {
          addCounts(counts, finished.get(watermark)!);
          finished.delete(watermark);
          watermark++;
        }
        if (watermark > before && options.onCheckpoint) {
          const snapshot = { next: watermark, counts: { ...counts } };
          saving = saving.then(() => options.onCheckpoint!(snapshot.next, snapshot.counts));
          await saving;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, Math.max(1, total - next)) }, worker));
    await saving;
    if (failure !== undefined) throw failure;
    return counts;
  }

  private async importChunk(chunk: readonly ImportRow[]): Promise<ImportCounts> {
    const counts = emptyCounts();
    const { profiles, readUnits } = await this.deps.patrons.getMany(chunk.map((row) => row.patronId));
    counts.readUnits += readUnits;
    const merged = chunk.map((row) => {
      const current = profiles.get(row.patronId) ?? emptyProfile(row.patronId);
      return { row, current, change: applyImport(current, row, this.deps.provenanceOf(row)) };
    });
    counts.unchanged += merged.filter(({ change }) => !change.changed).length;
    const pending: Pending[] = await Promise.all(
      merged
        .filter(({ change }) => change.changed)
        .map(async ({ row, current, change }) => ({
          row,
          created: current.version === 0,
          profile: await this.deps.service.seal(change),
          ledger: change.ledger,
        })),
    );

    const { conflicts, writeUnits } = await this.deps.patrons.saveMany(pending);
    counts.writeUnits += writeUnits;
    const conflicting = new Set(conflicts);
    for (const done of pending) {
      if (conflicting.has(done.row.patronId)) {
        // Its ledger entries are stored, its profile is not: merge again from what is stored now.
        const remade = new Set((await this.importOne(done.row, counts)).map((entry) => ledgerKey(entry.patronId, entry).sk));
        const orphans = done.ledger.filter((entry) => !remade.has(ledgerKey(entry.patronId, entry).sk));
        if (orphans.length > 0) counts.writeUnits += await this.deps.patrons.deleteLedger(orphans);
        continue;
      }
      counts[done.created ? 'created' : 'updated']++;
      counts.ledgerEntries += done.ledger.length;
    }
    return counts;
  }

  /** One patron through the service's read-merge-write loop (after a conflict); returns the ledger entries written. */
  private async importOne(row: ImportRow, counts: ImportCounts): Promise<readonly ConsentLedgerEntry[]> {
    counts.retried++;
    let created = false;
    const result = await this.deps.service.update(row.patronId, (profile) => {
      created = profile.version === 0;
      return applyImport(profile, row, this.deps.provenanceOf(row));
    });
    if (!result.changed) {
      counts.unchanged++;
      return [];
    }
    counts[created ? 'created' : 'updated']++;
    counts.ledgerEntries += result.change.ledger.length;
    return result.change.ledger;
  }
}
