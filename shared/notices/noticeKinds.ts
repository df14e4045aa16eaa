/**
 * Notice kinds, notice requests (the notifier queue's messages) and the notice key that makes each
 * notice go out at most once per (patron, kind, subject, version, channel).
 */
import * as z from 'zod/mini';
import type { Channel } from '#shared/patrons/patronProfile.ts';

/** The notice kinds the notifier composes today; DESIGN.md section 7 lists the rest to come. */
export const NOTICE_KINDS = [
  'hold-ready',
  'hold-expiring',
  'due-soon',
  'overdue',
  'fine-assessed',
  'service-update',
  'policy-update',
  'sms-opt-in',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** The channels each kind goes out on (when opted in). SMS replies and confirmations are SMS only. */
export const NOTICE_CHANNELS: Record<NoticeKind, readonly Channel[]> = {
  'hold-ready': ['sms', 'email'],
  'hold-expiring': ['sms', 'email'],
  'due-soon': ['sms', 'email'],
  'overdue': ['sms', 'email'],
  'fine-assessed': ['sms', 'email'],
  'service-update': ['sms', 'email'],
  'policy-update': ['sms', 'email'],
  'sms-opt-in': ['sms'],
};

/** What a notice says, per channel (`email` absent for SMS-only kinds). */
export interface NoticeContent {
  readonly sms: string;
  readonly email?: { readonly subject: string; readonly text: string; readonly html: string };
}

/** A request to notify one patron; the message body of the notifier queue. */
export const noticeRequestSchema = z.object({
  kind: z.enum(NOTICE_KINDS),
  patronId: z.string().check(z.minLength(1)),
  /** What the notice is about (hold id, loan id, fine id, ...). */
  subjectId: z.string().check(z.minLength(1)),
  /** Distinguishes notices about the same subject, e.g. a new due date after renewal. */
  subjectVersion: z.string().check(z.minLength(1)),
  /** The `eventId` (or sweep id) the request came from, for tracing. */
  causationId: z.string(),
  /** hold-ready, hold-expiring */
  hold: z.optional(z.object({ title: z.string(), pickupBranch: z.string(), pickupBy: z.string() })),
  /** due-soon, overdue: every item of the patron due that day (one notice, a digest). */
  items: z.optional(z.array(z.object({ loanId: z.string(), title: z.string(), dueAt: z.string() })).check(z.minLength(1))),
  /** fine-assessed */
  fine: z.optional(z.object({ amount: z.string(), currency: z.string(), reason: z.string() })),
  /** service-update */
  message: z.optional(z.object({ en: z.string(), es: z.optional(z.string()) })),
  /** policy-update */
  policy: z.optional(z.object({ policyVersion: z.string(), summary: z.object({ en: z.string(), es: z.optional(z.string()) }) })),
  /** Only these channels (an SMS that waited for the end of quiet hours). */
  channels: z.optional(z.array(z.enum(['sms', 'email']))),
  /** Not before this time: the request goes back to the queue until then. */
  notBefore: z.optional(z.string()),
});
export type NoticeRequest = z.infer<typeof noticeRequestSchema>;

/** The dedupe key of one notice on one channel, within its patron's records. */
export function noticeKey(request: NoticeRequest, channel: Channel): string {
  return [request.kind, request.subjectId, request.subjectVersion, channel].join('#');
}

/**
 * One page of a fan-out (service and policy updates): the notifier turns it into a notice request
 * per opted-in patron of the page and queues the next page, so no invocation loops over everyone and
 * a failed page is retried alone (notice keys make a retried page send nothing twice).
 */
export const fanOutPageSchema = z.object({
  fanOut: z.object({
    kind: z.enum(['service-update', 'policy-update']),
    /** Only this member library's patrons; all when absent. */
    library: z.optional(z.string()),
    subjectId: z.string(),
    subjectVersion: z.string(),
    causationId: z.string(),
    message: z.optional(z.object({ en: z.string(), es: z.optional(z.string()) })),
    policy: z.optional(z.object({ policyVersion: z.string(), summary: z.object({ en: z.string(), es: z.optional(z.string()) }) })),
    shard: z.int(),
    /** Where the previous page stopped (DynamoDB's LastEvaluatedKey, as JSON). */
    cursor: z.optional(z.string()),
  }),
});
export type FanOutPage = z.infer<typeof fanOutPageSchema>['fanOut'];

/** A message of the notifier queue: a notice request, or a page of a paged job. */
export type NotifierMessage =
  | NoticeRequest
  | { fanOut: FanOutPage }
  | { sweepStart: { day?: string | undefined } }
  | { sweep: import('#shared/sweep/sweep.ts').SweepPage };

export function isNoticeRequest(message: NotifierMessage): message is NoticeRequest {
  return 'kind' in message && 'patronId' in message;
}
