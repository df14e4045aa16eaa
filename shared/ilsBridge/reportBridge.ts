/**
 * The report-file bridge: an ILS's scheduled CSV report, dropped as `incoming/<mapping>/<file>.csv`,
 * becomes contract v1 events on the bus. The mapping `mappings/<mapping>.json` says what the report is
 * and how to read it.
 *
 * A file is processed completely or not at all: every row is read and every event validated before
 * anything is published; a file with any issue is rejected whole, with a rejection report (line,
 * column, rule, never a value) beside it, and can be dropped again once fixed. Events are published
 * before the loans snapshot moves on, and their ids are stable, so a run that fails half-way is
 * simply run again. The processed file is deleted.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Clock } from '#shared/clock.ts';
import { ConcurrentUpdateError, RetryableDeliveryError } from '#shared/errors.ts';
import type { CirculationEvent } from '#shared/events/contract.ts';
import type { BookdropLogger, BookdropMetrics } from '#shared/observability.ts';
import type { CirculationPublisher } from '#shared/ilsBridge/circulationPublisher.ts';
import { parseReportMapping, type ReportMapping } from '#shared/ilsBridge/reportMapping.ts';
import { loanSnapshotEvents, rowReportEvents, type ReportContext } from '#shared/ilsBridge/reportEvents.ts';
import { readReportRows, type ReportIssue } from '#shared/ilsBridge/reportRows.ts';
import { parseReportDate } from '#shared/ilsBridge/reportValues.ts';
import type { LoanSnapshotStore } from '#shared/ilsBridge/snapshotStore.ts';

/** Where report files are dropped, per mapping. */
export const INCOMING_PREFIX = 'incoming/';
/** Where mapping files live. */
export const MAPPINGS_PREFIX = 'mappings/';
/** Where rejection reports are written. */
export const REJECTIONS_PREFIX = 'rejections/';

/** A dropped report file. */
export interface ReportFile {
  readonly text: string;
  /** When the file was dropped (S3 LastModified, the file's mtime). */
  readonly droppedAt: Date;
}

/** What a rejected file gets instead of being processed. Holds no value from the file. */
export interface RejectionReport {
  readonly file: string;
  readonly mapping: string;
  readonly rejectedAt: string;
  readonly issues: readonly ReportIssue[];
}

/** Where report files, mappings and rejection reports live: an S3 bucket, or a local drop folder. */
export interface ReportStore {
  /** The file, or undefined if it is gone (an earlier delivery processed it). */
  read(key: string): Promise<ReportFile | undefined>;
  /** The mapping's parsed JSON, undefined if there is none; throws a SyntaxError for bad JSON. */
  mapping(name: string): Promise<unknown>;
  remove(key: string): Promise<void>;
  reject(report: RejectionReport): Promise<void>;
}

/** The outcome of one file. */
export interface ReportOutcome {
  readonly status: 'processed' | 'rejected' | 'superseded' | 'absent';
  readonly events: number;
  readonly issues: readonly ReportIssue[];
  readonly counts?: Readonly<Record<string, number>>;
}

export interface ReportBridgeDeps {
  readonly store: ReportStore;
  readonly snapshots: LoanSnapshotStore;
  readonly publisher: CirculationPublisher;
  readonly clock: Clock;
  readonly source: string;
  readonly logger: BookdropLogger;
  readonly metrics: BookdropMetrics;
}

/** Longest a run may hold a feed's lease (longer than the function's 15-minute timeout). */
const LEASE_MS = 20 * 60 * 1000;
const REPORT_TIME_IN_NAME = /(\d{4})-?(\d{2})-?(\d{2})[T_ -]?(\d{2})[:.-]?(\d{2})(?:[:.-]?(\d{2}))?/;

/** `incoming/<mapping>/<file>` to its mapping name, or undefined for any other key. */
export function mappingNameOf(key: string): string | undefined {
  const match = /^incoming\/([A-Za-z0-9._-]{1,100})\/[^/]+$/.exec(key);
  return match?.[1];
}

export class ReportBridge {
  public constructor(private readonly deps: ReportBridgeDeps) {}

