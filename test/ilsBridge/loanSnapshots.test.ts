/**
 * The report-file bridge over a local drop folder, the loans snapshot in DynamoDB Local and a
 * recording publisher: snapshot comparisons (new, renewed, returned, unchanged), a re-dropped file,
 * out-of-order files, all-or-nothing rejection and a failed publish that is simply run again.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ilsReportsManifest } from '#functions/ils-reports/manifest.ts';
import { grantCheckedTable, type Refusal } from '#test/helpers/grantCheck.ts';
import { DropFolderReportStore } from '#sandbox/dropFolder.ts';
import { fixedClock } from '#shared/clock.ts';
import type { CirculationEvent } from '#shared/events/contract.ts';
import type { CirculationPublisher, PublishResult } from '#shared/ilsBridge/circulationPublisher.ts';
import { ReportBridge } from '#shared/ilsBridge/reportBridge.ts';
import { stableEventId } from '#shared/ilsBridge/reportEvents.ts';
import { DynamoLoanSnapshotStore } from '#shared/ilsBridge/snapshotStore.ts';
import { logger, metrics } from '#shared/observability.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { freshTable, scanAll } from '#test/helpers/localAws.ts';
import { captureLogs } from '#test/helpers/captureLogs.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { testConfig } from '#test/helpers/factories.ts';

const FEED = 'koha-current-loans';
const HEADER = 'issue_id,borrowernumber,itemnumber,title,itype,branchcode,issuedate,date_due,lastreneweddate';
const loan = (id: number, due = '2026-11-18 23:59:00', renewed = '') =>
  `${id},${500 + id},${7000 + id},Title ${id},BK,RPL,2026-11-01 10:00:00,${due},${renewed}`;

class RecordingPublisher implements CirculationPublisher {
  public readonly published: CirculationEvent[] = [];
  public failNext = 0;
  public async publish(events: readonly CirculationEvent[]): Promise<PublishResult[]> {
    return events.map((event) => {
      if (this.failNext > 0) {
        this.failNext--;
        return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
      }
      this.published.push(event);
      return { EventId: `bus-${event.detail.eventId}` };
    });
  }
  public take(): [string, string][] {
    const taken = this.published
      .splice(0)
      .map((event): [string, string] => [event.detailType, 'loanId' in event.detail ? String(event.detail.loanId) : '']);
    return taken.sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]));
  }
}

describe('Class: ReportBridge (current loans)', () => {
  let folder: string;
  let store: DropFolderReportStore;
  let table: TableContext;
  let publisher: RecordingPublisher;
  let bridge: ReportBridge;
  const clock = fixedClock('2026-11-04T15:00:00Z');
  const refusals: Refusal[] = [];
  afterAll(() => {
    expect(refusals, 'DynamoDB requests the ILS-reports manifest does not grant').toEqual([]);
  });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'bookdrop-drop-'));
    store = new DropFolderReportStore(folder);
    copyFileSync(new URL('../../config/ils-mappings/koha-current-loans.json', import.meta.url), join(folder, 'mappings', `${FEED}.json`));
    table = await freshTable();
    publisher = new RecordingPublisher();
    bridge = new ReportBridge({
      store,
      // As the ILS-reports function may use the table (its manifest's grants).
      snapshots: new DynamoLoanSnapshotStore(
        grantCheckedTable(table, inject('dynamoEndpoint'), ilsReportsManifest, refusals),
        testConfig.retention.openLoanDays,
      ),
      publisher,
      clock,
      source: 'library.circulation',
      logger,
      metrics,
    });
  });

  /** Drops a snapshot taken at `stamp` (yyyyMMddTHHmmss, library time) and processes it. */
  const drop = async (stamp: string, lines: string[]) => {
    const key = `incoming/${FEED}/current-loans-${stamp}.csv`;
    mkdirSync(join(folder, 'incoming', FEED), { recursive: true });
    writeFileSync(join(folder, key), [HEADER, ...lines].join('\n'));
    const outcome = await bridge.process(key);
    return { outcome, key, left: existsSync(join(folder, key)) };
  };
  const snapshot = async () =>
    (await scanAll(table))
      .filter((item) => item.kind === 'ils-snapshot-loan')
      .map((item) => [item.loanId, item.patronId, item.dueAt])
      .sort();

  it('a first snapshot checks out every loan; the next one gives checkouts, renewals and returns, and leaves the rest alone', async () => {
    const first = await drop('20261104T080000', [loan(1), loan(2), loan(3)]);
    const firstEvents = publisher.take();
    const second = await drop('20261104T090000', [loan(1), loan(2, '2026-12-02 23:59:00', '2026-11-04 08:30:00'), loan(4)]);
    const published = [...publisher.published];

    expect(first.outcome).toEqual({
      status: 'processed',
      events: 3,
      issues: [],
      counts: { checkouts: 3, renewals: 0, returns: 0, unchanged: 0 },
    });
    expect(first.left).toBe(false);
    expect(firstEvents).toEqual([
      ['ItemCheckedOut', '1'],
      ['ItemCheckedOut', '2'],
      ['ItemCheckedOut', '3'],
    ]);
    expect(second.outcome.counts).toEqual({ checkouts: 1, renewals: 1, returns: 1, unchanged: 1 });
    expect(publisher.take()).toEqual([
      ['LoanRenewed', '2'],
      ['ItemReturned', '3'],
      ['ItemCheckedOut', '4'],
    ]);
    expect(published.find((event) => event.detailType === 'LoanRenewed')?.detail).toEqual({
      eventId: stableEventId(FEED, 'renewal', '2', '2026-12-03T04:59:00.000Z'),
      occurredAt: '2026-11-04T13:30:00.000Z',
      loanId: '2',
      patronId: '502',
      dueAt: '2026-12-03T04:59:00.000Z',
    });
    expect(published.find((event) => event.detailType === 'ItemReturned')?.detail).toEqual({
      eventId: stableEventId(FEED, 'return', '3'),
      occurredAt: '2026-11-04T14:00:00.000Z',
      loanId: '3',
      patronId: '503',
    });
    // The snapshot keeps only id, patron and due date of open loans, with the loan fallback expiry.
    expect(await snapshot()).toEqual([
      ['1', '501', '2026-11-19T04:59:00.000Z'],
      ['2', '502', '2026-12-03T04:59:00.000Z'],
      ['4', '504', '2026-11-19T04:59:00.000Z'],
    ]);
    const item = (await scanAll(table)).find((i) => i.kind === 'ils-snapshot-loan' && i.loanId === '1')!;
    expect(Object.keys(item).sort()).toEqual(['dueAt', TABLE.ttlAttribute, 'kind', 'loanId', 'patronId', 'pk', 'sk'].sort());
    expect(testConfig.retention.openLoanDays).toBe(365);
    expect(item[TABLE.ttlAttribute]).toBe(Date.parse('2026-11-19T04:59:00.000Z') / 1000 + 365 * 86_400);
  });

  it('an unchanged snapshot, a re-dropped file and an older file that arrives late change nothing', async () => {
    const unchanged = await drop('20261104T100000', [loan(1), loan(2, '2026-12-02 23:59:00', '2026-11-04 08:30:00'), loan(4)]);
    const redropped = await drop('20261104T100000', [loan(1), loan(2, '2026-12-02 23:59:00', '2026-11-04 08:30:00'), loan(4)]);
    // Taken at 07:00, before the 08:00 snapshot: it still lists loan 3, which was since returned.
    const late = await drop('20261104T070000', [loan(1), loan(3)]);

    expect(unchanged.outcome).toEqual({
      status: 'processed',
      events: 0,
      issues: [],
      counts: { checkouts: 0, renewals: 0, returns: 0, unchanged: 3 },
    });
    expect(redropped.outcome).toEqual({ status: 'superseded', events: 0, issues: [] });
    expect(late.outcome).toEqual({ status: 'superseded', events: 0, issues: [] });
    expect([redropped.left, late.left]).toEqual([false, false]);
    expect(publisher.take()).toEqual([]);
    expect((await snapshot()).map(([id]) => id)).toEqual(['1', '2', '4']);
  });

  it('gives the same event ids when the same change is seen again after a lost snapshot write', async () => {
    const ids = (events: CirculationEvent[]) => events.map((event) => event.detail.eventId).sort();
    const other = new ReportBridge({
      store,
      snapshots: new DynamoLoanSnapshotStore(await freshTable(), testConfig.retention.openLoanDays),
      publisher,
      clock,
      source: 'library.circulation',
      logger,
      metrics,
    });
    const key = `incoming/${FEED}/current-loans-20261104T110000.csv`;
    writeFileSync(join(folder, key), [HEADER, loan(1), loan(4)].join('\n'));
    await other.process(key);
    const once = ids(publisher.published.splice(0));
    writeFileSync(join(folder, key), [HEADER, loan(1), loan(4)].join('\n'));
    const fresh = new ReportBridge({
      store,
      snapshots: new DynamoLoanSnapshotStore(await freshTable(), testConfig.retention.openLoanDays),
      publisher,
      clock,
      source: 'library.circulation',
      logger,
      metrics,
    });
    await fresh.process(key);

    expect(ids(publisher.published.splice(0))).toEqual(once);
    expect(once).toEqual([stableEventId(FEED, 'checkout', '1'), stableEventId(FEED, 'checkout', '4')].sort());
  });

  it('rejects a bad file whole: nothing published, snapshot unchanged, a rejection report without values, re-droppable', async () => {
    const before = await snapshot();
    const logs = captureLogs();
    const bad = await drop('20261104T120000', [
      loan(1),
      loan(4),
      '5,505,7005,Secret Title,BK,RPL,yesterday,2026-11-18 23:59:00,',
      loan(1),
    ]).finally(() => logs.restore());
    const report = JSON.parse(readFileSync(join(folder, 'rejections', FEED, 'current-loans-20261104T120000.json'), 'utf-8'));

    expect(bad.outcome.status).toBe('rejected');
    expect(bad.left).toBe(false);
    expect(report.issues).toEqual([
      { line: 4, column: 'issuedate', rule: 'must be a date in one of the formats yyyy-MM-dd HH:mm:ss, yyyy-MM-dd' },
    ]);
    expect(JSON.stringify(report)).not.toMatch(/Secret Title|yesterday/);
    expect(logs.text()).toContain('ILS report file rejected: nothing from it was published');
    expect(logs.text()).toContain('line 4, issuedate: must be a date');
    expect(logs.text()).not.toMatch(/Secret Title|yesterday/);
    expect(publisher.take()).toEqual([]);
    expect(await snapshot()).toEqual(before);

    const duplicate = await drop('20261104T120000', [loan(1), loan(4), loan(1)]);
    expect(duplicate.outcome.issues).toEqual([
      { line: 4, column: 'issue_id', rule: 'repeats the loan of line 2: each loan must appear once' },
    ]);
    expect(publisher.take()).toEqual([]);

    const fixed = await drop('20261104T120000', [loan(1), loan(4), loan(5)]);
    expect(fixed.outcome.counts).toEqual({ checkouts: 1, renewals: 0, returns: 1, unchanged: 2 });
    expect(publisher.take()).toEqual([
      ['ItemReturned', '2'],
      ['ItemCheckedOut', '5'],
    ]);
  });

  it('keeps the file and the snapshot when the bus refuses events, and the retry publishes them with the same ids', async () => {
    publisher.failNext = 4;
    const key = `incoming/${FEED}/current-loans-20261104T130000.csv`;
    writeFileSync(join(folder, key), [HEADER, loan(1), loan(4), loan(5), loan(6), loan(7)].join('\n'));

    await expect(bridge.process(key)).rejects.toThrow('EventBridge refused 2 event(s) of a report file; the file is processed again');
    const partial = publisher.take();
    const retried = await bridge.process(key);

    expect(existsSync(join(folder, key))).toBe(false);
    expect(partial).toEqual([]);
    expect(retried.counts).toEqual({ checkouts: 2, renewals: 0, returns: 0, unchanged: 3 });
    expect(publisher.take()).toEqual([
      ['ItemCheckedOut', '6'],
      ['ItemCheckedOut', '7'],
    ]);
  });

  it('rejects a file dropped for a mapping that does not exist, naming the mapping file', async () => {
    mkdirSync(join(folder, 'incoming', 'nowhere'), { recursive: true });
    writeFileSync(join(folder, 'incoming', 'nowhere', 'x.csv'), 'a,b\n1,2\n');

    const outcome = await bridge.process('incoming/nowhere/x.csv');

    expect(outcome).toEqual({
      status: 'rejected',
      events: 0,
      issues: [{ line: 0, column: 'mappings/nowhere.json', rule: 'does not exist: upload the mapping first' }],
    });
  });
});
