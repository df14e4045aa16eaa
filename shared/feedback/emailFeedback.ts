/**
 * SES feedback (event publishing through the configuration set): a permanent bounce or a complaint
 * (but a "not-spam" report) suppresses the patron's email channel (ledger source `email-feedback`) without rewriting their
 * choice; a transient bounce is counted on the notice, not suppressed. Feedback about an address the
 * patron has since replaced changes nothing: a new address lifts the suppression anyway.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import type { Clock } from '#shared/clock.ts';
import { parseMessage } from '#shared/events/parseMessage.ts';
import type { NoticeLog } from '#shared/notices/noticeLog.ts';
import type { BookdropLogger, BookdropMetrics } from '#shared/observability.ts';
import { applySuppression, toUtc, type SuppressionReason } from '#shared/patrons/patronProfile.ts';
import type { PatronService } from '#shared/patrons/patronService.ts';

/** SES dates: checked here, so a malformed one fails with its field named (not later, as a RangeError). */
const sesTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

/** The part of an SES event-publishing record Bookdrop reads. Recipient addresses are ignored. */
export const sesFeedbackSchema = z.object({
  eventType: z.string(),
  mail: z.object({
    messageId: z.string(),
    timestamp: sesTime,
    tags: z.optional(z.record(z.string(), z.array(z.string()))),
  }),
  bounce: z.optional(z.object({ bounceType: z.string(), timestamp: sesTime, feedbackId: z.string() })),
  complaint: z.optional(z.object({ timestamp: sesTime, feedbackId: z.string(), complaintFeedbackType: z.optional(z.string()) })),
});
export type SesFeedback = z.infer<typeof sesFeedbackSchema>;

export function parseSesFeedback(body: string): SesFeedback {
  return parseMessage(body, sesFeedbackSchema, 'sesEvent', 'a JSON SES event');
}

export type FeedbackOutcome = 'suppressed' | 'already-suppressed' | 'stale-address' | 'transient-counted' | 'not-a-notice' | 'ignored';

export interface EmailFeedbackDeps {
  readonly notices: NoticeLog;
  readonly patronService: PatronService;
  readonly clock: Clock;
  readonly logger: BookdropLogger;
  readonly metrics: BookdropMetrics;
}

export class EmailFeedback {
  public constructor(private readonly deps: EmailFeedbackDeps) {}

  public async handle(feedback: SesFeedback): Promise<FeedbackOutcome> {
    const outcome = await this.apply(feedback);
    this.deps.metrics.addMetric(`email-feedback-${outcome}`, MetricUnit.Count, 1);
    this.deps.logger.info('email feedback', { eventType: feedback.eventType, sesMessageId: feedback.mail.messageId, outcome });
    return outcome;
  }

  private async apply(feedback: SesFeedback): Promise<FeedbackOutcome> {
    // A "not-spam" feedback report is the mailbox provider saying the message is not spam: no reason to suppress.
    const permanent =
      (feedback.eventType === 'Bounce' && feedback.bounce?.bounceType === 'Permanent') ||
      (feedback.eventType === 'Complaint' && feedback.complaint?.complaintFeedbackType !== 'not-spam');
    const transient = feedback.eventType === 'Bounce' && !permanent;
    if (!permanent && !transient) return 'ignored';
    const noticeId = feedback.mail.tags?.noticeId?.[0];
    const notice = noticeId ? await this.deps.notices.findById(noticeId, this.deps.clock.now()) : undefined;
    if (notice?.channel !== 'email') return 'not-a-notice';
    if (transient) {
      await this.deps.notices.countTransientBounce(
        notice.patronId,
        notice.noticeKey,
        feedback.bounce?.feedbackId ?? feedback.mail.messageId,
      );
      return 'transient-counted';
    }
    const detail = feedback.eventType === 'Complaint' ? feedback.complaint : feedback.bounce;
    const reason: SuppressionReason = feedback.eventType === 'Complaint' ? 'complaint' : 'hard-bounce';
    const provenance = {
      at: toUtc(detail?.timestamp ?? feedback.mail.timestamp),
      source: 'email-feedback' as const,
      policyVersion: undefined,
      evidenceId: detail?.feedbackId ?? feedback.mail.messageId,
    };
    let stale = false;
    const result = await this.deps.patronService.update(notice.patronId, (profile) => {
      // The notice went to the address set at `contactAt`; feedback about an older address is moot.
      stale = profile.contacts.email?.at !== notice.contactAt;
      const change = applySuppression(profile, 'email', reason, { ...provenance, policyVersion: profile.policyVersion?.value });
      return stale ? { ...change, profile, ledger: [], contacts: [], changed: false } : change;
    });
    if (stale) return 'stale-address';
    return result.changed ? 'suppressed' : 'already-suppressed';
  }
}