  public async process(key: string): Promise<ReportOutcome> {
    const name = mappingNameOf(key);
    if (!name) return this.reject(key, '-', [{ line: 0, rule: 'the file must be dropped as incoming/<mapping>/<file>.csv' }]);
    const file = await this.deps.store.read(key);
    if (!file) return { status: 'absent', events: 0, issues: [] };
    const mapping = await this.loadMapping(name);
    if ('issues' in mapping) return this.reject(key, name, mapping.issues);
    const context: ReportContext = {
      feed: name,
      asOf: reportTime(key, file.droppedAt, mapping).toISOString(),
      mapping,
      source: this.deps.source,
      now: this.deps.clock.now(),
    };

    const { rows, issues } = readReportRows(file.text, mapping);
    if (issues.length > 0) return this.reject(key, name, issues);
    if (mapping.report !== 'current-loans') {
      const built = rowReportEvents(rows, context);
      if (built.issues.length > 0) return this.reject(key, name, built.issues);
      await this.publish(built.events, name);
      return this.done(key, name, { status: 'processed', events: built.events.length, issues: [] });
    }

    const { snapshots, clock } = this.deps;
    const now = clock.now();
    if (!(await snapshots.lease(name, now, new Date(now.getTime() + LEASE_MS)))) {
      // Another run is comparing a file of the same feed: the queue delivers this one again later.
      throw new ConcurrentUpdateError('another file of this feed is being processed', { context: { feed: name } });
    }
    try {
      const stored = await snapshots.asOf(name);
      if (stored !== undefined && Date.parse(stored) >= Date.parse(context.asOf)) {
        // An older (or the same) snapshot than the one already applied: it has nothing new to say.
        this.deps.metrics.addMetric('ils-report-superseded', MetricUnit.Count, 1);
        return await this.done(key, name, { status: 'superseded', events: 0, issues: [] });
      }
      const comparison = loanSnapshotEvents(rows, await snapshots.loans(name, now), context);
      if (comparison.issues.length > 0) return await this.reject(key, name, comparison.issues);
      await this.publish(comparison.events, name);
      await snapshots.save(name, context.asOf, comparison.upserts, comparison.removals);
      return await this.done(key, name, { status: 'processed', events: comparison.events.length, issues: [], counts: comparison.counts });
    } finally {
      await snapshots.release(name);
    }
  }

  private async loadMapping(name: string): Promise<ReportMapping | { issues: ReportIssue[] }> {
    let raw: unknown;
    try {
      raw = await this.deps.store.mapping(name);
    } catch (error) {
      if (error instanceof SyntaxError)
        return { issues: [{ line: 0, column: `${MAPPINGS_PREFIX}${name}.json`, rule: 'is not valid JSON' }] };
      throw error;
    }
    if (raw === undefined)
      return { issues: [{ line: 0, column: `${MAPPINGS_PREFIX}${name}.json`, rule: 'does not exist: upload the mapping first' }] };
    const parsed = parseReportMapping(raw);
    return parsed.ok ? parsed.mapping : { issues: parsed.issues.map((issue) => ({ line: 0, column: issue.field, rule: issue.rule })) };
  }

  /** Publishes every event; entries the bus refused are retried once, then the run fails (and is retried). */
  private async publish(events: readonly CirculationEvent[], feed: string): Promise<void> {
    let pending = events;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 2) {
        throw new RetryableDeliveryError(`EventBridge refused ${pending.length} event(s) of a report file; the file is processed again`, {
          context: { feed },
        });
      }
      const results = await this.deps.publisher.publish(pending);
      pending = pending.filter((_, index) => results[index] === undefined || 'ErrorCode' in results[index]);
    }
  }

  private async reject(key: string, mapping: string, issues: readonly ReportIssue[]): Promise<ReportOutcome> {
    const { store, clock, logger, metrics } = this.deps;
    await store.reject({ file: key, mapping, rejectedAt: clock.now().toISOString(), issues });
    await store.remove(key);
    metrics.addMetric('ils-report-rejected', MetricUnit.Count, 1);
    logger.error('ILS report file rejected: nothing from it was published', {
      file: key,
      mapping,
      issueCount: issues.length,
      firstIssues: issues.slice(0, 5).map((issue) => `line ${issue.line}${issue.column ? `, ${issue.column}` : ''}: ${issue.rule}`),
    });
    return { status: 'rejected', events: 0, issues };
  }

  private async done(key: string, mapping: string, outcome: ReportOutcome): Promise<ReportOutcome> {
    await this.deps.store.remove(key);
    this.deps.metrics.addMetric('ils-report-events', MetricUnit.Count, outcome.events);
    this.deps.logger.info('ILS report file processed', {
      file: key,
      mapping,
      status: outcome.status,
      events: outcome.events,
      ...outcome.counts,
    });
    return outcome;
  }
}

/** The report's time: a date-time in the file name (report time zone), else when it was dropped. */
export function reportTime(key: string, droppedAt: Date, mapping: ReportMapping): Date {
  const fileName = key.slice(key.lastIndexOf('/') + 1);
  const match = REPORT_TIME_IN_NAME.exec(fileName);
  if (!match) return droppedAt;
  const [, year, month, day, hour, minute, second] = match;
  const parsed = parseReportDate(
    `${year}-${month}-${day} ${hour}:${minute}:${second ?? '00'}`,
    ['yyyy-MM-dd HH:mm:ss'],
    mapping.timeZone,
    '00:00',
  );
  return parsed.ok ? new Date(parsed.value) : droppedAt;
}
