/**
 * What one notice kind is: its payload schema, the channels it goes out on, its quiet-hours rule and
 * its SMS and email templates in every language. Each kind is one module that calls
 * {@link defineNoticeKind}; the registry (`noticeKinds.ts`) lists them and derives everything else.
 */
import * as z from 'zod/mini';
import type { ResolvedBranding } from '#shared/config/consortiumConfig.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

/** What a template knows besides the request: the patron's language and the library speaking. */
export interface ComposeContext {
  readonly language: Language;
  readonly branding: ResolvedBranding;
  readonly timeZone: string;
  readonly smsIncludesTitles: boolean;
  /** Display name of a branch id. */
  readonly branchName: (branchId: string) => string;
  /** The patron's signed unsubscribe link; without one no email is composed (every email carries it). */
  readonly unsubscribeUrl?: string | undefined;
}

/** An SMS before fitting: `{slot}` values are shortened in `shrink` order until the text fits one segment. */
export interface SmsTemplate {
  readonly text: string;
  readonly slots: Readonly<Record<string, string>>;
  readonly shrink: readonly string[];
}

/** The kind-specific part of an email; greeting, signature and footer are added around it. */
export interface EmailTemplate {
  readonly subject: string;
  readonly paragraphs: readonly string[];
}

/**
 * When a kind's SMS may go out. `wait-for-morning`: held during quiet hours (every text the library
 * starts). `send-at-once`: only for a direct answer to a patron's own message.
 */
export type QuietHoursRule = 'wait-for-morning' | 'send-at-once';

/** Fields every notice request carries, whatever its kind: ids only, never a title, name or contact. */
export const noticeRequestBase = {
  /** The explicit message type on the notifier queue (fan-out and sweep pages carry none). */
  type: z.literal('notice'),
  patronId: z.string().check(z.minLength(1)),
  /** What the notice is about (hold id, loan id, fine id, ...). */
  subjectId: z.string().check(z.minLength(1)),
  /** Distinguishes notices about the same subject, e.g. a new due date after renewal. */
  subjectVersion: z.string().check(z.minLength(1)),
  /** The `eventId` (or sweep id) the request came from, for tracing. */
  causationId: z.string(),
  /** Only these channels (an SMS that waited for the end of quiet hours). */
  channels: z.optional(z.array(z.enum(['sms', 'email']))),
  /** Not before this time: the request goes back to the queue until then. */
  notBefore: z.optional(z.string()),
};

type RequestShape<K extends string, P extends z.core.$ZodShape> = typeof noticeRequestBase & { kind: z.ZodMiniLiteral<K> } & P;

/**
 * What a kind's templates see: the request's common fields, `kind` and the kind's payload, which the
 * notifier reads from the table at send time (the queue carries only ids).
 */
export type RequestOf<K extends string, P extends z.core.$ZodShape> = z.infer<z.ZodMiniObject<RequestShape<K, P>>>;

/** One template per language: adding a language makes every kind that lacks it a type error. */
export type Templates<R, T> = Readonly<Record<Language, (request: R, context: ComposeContext) => T>>;

/** What a kind module declares. An email channel requires email templates; an SMS-only kind has none. */
export type NoticeKindSpec<K extends string, P extends z.core.$ZodShape, Q extends z.core.$ZodShape> = {
  readonly kind: K;
  /** What the templates need (titles, dates, amounts): read from the table when the notice is sent. */
  readonly payload: P;
  /**
   * The kind's own fields on the notifier queue, besides {@link noticeRequestBase}: ids (a digest's
   * loan ids), or a library's own text, which names no one. Never a title, name or contact.
   */
  readonly ids: Q;
  readonly quietHours: QuietHoursRule;
  readonly sms: Templates<RequestOf<K, P>, SmsTemplate>;
} & (
  | { readonly channels: readonly ['sms']; readonly email?: never }
  | { readonly channels: readonly ['sms', 'email']; readonly email: Templates<RequestOf<K, P>, EmailTemplate> }
);

/** A registered kind: its declaration and the schema of its requests. */
export type NoticeKindDefinition<K extends string, P extends z.core.$ZodShape, Q extends z.core.$ZodShape> = NoticeKindSpec<K, P, Q> & {
  /** The schema of the kind's notifier-queue messages (ids only). */
  readonly request: z.ZodMiniObject<RequestShape<K, Q>>;
};

/**
 * Declares a notice kind.
 *
 * @example
 * export const holdReady = defineNoticeKind({ kind: 'hold-ready', payload: { hold }, ids: {}, channels: ['sms', 'email'], ... });
 */
export function defineNoticeKind<const K extends string, const P extends z.core.$ZodShape, const Q extends z.core.$ZodShape>(
  spec: NoticeKindSpec<K, P, Q>,
): NoticeKindDefinition<K, P, Q> {
  const shape = { ...noticeRequestBase, kind: z.literal(spec.kind), ...spec.ids } as RequestShape<K, Q>;
  return { ...spec, request: z.object(shape) };
}
