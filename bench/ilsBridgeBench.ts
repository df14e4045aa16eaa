/**
 * Report-file bridge benchmark: a Koha current-loans snapshot of 50,000 rows, read, validated and
 * compared with the stored snapshot in DynamoDB Local, first against an empty snapshot (50,000
 * checkouts), then a later file against it (returns, renewals, new loans, the rest unchanged).
 * Events go to a counting publisher in PutEvents-sized requests: the figures are the bridge's own.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DropFolderReportStore } from '#sandbox/dropFolder.ts';
import { fixedClock } from '#shared/clock.ts';
import type { CirculationEvent } from '#shared/events/contract.ts';
import { PUT_EVENTS_LIMIT, type CirculationPublisher, type PublishResult } from '#shared/ilsBridge/circulationPublisher.ts';
import { ReportBridge, type ReportOutcome } from '#shared/ilsBridge/reportBridge.ts';
import { DynamoLoanSnapshotStore } from '#shared/ilsBridge/snapshotStore.ts';
import { logger, metrics } from '#shared/observability.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';

const FEED = 'koha-current-loans';
const HEADER = 'issue_id,borrowernumber,itemnumber,title,itype,branchcode,issuedate,date_due,lastreneweddate';

/** One run of the bridge over one file. */
export interface BridgeRun {
  readonly rows: number;
  readonly events: number;
  readonly putEventsRequests: number;
  readonly seconds: number;
  readonly counts: Readonly<Record<string, number>>;
}

export interface IlsBridgeFigures {
  readonly first: BridgeRun;
  readonly next: BridgeRun;
}

class CountingPublisher implements CirculationPublisher {
  public events = 0;
  public requests = 0;
  public async publish(events: readonly CirculationEvent[]): Promise<PublishResult[]> {
    this.requests += Math.ceil(events.length / PUT_EVENTS_LIMIT);
    this.events += events.length;
    return events.map((event) => ({ EventId: event.detail.eventId }));
  }
}

function loanRow(id: number, due: string, renewed = ''): string {
  const patron = 10_000 + Math.floor(id / 3);
  const checkedOut = `2026-10-${String(1 + (id % 28)).padStart(2, '0')} 1${id % 10}:00:00`;
  return `${id},${patron},${500_000 + id},"Title number ${id}, a novel",BK,RPL,${checkedOut},${due},${renewed}`;
}

/**
 * @param config the consortium configuration (circulation source, open-loan retention)
 * @param rows loans in the first snapshot
 * @param churn share of loans returned, renewed and newly checked out in the next snapshot (each)
 */
export async function ilsBridgeBench(
  table: TableContext,
  config: ConsortiumConfig,
  rows = 50_000,
  churn = 0.04,
): Promise<IlsBridgeFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'bookdrop-bench-drop-'));
  try {
    const store = new DropFolderReportStore(folder);
    copyFileSync(fileURLToPath(new URL(`../config/ils-mappings/${FEED}.json`, import.meta.url)), join(folder, 'mappings', `${FEED}.json`));
    mkdirSync(join(folder, 'incoming', FEED), { recursive: true });

    const publisher = new CountingPublisher();
    const bridge = new ReportBridge({
      store,
      snapshots: new DynamoLoanSnapshotStore(table, config.retention.openLoanDays),
      publisher,
      clock: fixedClock('2026-11-04T15:00:00Z'),
      source: config.events.source,
      logger,
      metrics,
    });
    const run = async (stamp: string, lines: string[]): Promise<BridgeRun> => {
      const key = `incoming/${FEED}/current-loans-${stamp}.csv`;
      writeFileSync(join(folder, key), [HEADER, ...lines].join('\n'));
      const [eventsBefore, requestsBefore] = [publisher.events, publisher.requests];
      const started = performance.now();
      const outcome: ReportOutcome = await bridge.process(key);
      const seconds = (performance.now() - started) / 1000;
      if (outcome.status !== 'processed')
        throw new Error(`bench file was ${outcome.status}: ${JSON.stringify(outcome.issues.slice(0, 3))}`);
      return {
        rows: lines.length,
        events: publisher.events - eventsBefore,
        putEventsRequests: publisher.requests - requestsBefore,
        seconds,
        counts: outcome.counts ?? {},
      };
    };

    const first = Array.from({ length: rows }, (_, id) => loanRow(id, '2026-11-25 23:59:00'));
    const changed = Math.round(rows * churn);
    const next = [
      // The first `changed` loans were returned; the next `changed` were renewed; the rest are unchanged.
      ...Array.from({ length: rows - changed }, (_, i) => {
        const id = changed + i;
        return i < changed ? loanRow(id, '2026-12-09 23:59:00', '2026-11-04 09:00:00') : loanRow(id, '2026-11-25 23:59:00');
      }),
      ...Array.from({ length: changed }, (_, i) => loanRow(rows + i, '2026-11-25 23:59:00')),
    ];

    return { first: await run('20261104T080000', first), next: await run('20261104T090000', next) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
