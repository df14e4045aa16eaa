/**
 * The checkpoint of a patron import: a small JSON file saying how many chunks of which file went to
 * which table, written atomically (temporary file, then rename) after each chunk, so a run killed at
 * any moment resumes where the last one stopped. It holds no contact or patron data.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ImportCounts } from '#shared/import/patronImporter.ts';

/** What must be the same for a checkpoint to apply: the file, the target, the rows' time and chunking. */
export interface ImportIdentity {
  readonly fileId: string;
  readonly target: string;
  readonly asOf: string;
  readonly chunkSize: number;
  readonly rows: number;
}

export interface ImportCheckpoint extends ImportIdentity {
  readonly nextChunk: number;
  readonly counts: ImportCounts;
  readonly savedAt: string;
}

const sameImport = (a: ImportIdentity, b: ImportIdentity) =>
  a.fileId === b.fileId && a.target === b.target && a.asOf === b.asOf && a.chunkSize === b.chunkSize && a.rows === b.rows;

/** A checkpoint file for one import. */
export class ImportCheckpointFile {
  public constructor(private readonly path: string) {}

  /** The saved checkpoint of this same import, or `undefined` (none, unreadable, or another import's). */
  public load(identity: ImportIdentity): ImportCheckpoint | undefined {
    let saved: ImportCheckpoint;
    try {
      saved = JSON.parse(readFileSync(this.path, 'utf8')) as ImportCheckpoint;
    } catch {
      return undefined;
    }
    return sameImport(saved, identity) && Number.isInteger(saved.nextChunk) ? saved : undefined;
  }

  public save(identity: ImportIdentity, nextChunk: number, counts: ImportCounts, now: Date): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    const checkpoint: ImportCheckpoint = { ...identity, nextChunk, counts, savedAt: now.toISOString() };
    writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }

  /** Removes the checkpoint once the import is complete, so a later run checks every patron again. */
  public clear(): void {
    rmSync(this.path, { force: true });
  }
}
