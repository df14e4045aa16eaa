/**
 * Turns a report's rows into contract v1 events, each validated exactly as the circulation consumer
 * validates events on the bus. Event ids are stable (a hash of the feed, the event kind and what
 * identifies the change), so a file dropped twice produces the same events, which Bookdrop absorbs.
 *
 * Current-loans snapshots are compared with the previous snapshot: a loan that appears is a
 * checkout, a loan whose due date moved is a renewal, a loan that disappears is a return.
 */
import { createHash } from 'node:crypto';
import { EventValidationError } from '#shared/errors.ts';
import type { CirculationDetailType, CirculationEvent } from '#shared/events/contract.ts';
import { parseCirculationEvent } from '#shared/events/parseEvent.ts';
import { assertNotAhead } from '#shared/events/eventTime.ts';
import type { ReportKind, ReportMapping } from '#shared/ilsBridge/reportMapping.ts';
import type { ReportIssue, ReportRow } from '#shared/ilsBridge/reportRows.ts';

/** What one open loan of the snapshot keeps: no title, no item, no branch. */
export interface SnapshotLoan {
  readonly loanId: string;
  readonly patronId: string;
  readonly dueAt: string;
}

/** Where the events come from: the feed (mapping name), the report's time, the mapping. */
export interface ReportContext {
  readonly feed: string;
  /** When the ILS produced the report (ISO 8601); returns happened by then. */
  readonly asOf: string;
  readonly mapping: ReportMapping;
  /** The circulation `source` events are validated with. */
  readonly source: string;
  /** Bookdrop's time: a patron event dated further ahead than clock skew is an issue of its row (shared/events/eventTime.ts). */
  readonly now: Date;
}

/** A stable event id: the same feed, kind and parts always give the same id (at most 64 characters). */
export function stableEventId(feed: string, kind: string, ...parts: string[]): string {
  const hash = createHash('sha256')
    .update([feed, kind, ...parts].join('\u0000'))
    .digest('base64url');
  return `ils-${hash.slice(0, 43)}`;
}

type Draft = { readonly detailType: CirculationDetailType; readonly detail: Record<string, unknown>; readonly line: number };

const text = (row: ReportRow, field: string) => row.values[field] as string;
const optional = (row: ReportRow, field: string) => (typeof row.values[field] === 'string' ? (row.values[field] as string) : undefined);

/** Row-to-event reports: each row becomes one event. */
const ROW_EVENTS: Record<'holds-ready' | 'fines' | 'patron-changes', (row: ReportRow, context: ReportContext) => Draft> = {
  'holds-ready': (row, { feed }) => ({
    detailType: 'HoldReady',
    line: row.line,
    detail: {
      eventId: stableEventId(feed, 'hold-ready', text(row, 'holdId'), text(row, 'readyAt')),
      occurredAt: text(row, 'readyAt'),
      holdId: text(row, 'holdId'),
      patronId: text(row, 'patronId'),
      title: text(row, 'title'),
      pickupBranch: text(row, 'pickupBranch'),
      pickupBy: text(row, 'pickupBy'),
    },
  }),
  fines: (row, { feed, asOf, mapping }) => {
    const fineId = text(row, 'fineId');
    if (Number(text(row, 'outstanding')) > 0) {
      return {
        detailType: 'FineAssessed',
        line: row.line,
        detail: {
          eventId: stableEventId(feed, 'fine-assessed', fineId),
          occurredAt: text(row, 'assessedAt'),
          fineId,
          patronId: text(row, 'patronId'),
          loanId: optional(row, 'loanId'),
          amount: text(row, 'amount'),
          currency: mapping.constants.currency,
          reason: text(row, 'reason'),
        },
      };
    }
    return {
      detailType: 'FineResolved',
      line: row.line,
      detail: {
        eventId: stableEventId(feed, 'fine-resolved', fineId),
        occurredAt: optional(row, 'resolvedAt') ?? asOf,
        fineId,
        patronId: text(row, 'patronId'),
        resolution: optional(row, 'resolution') ?? 'paid',
      },
    };
  },
  'patron-changes': (row, { feed, mapping }) => {
    const contact: Record<string, string | null> = {};
    const consent: Record<string, boolean> = {};
    if (row.values.phone !== undefined) contact.phone = row.values.phone as string | null;
    if (row.values.email !== undefined) contact.email = row.values.email as string | null;
    if (row.values.smsOptIn !== undefined) consent.sms = row.values.smsOptIn as boolean;
    if (row.values.emailOptIn !== undefined) consent.email = row.values.emailOptIn as boolean;
    const language = optional(row, 'language');
    const initial = row.values.firstName;
    return {
      detailType: 'PatronPreferencesChanged',
      line: row.line,
      detail: {
        eventId: stableEventId(feed, 'patron-changed', text(row, 'patronId'), text(row, 'changedAt')),
        occurredAt: text(row, 'changedAt'),
        patronId: text(row, 'patronId'),
        source: mapping.constants.source,
        changes: {
          ...(Object.keys(contact).length > 0 ? { contact } : {}),
          ...(Object.keys(consent).length > 0 ? { consent } : {}),
          ...(language === undefined ? {} : { language }),
          ...(initial === undefined ? {} : { initial }),
        },
      },
    };
  },
};

