/**
 * Answers the text commands (RENEW, RENEW ALL, ITEMS) for every opted-in patron on the number that
 * wrote. ITEMS is answered at once. RENEW records a request, publishes `RenewalRequested` for each
 * patron (ids only: no number, no title), and schedules the request's deadline as a delayed message
 * on the inbound-SMS queue (the SQS delay that also holds texts through quiet hours); the reply comes
 * when the ILS has answered every loan, or at the deadline (renewalRequests.ts).
 *
 * A number that matches no patron gets the HELP text, once a day at most; a number whose patrons
 * are all opted out gets nothing. Every reply counts against the number's daily reply cap.
 */
import { createHash } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '#shared/clock.ts';
import { brandingFor, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { composeHelpReply } from '#shared/notices/smsReplies.ts';
import type { OutboundEvents } from '#shared/outbound/outboundEvents.ts';
import type { Language, PatronProfile } from '#shared/patrons/patronProfile.ts';
import type { ReplyPurpose } from '#shared/sms/inboundLog.ts';
import type { OpenLoans } from '#shared/sms/openLoans.ts';
import type { RenewalTracker } from '#shared/sms/renewalRequests.ts';
import {
  commandSettings,
  itemsReply,
  nothingToRenewReply,
  patronLabels,
  type CommandRequest,
  type ReplyVoice,
} from '#shared/sms/smsCommands.ts';

/** The message the deadline of a renewal request becomes on the inbound-SMS queue. */
export interface RenewalDeadlineMessage {
  readonly renewalDeadline: { readonly requestId: string };
}

/** Schedules a request's deadline: the message comes back after `delaySeconds`. */
export interface RenewalDeadlines {
  schedule(requestId: string, delaySeconds: number): Promise<void>;
}

/** Deadlines as delayed SQS messages on the inbound-SMS queue (SQS allows up to 900 s). */
export class SqsRenewalDeadlines implements RenewalDeadlines {
  public constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  public async schedule(requestId: string, delaySeconds: number): Promise<void> {
    const message: RenewalDeadlineMessage = { renewalDeadline: { requestId } };
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.min(900, Math.ceil(delaySeconds)),
      }),
    );
  }
}

/** How the inbound-SMS service lets a command answer, within the number's caps, once per message. */
export interface CommandReplies {
  /** Claims and sends a direct reply now. */
  send(purpose: ReplyPurpose, body: string): Promise<'sent' | 'none' | 'capped'>;
  /** Claims the message's one reply for later (a renewal's result); `none` when an earlier delivery claimed it. */
  claim(purpose: ReplyPurpose): Promise<'claimed' | 'none' | 'capped'>;
}

export interface SmsCommandDeps {
  readonly config: ConsortiumConfig;
  readonly clock: Clock;
  readonly loans: OpenLoans;
  readonly renewals: Pick<RenewalTracker, 'create'>;
  readonly deadlines: RenewalDeadlines;
  readonly outbound: OutboundEvents;
}

/** What a command did. */
export type CommandOutcome = 'answered' | 'requested' | 'nothing-to-renew' | 'unknown-number' | 'not-opted-in' | 'capped' | 'disabled';

/** The request id of a RENEW: derived from the inbound message id, so a redelivery finds the same request. */
export function renewalRequestId(inboundMessageId: string): string {
  return `sms-${createHash('sha256').update(inboundMessageId).digest('base64url').slice(0, 32)}`;
}

export class SmsCommandService {
  public constructor(private readonly deps: SmsCommandDeps) {}

