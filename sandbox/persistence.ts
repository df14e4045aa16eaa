/**
 * The sandbox's state on disk, for `--data-dir` / `BOOKDROP_DATA_DIR`. By default the sandbox keeps
 * everything in memory and forgets it when it stops; with a data folder, DynamoDB Local keeps its
 * tables there (`dynamodb/`) and the sandbox keeps the rest in `sandbox-state.json`: the clock, the
 * outbox, the published events, queued and dead-lettered messages and the stream position.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import type { DeadLetter, QueuedMessage } from '#sandbox/localQueues.ts';
import type { StoredEmail } from '#sandbox/localServices.ts';
import type { SentSms } from '#sandbox/smsSink.ts';

export const STATE_FILE = 'sandbox-state.json';
const VERSION = 1;

export interface SandboxSnapshot {
  readonly version: typeof VERSION;
  readonly savedAt: string;
  /** The sandbox clock's lead over the system clock. */
  readonly clockOffsetMs: number;
  readonly lastSweptDay: string;
  readonly published: Record<string, unknown>[];
  readonly emails: StoredEmail[];
  readonly sms: { messages: SentSms[]; optedOut: string[]; optedInAt: [string, number][] };
  readonly queues: Record<string, { messages: QueuedMessage[]; deadLetters: DeadLetter[] }>;
  readonly stream: { positions: Record<string, string>; failed: { sequenceNumber: string; eventName: string; record: DynamoDBRecord }[] };
}

/** The folder DynamoDB Local keeps its data in, created if missing. */
export function dynamoDbFolder(dataDir: string): string {
  const folder = join(dataDir, 'dynamodb');
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** The saved state, or undefined on a first run. A file of another version is refused, not guessed at. */
export function loadSnapshot(dataDir: string): SandboxSnapshot | undefined {
  const file = join(dataDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as SandboxSnapshot;
  if (snapshot.version !== VERSION) {
    throw new Error(`${file} was written by another sandbox version (${String(snapshot.version)}); move it away to start afresh`);
  }
  return snapshot;
}

/** Writes the state atomically (a crash mid-write leaves the previous file). */
export function saveSnapshot(dataDir: string, snapshot: Omit<SandboxSnapshot, 'version' | 'savedAt'>): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, STATE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ version: VERSION, savedAt: new Date().toISOString(), ...snapshot }));
  renameSync(temporary, file);
}