/** The mapping field that feeds `occurredAt`, by report kind. */
const OCCURRED_AT_FIELD: Record<ReportKind, string> = {
  'holds-ready': 'readyAt',
  'current-loans': 'checkedOutAt',
  fines: 'assessedAt',
  'patron-changes': 'changedAt',
};

/** Contract field (under `detail.`) to the mapping field that fed it, where the names differ. */
const DETAIL_TO_FIELD: Record<string, string> = {
  'contact.phone': 'phone',
  'contact.email': 'email',
  'consent.sms': 'smsOptIn',
  'consent.email': 'emailOptIn',
  language: 'language',
  initial: 'firstName',
};

/** The outcome of building a report's events. */
export interface BuiltEvents {
  readonly events: CirculationEvent[];
  readonly issues: ReportIssue[];
}

/** Validates drafts with the bus's own parser; an issue names the CSV column that fed the field. */
function validate(drafts: readonly Draft[], context: ReportContext): BuiltEvents {
  const events: CirculationEvent[] = [];
  const issues: ReportIssue[] = [];
  for (const draft of drafts) {
    try {
      const event = parseCirculationEvent({ source: context.source, 'detail-type': draft.detailType, detail: draft.detail });
      assertNotAhead(event, context.now);
      events.push(event);
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      for (const issue of error.issues) {
        const path = issue.field.replace(/^detail\.(changes\.)?/, '');
        const field = context.mapping.columns[path]
          ? path
          : path === 'occurredAt'
            ? OCCURRED_AT_FIELD[context.mapping.report]
            : DETAIL_TO_FIELD[path];
        const column = field === undefined ? undefined : context.mapping.columns[field];
        issues.push({ line: draft.line, column: column ?? issue.field, rule: issue.rule });
      }
    }
  }
  return { events, issues };
}

/** Events of a row-to-event report (holds ready, fines, patron changes). */
export function rowReportEvents(rows: readonly ReportRow[], context: ReportContext): BuiltEvents {
  const kind = context.mapping.report;
  if (kind === 'current-loans') throw new Error('current-loans reports are compared with a snapshot: use loanSnapshotEvents');
  return validate(
    rows.map((row) => ROW_EVENTS[kind](row, context)),
    context,
  );
}

/** The comparison of a loans snapshot with the previous one. */
export interface SnapshotComparison extends BuiltEvents {
  /** Loans to write into the stored snapshot (new or with a new due date). */
  readonly upserts: SnapshotLoan[];
  /** Loans to delete from the stored snapshot (returned). */
  readonly removals: SnapshotLoan[];
  readonly counts: { readonly checkouts: number; readonly renewals: number; readonly returns: number; readonly unchanged: number };
}

/**
 * Compares the current loans with the previous snapshot. Returns happen at the report's time;
 * renewals at the loan's last renewal time when the report has one, else at the report's time.
 */
export function loanSnapshotEvents(
  rows: readonly ReportRow[],
  previous: ReadonlyMap<string, SnapshotLoan>,
  context: ReportContext,
): SnapshotComparison {
  const { feed, asOf, mapping } = context;
  const drafts: Draft[] = [];
  const upserts: SnapshotLoan[] = [];
  const seen = new Map<string, number>();
  const duplicateIssues: ReportIssue[] = [];
  let unchanged = 0;
  let renewals = 0;
  for (const row of rows) {
    const loanId = text(row, 'loanId');
    const firstLine = seen.get(loanId);
    if (firstLine !== undefined) {
      duplicateIssues.push({
        line: row.line,
        column: mapping.columns.loanId,
        rule: `repeats the loan of line ${firstLine}: each loan must appear once`,
      });
      continue;
    }
    seen.set(loanId, row.line);
    const current: SnapshotLoan = { loanId, patronId: text(row, 'patronId'), dueAt: text(row, 'dueAt') };
    const before = previous.get(loanId);
    if (!before) {
      upserts.push(current);
      drafts.push({
        detailType: 'ItemCheckedOut',
        line: row.line,
        detail: {
          eventId: stableEventId(feed, 'checkout', loanId),
          occurredAt: text(row, 'checkedOutAt'),
          loanId,
          patronId: current.patronId,
          itemId: text(row, 'itemId'),
          title: text(row, 'title'),
          materialType: optional(row, 'materialType'),
          branch: text(row, 'branch'),
          dueAt: current.dueAt,
        },
      });
    } else if (Date.parse(before.dueAt) !== Date.parse(current.dueAt)) {
      renewals++;
      upserts.push(current);
      drafts.push({
        detailType: 'LoanRenewed',
        line: row.line,
        detail: {
          eventId: stableEventId(feed, 'renewal', loanId, new Date(current.dueAt).toISOString()),
          occurredAt: optional(row, 'renewedAt') ?? asOf,
          loanId,
          patronId: current.patronId,
          dueAt: current.dueAt,
        },
      });
    } else unchanged++;
  }
  const removals = [...previous.values()].filter((loan) => !seen.has(loan.loanId));
  for (const loan of removals) {
    drafts.push({
      detailType: 'ItemReturned',
      line: 0,
      detail: { eventId: stableEventId(feed, 'return', loan.loanId), occurredAt: asOf, loanId: loan.loanId, patronId: loan.patronId },
    });
  }
  const built = validate(drafts, context);
  return {
    events: built.events,
    issues: [...duplicateIssues, ...built.issues],
    upserts,
    removals,
    counts: { checkouts: upserts.length - renewals, renewals, returns: removals.length, unchanged },
  };
}