  public async handle(
    inboundMessageId: string,
    request: CommandRequest,
    profiles: readonly PatronProfile[],
    replies: CommandReplies,
  ): Promise<CommandOutcome> {
    const settings = commandSettings(this.deps.config);
    if (!settings.enabled) return 'disabled';
    if (profiles.length === 0) {
      const { branding } = brandingFor(this.deps.config, undefined);
      const sent = await replies.send('unknown-number-help', composeHelpReply(request.language ?? 'en', branding));
      return sent === 'capped' ? 'capped' : 'unknown-number';
    }
    // Only opted-in patrons: an opted-out family member's loans are never told by text.
    const patrons = profiles
      .filter((profile) => profile.consent.sms?.optedIn === true && profile.closedAt === undefined)
      .sort((a, b) => a.patronId.localeCompare(b.patronId));
    const [replyPatron] = patrons;
    if (replyPatron === undefined) return 'not-opted-in';
    const voice = this.voice(request, patrons);
    const labels = patronLabels(
      patrons.map((profile) => ({ patronId: profile.patronId, initial: profile.initial?.value })),
      // The library the reply speaks for chooses the labels (the consortium for a number shared across libraries).
      commandSettings(this.deps.config, voice.branding.libraryId).patronLabel,
    );
    const now = this.deps.clock.now();
    const loans = await Promise.all(patrons.map(async (patron) => ({ patron, loans: await this.deps.loans.list(patron.patronId, now) })));

    if (request.command === 'items') {
      const body = itemsReply(
        loans.map(({ patron, loans: open }) => ({ label: labels.get(patron.patronId) ?? '', loans: open })),
        voice,
        { titles: this.deps.config.notices.smsIncludesTitles, catalogUrl: settings.catalogUrl },
      );
      return (await replies.send('command', body)) === 'capped' ? 'capped' : 'answered';
    }

    const until = now.getTime() + settings.renewWithinDays * 86_400_000;
    const chosen = loans
      .map(({ patron, loans: open }) => ({
        patron,
        loans: request.command === 'renew-all' ? open : open.filter((loan) => Date.parse(loan.dueAt) <= until),
      }))
      .filter(({ loans: picked }) => picked.length > 0);
    if (chosen.length === 0) {
      const body = nothingToRenewReply(
        voice,
        settings.renewWithinDays,
        loans.some(({ loans: open }) => open.length > 0),
      );
      return (await replies.send('command', body)) === 'capped' ? 'capped' : 'nothing-to-renew';
    }
    if ((await replies.claim('command')) === 'capped') return 'capped';
    const requestId = renewalRequestId(inboundMessageId);
    const requestedAt = now.toISOString();
    await this.deps.renewals.create({
      requestId,
      replyPatronId: replyPatron.patronId,
      language: voice.language,
      library: voice.branding.libraryId,
      requestedAt,
      deadline: new Date(now.getTime() + settings.ilsAnswerSeconds * 1000).toISOString(),
      loans: Object.fromEntries(
        chosen.flatMap(({ patron, loans: picked }) =>
          picked.map((loan) => [
            loan.loanId,
            { patronId: patron.patronId, label: labels.get(patron.patronId) ?? '', outcome: { state: 'pending' as const } },
          ]),
        ),
      ),
      status: 'open',
    });
    // A redelivery schedules and publishes again: the deadline and the ILS's answers are idempotent by request id.
    await this.deps.deadlines.schedule(requestId, settings.ilsAnswerSeconds);
    await this.deps.outbound.publish(
      chosen.map(({ patron, loans: picked }) => ({
        detailType: 'RenewalRequested' as const,
        detail: { requestId, patronId: patron.patronId, loanIds: picked.map((loan) => loan.loanId), requestedAt },
      })),
    );
    return 'requested';
  }

  /** The reply's language (the command word's, else the patrons' own when they agree) and library. */
  private voice(request: CommandRequest, patrons: readonly PatronProfile[]): ReplyVoice {
    const languages = new Set(patrons.map((profile) => profile.language?.value ?? 'en'));
    const language: Language = request.language ?? (languages.size === 1 ? ([...languages][0] ?? 'en') : 'en');
    const libraries = new Set(patrons.map((profile) => profile.library?.value).filter((id) => id !== undefined));
    const { branding } = brandingFor(this.deps.config, libraries.size === 1 ? [...libraries][0] : undefined);
    return { language, branding, timeZone: this.deps.config.timeZone };
  }
}
