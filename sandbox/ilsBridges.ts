/**
 * The ILS bridges in the sandbox: the signed webhook served at `POST /ils/events`, and the report-file
 * bridge watching a local drop folder laid out like the drop bucket. Both are the real domain code,
 * publishing through the real EventBridge client to the sandbox's own PutEvents endpoint, with the
 * replay log and the loans snapshots in DynamoDB Local.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { processClock } from '#shared/clock.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { EventBridgeCirculationPublisher } from '#shared/ilsBridge/circulationPublisher.ts';
import { DynamoReplayGuard } from '#shared/ilsBridge/replayGuard.ts';
import { ReportBridge, type ReportOutcome } from '#shared/ilsBridge/reportBridge.ts';
import { DynamoLoanSnapshotStore } from '#shared/ilsBridge/snapshotStore.ts';
import { IlsWebhook } from '#shared/ilsBridge/webhook.ts';
import { parseWebhookSecrets } from '#shared/ilsBridge/webhookSecrets.ts';
import type { WebhookSecrets } from '#shared/ilsBridge/webhookSignature.ts';
import { logger, metrics } from '#shared/observability.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#sandbox/localServices.ts';
import { DropFolderReportStore } from '#sandbox/dropFolder.ts';

export interface SandboxIlsOptions {
  readonly table: TableContext;
  readonly config: ConsortiumConfig;
  /** The sandbox API (its PutEvents endpoint). */
  readonly api: string;
  readonly eventBusName: string;
  /** The drop folder: `incoming/<mapping>/`, `mappings/`, `rejections/`. */
  readonly dropDir: string;
  /** JSON file `{ "current": ... }` holding the webhook secret; created on first run. */
  readonly secretFile: string;
}

/** One processed (or failed) drop-folder file. */
export interface DropResult {
  readonly file: string;
  readonly outcome?: ReportOutcome;
  readonly error?: string;
}

/** The mappings shipped with Bookdrop (Koha and generic), copied into a new drop folder. */
const SHIPPED_MAPPINGS = fileURLToPath(new URL('../config/ils-mappings/', import.meta.url));

/** How many times the watcher tries a file whose processing fails before it leaves it alone. */
const MAX_ATTEMPTS = 3;

/** Reads the sandbox webhook secret, creating a random one on first use. */
export function loadOrCreateWebhookSecret(file: string): WebhookSecrets {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ current: randomBytes(32).toString('hex') }), { mode: 0o600 });
  }
  return parseWebhookSecrets(JSON.parse(readFileSync(file, 'utf-8')));
}

export class SandboxIlsBridges {
  public readonly drop: DropFolderReportStore;
  public readonly webhook: IlsWebhook;
  private readonly bridge: ReportBridge;
  private readonly attempts = new Map<string, number>();
  /** Size and modification time of each waiting file at the watcher's last poll. */
  private lastSeen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<DropResult[]> = Promise.resolve([]);

  public constructor(readonly options: SandboxIlsOptions) {
    this.drop = new DropFolderReportStore(options.dropDir);
    for (const file of readdirSync(SHIPPED_MAPPINGS).filter((name) => name.endsWith('.json'))) {
      const target = join(options.dropDir, 'mappings', file);
      if (!existsSync(target)) copyFileSync(join(SHIPPED_MAPPINGS, file), target);
    }
    const secrets = loadOrCreateWebhookSecret(options.secretFile);
    const eventBridge = new EventBridgeClient({ endpoint: options.api, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const { source } = options.config.events;
    const publisher = new EventBridgeCirculationPublisher(eventBridge, options.eventBusName, source);
    const common = { publisher, clock: processClock, source, logger, metrics };
    this.webhook = new IlsWebhook({
      ...common,
      // An ILS signs with the real time (`date +%s`); the sandbox's clock may have been moved ahead.
      signatureClock: { now: () => new Date() },
      secrets: async () => secrets,
      replay: new DynamoReplayGuard(options.table),
    });
    this.bridge = new ReportBridge({
      ...common,
      store: this.drop,
      snapshots: new DynamoLoanSnapshotStore(options.table, options.config.retention.openLoanDays),
    });
  }

  /** Polls the drop folder every `intervalMs` (as S3 would notify the bridge). */
  public watch(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  public stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One poll of the watcher: processes the waiting files that have not changed since the previous poll.
   * S3 shows an object only once it is whole; a file copied or redirected into the folder is not, and
   * a current-loans snapshot read in part would return every loan after the cut.
   */
  public poll(): Promise<DropResult[]> {
    const seen = new Map(this.drop.pending().map((file) => [file, this.drop.fileState(file)] as const));
    const settled = [...seen].filter(([file, state]) => state !== undefined && this.lastSeen.get(file) === state).map(([file]) => file);
    this.lastSeen = new Map([...seen].filter((entry): entry is [string, string] => entry[1] !== undefined));
    return this.scan(settled);
  }

  /** Processes the waiting files now (`POST /sandbox/ils/scan`: all of them), one at a time, oldest first; never two scans at once. */
  public scan(files?: readonly string[]): Promise<DropResult[]> {
    this.scanning = this.scanning.then(() => this.processPending(files ?? this.drop.pending()));
    return this.scanning;
  }

  private async processPending(files: readonly string[]): Promise<DropResult[]> {
    const results: DropResult[] = [];
    for (const file of files) {
      const attempts = this.attempts.get(file) ?? 0;
      if (attempts >= MAX_ATTEMPTS) continue;
      try {
        const outcome = await this.bridge.process(file);
        this.attempts.delete(file);
        results.push({ file, outcome });
        process.stdout.write(
          `drop folder: ${file}: ${outcome.status}, ${outcome.events} event(s)` +
            `${outcome.issues.length ? `, ${outcome.issues.length} issue(s) in rejections/` : ''}\n`,
        );
      } catch (error) {
        this.attempts.set(file, attempts + 1);
        const message = `${(error as Error).name}: ${(error as Error).message}`;
        results.push({ file, error: message });
        process.stderr.write(`drop folder: ${file} failed (attempt ${attempts + 1} of ${MAX_ATTEMPTS}): ${message}\n`);
      }
    }
    return results;
  }
}
