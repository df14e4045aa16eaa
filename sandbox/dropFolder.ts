/**
 * The sandbox's stand-in for the drop bucket: a local folder with the bucket's layout
 * (`incoming/<mapping>/<file>.csv`, `mappings/<mapping>.json`, `rejections/...`). The report-file
 * bridge reads it through the same port as S3, so the bridge runs end to end with no AWS account.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  INCOMING_PREFIX,
  MAPPINGS_PREFIX,
  REJECTIONS_PREFIX,
  type RejectionReport,
  type ReportFile,
  type ReportStore,
} from '#shared/ilsBridge/reportBridge.ts';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

export class DropFolderReportStore implements ReportStore {
  public constructor(public readonly root: string) {
    for (const prefix of [INCOMING_PREFIX, MAPPINGS_PREFIX, REJECTIONS_PREFIX]) mkdirSync(join(root, prefix), { recursive: true });
  }

  public async read(key: string): Promise<ReportFile | undefined> {
    try {
      const path = join(this.root, key);
      const [text, info] = await Promise.all([readFile(path, 'utf-8'), stat(path)]);
      return { text, droppedAt: info.mtime };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  public async mapping(name: string): Promise<unknown> {
    const file = await this.read(`${MAPPINGS_PREFIX}${name}.json`);
    return file && (JSON.parse(file.text) as unknown);
  }

  public async remove(key: string): Promise<void> {
    await rm(join(this.root, key), { force: true });
  }

  public async reject(report: RejectionReport): Promise<void> {
    const name = report.file.replace(/^incoming\//, '').replace(/\.[^./]*$/, '');
    const path = join(this.root, `${REJECTIONS_PREFIX}${name}.json`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(report, null, 2));
  }

  /** The size and modification time of a file, to tell whether it is still being written; undefined once gone. */
  public fileState(key: string): string | undefined {
    try {
      const info = statSync(join(this.root, key));
      return `${info.size}:${info.mtimeMs}`;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Keys of the files waiting in `incoming/`, oldest first (as S3 would notify them). */
  public pending(): string[] {
    const incoming = join(this.root, INCOMING_PREFIX);
    const files: { key: string; mtime: number }[] = [];
    for (const folder of readdirSync(incoming, { withFileTypes: true })) {
      if (!folder.isDirectory()) continue;
      for (const file of readdirSync(join(incoming, folder.name), { withFileTypes: true })) {
        if (!file.isFile() || file.name.startsWith('.')) continue;
        const key = `${INCOMING_PREFIX}${folder.name}/${file.name}`;
        files.push({ key, mtime: statSync(join(this.root, key)).mtimeMs });
      }
    }
    return files.sort((a, b) => a.mtime - b.mtime || a.key.localeCompare(b.key)).map((file) => file.key);
  }
}
