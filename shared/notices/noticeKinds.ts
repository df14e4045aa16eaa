/**
 * The notice-kind registry: every kind Bookdrop sends, one module each under `kinds/`, listed once in
 * {@link NOTICE_KIND_REGISTRY}. The request schema (a discriminated union over `kind`), the channel
 * table and the quiet-hours table derive from it. Also the notice key that makes each notice go out
 * at most once per (patron, kind, subject, version, channel).
 */
import * as z from 'zod/mini';
import { dueSoon } from '#shared/notices/kinds/dueSoon.ts';
import { fineAssessed } from '#shared/notices/kinds/fineAssessed.ts';
import { holdExpiring } from '#shared/notices/kinds/holdExpiring.ts';
import { holdReady } from '#shared/notices/kinds/holdReady.ts';
import { overdue } from '#shared/notices/kinds/overdue.ts';
import { policyUpdate } from '#shared/notices/kinds/policyUpdate.ts';
import { serviceUpdate } from '#shared/notices/kinds/serviceUpdate.ts';
import { renewalReply } from '#shared/notices/kinds/renewalReply.ts';
import { smsOptIn } from '#shared/notices/kinds/smsOptIn.ts';
import type { EmailTemplate, QuietHoursRule, RequestOf, SmsTemplate, Templates } from '#shared/notices/kinds/defineNoticeKind.ts';
import type { Channel } from '#shared/patrons/patronProfile.ts';
import type { EmailHeader } from '#shared/notices/emailFooter.ts';

/** Every notice kind. Adding one: its module under `kinds/`, one line here, its tests. */
export const NOTICE_KIND_REGISTRY = [
  holdReady,
  holdExpiring,
  dueSoon,
  overdue,
  fineAssessed,
  serviceUpdate,
  policyUpdate,
  smsOptIn,
  renewalReply,
] as const;

type Registry = typeof NOTICE_KIND_REGISTRY;
export type NoticeKind = Registry[number]['kind'];

/** The kinds, in registry order. */
export const NOTICE_KINDS: readonly NoticeKind[] = NOTICE_KIND_REGISTRY.map((definition) => definition.kind);

/** The request schema of each registered kind, as a tuple (a generic mapped type keeps tuples tuples). */
type RequestSchemasOf<T extends readonly unknown[]> = { readonly [I in keyof T]: T[I] extends { request: infer R } ? R : never };
type RequestSchemas = RequestSchemasOf<Registry>;

/**
 * A request to notify one patron (the notifier queue's message): one shape per kind, told apart by
 * `kind`. It carries ids only (patron, subject, a digest's loans, the notice key's parts): the
 * notifier reads titles, dates and amounts from the table when it sends.
 */
export const noticeRequestSchema = z.discriminatedUnion(
  'kind',
  NOTICE_KIND_REGISTRY.map((definition) => definition.request) as unknown as RequestSchemas,
);
export type NoticeRequest = z.infer<typeof noticeRequestSchema>;
/** The request of one kind. */
export type NoticeRequestOf<K extends NoticeKind> = Extract<NoticeRequest, { kind: K }>;

/** What the templates of each registered kind see: the request with the kind's payload, read at send time. */
type ComposablesOf<T extends readonly unknown[]> = {
  readonly [I in keyof T]: T[I] extends { kind: infer K extends string; payload: infer P extends z.core.$ZodShape }
    ? RequestOf<K, P>
    : never;
};
/** A notice request with what its templates need (titles, dates, amounts), as the notifier composes it. */
export type ComposableNotice = ComposablesOf<Registry>[number];
/** The composable notice of one kind. */
export type ComposableNoticeOf<K extends NoticeKind> = Extract<ComposableNotice, { kind: K }>;
/** The payload of one kind: what the notifier reads from the table for it. */
export type NoticePayloadOf<K extends NoticeKind> = Omit<ComposableNoticeOf<K>, keyof NoticeRequest>;

/** The channels each kind goes out on (when opted in), from the registry. */
export const NOTICE_CHANNELS: Readonly<Record<NoticeKind, readonly Channel[]>> = Object.fromEntries(
  NOTICE_KIND_REGISTRY.map((definition) => [definition.kind, definition.channels]),
) as unknown as Record<NoticeKind, readonly Channel[]>;

/** Each kind's quiet-hours rule, from the registry. */
export const QUIET_HOURS_RULES: Readonly<Record<NoticeKind, QuietHoursRule>> = Object.fromEntries(
  NOTICE_KIND_REGISTRY.map((definition) => [definition.kind, definition.quietHours]),
) as unknown as Record<NoticeKind, QuietHoursRule>;

/** What the composer needs of a kind, for any request (the registry pairs each kind with its own templates). */
export interface NoticeTemplates {
  readonly sms: Templates<ComposableNotice, SmsTemplate>;
  readonly email?: Templates<ComposableNotice, EmailTemplate> | undefined;
}

const TEMPLATES = Object.fromEntries(NOTICE_KIND_REGISTRY.map((definition) => [definition.kind, definition])) as unknown as Record<
  NoticeKind,
  NoticeTemplates
>;

/** The templates of a request's kind. */
export function templatesOf(request: Pick<NoticeRequest, 'kind'>): NoticeTemplates {
  return TEMPLATES[request.kind];
}

/** What a notice says, per channel (`email` absent for SMS-only kinds). */
export interface NoticeContent {
  readonly sms: string;
  readonly email?: { readonly subject: string; readonly text: string; readonly html: string; readonly headers: readonly EmailHeader[] };
}

/** The dedupe key of one notice on one channel, within its patron's records. */
export function noticeKey(request: Pick<NoticeRequest, 'kind' | 'subjectId' | 'subjectVersion'>, channel: Channel): string {
  return [request.kind, request.subjectId, request.subjectVersion, channel].join('#');
}

/**
 * One page of a fan-out (service and policy updates): the notifier turns it into a notice request
 * per opted-in patron of the page and queues the next page, so no invocation loops over everyone and
 * a failed page is retried alone (notice keys make a retried page send nothing twice).
 */
const fanOutCommon = {
  /** Only this member library's patrons; all when absent. */
  library: z.optional(z.string()),
  subjectId: z.string(),
  subjectVersion: z.string(),
  causationId: z.string(),
  shard: z.int(),
  /** Where the previous page stopped (the audience index's cursor: opaque). */
  cursor: z.optional(z.string()),
};

export const fanOutPageSchema = z.object({
  fanOut: z.discriminatedUnion('kind', [
    z.object({ ...fanOutCommon, kind: z.literal(serviceUpdate.kind), ...serviceUpdate.payload }),
    z.object({ ...fanOutCommon, kind: z.literal(policyUpdate.kind), ...policyUpdate.payload }),
  ]),
});
export type FanOutPage = z.infer<typeof fanOutPageSchema>['fanOut'];

/** A message of the notifier queue: a notice request, or a page of a paged job. */
export type NotifierMessage =
  | NoticeRequest
  | { fanOut: FanOutPage }
  | { sweepStart: { day?: string | undefined } }
  | { sweep: import('#shared/sweep/sweep.ts').SweepPage };

export function isNoticeRequest(message: NotifierMessage): message is NoticeRequest {
  return 'type' in message && message.type === 'notice';
}
