/**
 * The mapping file of one ILS report: which report it is, which CSV column holds each field, how
 * dates are written and in which time zone, and optional value translations (e.g. ILS branch codes
 * to Bookdrop branch ids). One JSON file per report; see `config/ils-mappings/`.
 *
 * The fields each report kind needs are a typed map: a kind without its fields is a type error.
 */
import * as z from 'zod/mini';
import { describeIssues } from '#shared/events/issues.ts';
import type { FieldIssue } from '#shared/errors.ts';
import { ISO_FORMAT, compileDateFormat } from '#shared/ilsBridge/reportValues.ts';

/** How a field's cell is read. */
export type FieldType = 'id' | 'text' | 'date' | 'amount' | 'flag' | 'phone' | 'email' | 'initial';

interface FieldSpec {
  readonly type: FieldType;
  readonly required: boolean;
}

const need = (type: FieldType): FieldSpec => ({ type, required: true });
const may = (type: FieldType): FieldSpec => ({ type, required: false });

/** Every report kind and its fields. */
export const REPORT_FIELDS = {
  /** Holds waiting on the shelf: each row becomes a `HoldReady`. */
  'holds-ready': {
    holdId: need('id'),
    patronId: need('id'),
    title: need('text'),
    pickupBranch: need('id'),
    pickupBy: need('date'),
    readyAt: need('date'),
  },
  /** Every open loan now: compared with the previous snapshot (checkouts, renewals, returns). */
  'current-loans': {
    loanId: need('id'),
    patronId: need('id'),
    itemId: need('id'),
    title: need('text'),
    branch: need('id'),
    dueAt: need('date'),
    checkedOutAt: need('date'),
    materialType: may('text'),
    renewedAt: may('date'),
  },
  /** Fines assessed or settled: outstanding ones become `FineAssessed`, settled ones `FineResolved`. */
  fines: {
    fineId: need('id'),
    patronId: need('id'),
    amount: need('amount'),
    outstanding: need('amount'),
    reason: need('text'),
    assessedAt: need('date'),
    loanId: may('id'),
    resolution: may('text'),
    resolvedAt: may('date'),
  },
  /** Patrons whose contacts or notice choices changed: each row becomes a `PatronPreferencesChanged`. */
  'patron-changes': {
    patronId: need('id'),
    changedAt: need('date'),
    phone: may('phone'),
    email: may('email'),
    smsOptIn: may('flag'),
    emailOptIn: may('flag'),
    language: may('text'),
    /** A first name, or its first letter: only the initial becomes the event's (the name is never sent on). */
    firstName: may('initial'),
  },
} as const satisfies Record<string, Record<string, FieldSpec>>;

export type ReportKind = keyof typeof REPORT_FIELDS;
export type ReportField<K extends ReportKind> = keyof (typeof REPORT_FIELDS)[K] & string;
export const REPORT_KINDS = Object.keys(REPORT_FIELDS) as ReportKind[];

const name = z
  .string()
  .check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(200, { error: 'must be at most 200 characters' }));

const mappingSchema = z.object({
  report: z.enum(REPORT_KINDS as [ReportKind, ...ReportKind[]], { error: `must be one of ${REPORT_KINDS.join(', ')}` }),
  description: z.optional(z.string()),
  /** IANA time zone the report's dates and times are written in. */
  timeZone: name,
  /** Formats tried in order, e.g. `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd`, `M/d/yyyy`, or `ISO`. @default ['ISO'] */
  dateFormats: z.optional(z.array(name).check(z.minLength(1, { error: 'must list at least one format' }))),
  /** Time of day (HH:MM, report time zone) given to a date without a time. @default 23:59 */
  dateOnlyTime: z.optional(z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be HH:MM' }))),
  /** CSV field delimiter. @default , */
  delimiter: z.optional(z.string().check(z.length(1, { error: 'must be one character' }))),
  /** Field name to CSV column header. */
  columns: z.record(z.string(), name),
  /** Per field, ILS value to Bookdrop value (e.g. branch codes, fine resolutions, languages). */
  values: z.optional(z.record(z.string(), z.record(z.string(), z.string()))),
  /** Values for fields with no column: `currency` (fines), `source` (patron changes), `phoneCountry`. */
  constants: z.optional(
    z.object({
      currency: z.optional(z.string().check(z.regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as USD' }))),
      source: z.optional(z.enum(['catalog', 'staff'], { error: 'must be "catalog" or "staff"' })),
      phoneCountry: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166 country code such as US' }))),
    }),
  ),
});

/** A validated mapping. */
export interface ReportMapping {
  readonly report: ReportKind;
  readonly timeZone: string;
  readonly dateFormats: readonly string[];
  readonly dateOnlyTime: string;
  readonly delimiter: string;
  readonly columns: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly constants: { readonly currency: string; readonly source: 'catalog' | 'staff'; readonly phoneCountry: string };
}

/** The mapping, or the issues that make it unusable (paths from `mapping.`). */
export function parseReportMapping(input: unknown): { ok: true; mapping: ReportMapping } | { ok: false; issues: FieldIssue[] } {
  const result = mappingSchema.safeParse(input);
  if (!result.success) return { ok: false, issues: describeIssues(result.error.issues, 'mapping') };
  const raw = result.data;
  const issues: FieldIssue[] = [];
  try {
    new Intl.DateTimeFormat('en', { timeZone: raw.timeZone });
  } catch {
    issues.push({ field: 'mapping.timeZone', rule: 'must be an IANA time zone such as America/New_York' });
  }
  const dateFormats = raw.dateFormats ?? [ISO_FORMAT];
  dateFormats.forEach((format, index) => {
    if (format === ISO_FORMAT) return;
    try {
      compileDateFormat(format);
    } catch {
      issues.push({ field: `mapping.dateFormats.${index}`, rule: 'needs yyyy, M or MM, and d or dd (tokens: yyyy MM M dd d HH H mm ss)' });
    }
  });
  const fields = REPORT_FIELDS[raw.report] as Record<string, FieldSpec>;
  for (const [field, spec] of Object.entries(fields)) {
    if (spec.required && raw.columns[field] === undefined)
      issues.push({ field: `mapping.columns.${field}`, rule: `is required for a ${raw.report} report` });
  }
  for (const field of Object.keys(raw.columns)) {
    if (!Object.hasOwn(fields, field)) issues.push({ field: `mapping.columns.${field}`, rule: `is not a field of a ${raw.report} report` });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    mapping: {
      report: raw.report,
      timeZone: raw.timeZone,
      dateFormats,
      dateOnlyTime: raw.dateOnlyTime ?? '23:59',
      delimiter: raw.delimiter ?? ',',
      columns: raw.columns,
      values: raw.values ?? {},
      constants: {
        currency: raw.constants?.currency ?? 'USD',
        source: raw.constants?.source ?? 'staff',
        phoneCountry: raw.constants?.phoneCountry ?? 'US',
      },
    },
  };
}

/** The spec of one field of a kind (undefined if the kind has no such field). */
export function fieldSpec(kind: ReportKind, field: string): FieldSpec | undefined {
  return (REPORT_FIELDS[kind] as Record<string, FieldSpec>)[field];
}
