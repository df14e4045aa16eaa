/**
 * Two-way SMS (docs/sms.md): a patron's reply is classified, acted on for every patron who shares
 * the number, recorded in the ledger (source `sms-keyword`, evidence: the inbound message id), and
 * answered at once (a direct reply: no quiet hours), once, within the number's daily reply caps. A
 * redelivered message has one effect.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { dayIn, type Clock } from '#shared/clock.ts';
import { brandingFor, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import type { PhoneBlindIndex } from '#shared/contacts/contactCrypto.ts';
import { composeHelpReply, composeHint, composeOptOutReply, composeSmsOptIn } from '#shared/notices/smsReplies.ts';
import { PermanentDeliveryError, type SmsSender } from '#shared/notices/senders.ts';
import type { BookdropLogger, BookdropMetrics } from '#shared/observability.ts';
import { applyChannelConsent, type PatronProfile } from '#shared/patrons/patronProfile.ts';
import type { PatronStore } from '#shared/patrons/patronRepository.ts';
import type { PatronService } from '#shared/patrons/patronService.ts';
import type { InboundLog, ReplyPurpose } from '#shared/sms/inboundLog.ts';
import { classifyKeyword, type KeywordClass } from '#shared/sms/keywords.ts';
import type { OptOutList, OptOutListOutcome } from '#shared/sms/optOutList.ts';
import { dailyReplyLimit } from '#shared/sms/replyCaps.ts';
import type { RenewalTracker, TrackOutcome } from '#shared/sms/renewalRequests.ts';
import type { CommandOutcome, CommandReplies, RenewalDeadlineMessage, SmsCommandService } from '#shared/sms/smsCommandService.ts';
import { classifyCommand, type SmsCommand } from '#shared/sms/smsCommands.ts';

const e164 = z.string().check(z.regex(/^\+[1-9]\d{7,14}$/, { error: 'must be an E.164 phone number' }));

/** The inbound SMS as the SMS service publishes it to the SNS topic. */
export const inboundSmsSchema = z.object({
  originationNumber: e164,
  destinationNumber: z.string(),
  messageKeyword: z.optional(z.nullable(z.string())),
  messageBody: z.string(),
  /** It keys the inbound log entry: bounded well under DynamoDB's key size (AWS sends a UUID). */
  inboundMessageId: z
    .string()
    .check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(256, { error: 'must be at most 256 characters' })),
  previousPublishedMessageId: z.optional(z.nullable(z.string())),
});
export type InboundSms = z.infer<typeof inboundSmsSchema>;

export interface InboundSmsDeps {
  readonly config: ConsortiumConfig;
  readonly clock: Clock;
  readonly patrons: PatronStore;
  readonly patronService: PatronService;
  readonly phoneIndex: PhoneBlindIndex;
  readonly inboundLog: InboundLog;
  readonly optOutList: OptOutList;
  readonly sms: SmsSender;
  /** The text commands RENEW, RENEW ALL and ITEMS. */
  readonly commands: SmsCommandService;
  /** Closes renewal requests whose deadline passed. */
  readonly renewals: Pick<RenewalTracker, 'deadline'>;
  readonly logger: BookdropLogger;
  readonly metrics: BookdropMetrics;
}

export interface InboundOutcome {
  readonly keyword: KeywordClass | SmsCommand;
  /** What a text command did. */
  readonly command?: CommandOutcome;
  readonly patrons: number;
  readonly changed: number;
  readonly replied: boolean;
  /** A reply was due but the number had its replies for the day (or its one confirmation). */
  readonly capped?: boolean;
  readonly optOutList?: OptOutListOutcome;
  readonly duplicate: boolean;
}

export class InboundSmsService {
  public constructor(private readonly deps: InboundSmsDeps) {}

  public async handle(message: InboundSms): Promise<InboundOutcome> {
    const keywordClass = classifyKeyword(message.messageBody);
    // Keywords first (STOP always wins); then the text commands.
    const command = keywordClass === 'unknown' ? classifyCommand(message.messageBody) : undefined;
    if (command !== undefined) return this.handleCommand(message, command);
    const keyword = keywordClass;
    const record = await this.deps.inboundLog.begin(message.inboundMessageId, keyword, this.deps.clock.now());
    if (record.status === 'done') {
      this.deps.metrics.addMetric('inbound-sms-duplicate', MetricUnit.Count, 1);
      return { keyword: record.keyword, patrons: 0, changed: 0, replied: false, duplicate: true };
    }
    const index = await this.deps.phoneIndex.indexOf(message.originationNumber);
    const profiles = await this.profilesOf(index);
    const provenance = { at: record.at, source: 'sms-keyword' as const, evidenceId: message.inboundMessageId };

    let changed = 0;
    let optOutList: OptOutListOutcome | undefined;
    if (keyword === 'opt-out' || keyword === 'opt-in') {
      for (const { patronId } of profiles) {
        const result = await this.deps.patronService.update(patronId, (profile) => {
          const current = profile.consent.sms;
          // START re-opts in only those who opted out by an SMS keyword, never a staff or catalog choice.
          if (keyword === 'opt-in' && (current?.optedIn !== false || current.source !== 'sms-keyword')) {
            return { profile, ledger: [], contacts: [], changed: false };
          }
          return applyChannelConsent(profile, 'sms', keyword === 'opt-in', { ...provenance, policyVersion: profile.policyVersion?.value });
        });
        if (result.changed) changed++;
      }
      if (keyword === 'opt-in') optOutList = await this.deps.optOutList.optIn(message.originationNumber);
    }

    const reply = await this.reply(message, keyword, profiles, index, changed);
    const replied = reply === 'sent';
    await this.deps.inboundLog.finish(message.inboundMessageId, {
      patrons: profiles.length,
      changed,
      replied: replied ? 'yes' : reply === 'capped' ? 'capped' : 'no',
      ...(optOutList ? { optOutList } : {}),
    });
    this.deps.metrics.addMetric(`inbound-sms-${keyword}`, MetricUnit.Count, 1);
    if (reply === 'capped') this.deps.metrics.addMetric('inbound-sms-reply-capped', MetricUnit.Count, 1);
    if (optOutList === 'refused') this.deps.metrics.addMetric('sns-opt-in-refused', MetricUnit.Count, 1);
    this.deps.logger.info('inbound sms', {
      inboundMessageId: message.inboundMessageId,
      keyword,
      patrons: profiles.length,
      changed,
      reply,
      optOutList,
    });
    return {
      keyword,
      patrons: profiles.length,
      changed,
      replied,
      duplicate: false,
      ...(reply === 'capped' ? { capped: true } : {}),
      ...(optOutList ? { optOutList } : {}),
    };
  }

  /** A text command, for every opted-in patron of the number (smsCommandService.ts). */
  private async handleCommand(message: InboundSms, request: NonNullable<ReturnType<typeof classifyCommand>>): Promise<InboundOutcome> {
    const record = await this.deps.inboundLog.begin(message.inboundMessageId, request.command, this.deps.clock.now());
    if (record.status === 'done') {
      this.deps.metrics.addMetric('inbound-sms-duplicate', MetricUnit.Count, 1);
      return { keyword: record.keyword, patrons: 0, changed: 0, replied: false, duplicate: true };
    }
    const index = await this.deps.phoneIndex.indexOf(message.originationNumber);
    const profiles = await this.profilesOf(index);
    let replied = false;
    const replies: CommandReplies = {
      send: async (purpose, body) => {
        const sent = await this.sendReply(message, index, purpose, body);
        replied ||= sent === 'sent';
        return sent;
      },
      claim: (purpose) => this.claimReply(message, index, purpose),
    };
    const outcome = await this.deps.commands.handle(message.inboundMessageId, request, profiles, replies);
    await this.deps.inboundLog.finish(message.inboundMessageId, {
      patrons: profiles.length,
      changed: 0,
      command: outcome,
      replied: replied ? 'yes' : outcome === 'capped' ? 'capped' : 'no',
    });
    this.deps.metrics.addMetric(`inbound-sms-${request.command}-${outcome}`, MetricUnit.Count, 1);
    this.deps.logger.info('inbound sms command', {
      inboundMessageId: message.inboundMessageId,
      command: request.command,
      patrons: profiles.length,
      outcome,
    });
    return {
      keyword: request.command,
      command: outcome,
      patrons: profiles.length,
      changed: 0,
      replied,
      duplicate: false,
      ...(outcome === 'capped' ? { capped: true } : {}),
    };
  }

  /** A renewal request's deadline came back from the queue: close it if the ILS left it open. */
  public async renewalDeadline(message: RenewalDeadlineMessage): Promise<TrackOutcome> {
    const outcome = await this.deps.renewals.deadline(message.renewalDeadline.requestId);
    this.deps.metrics.addMetric(`renewal-deadline-${outcome}`, MetricUnit.Count, 1);
    this.deps.logger.info('renewal deadline', { requestId: message.renewalDeadline.requestId, outcome });
    return outcome;
  }

  private async profilesOf(index: string): Promise<PatronProfile[]> {
    const ids = await this.deps.patrons.idsByPhoneIndex(index);
    return (await Promise.all(ids.map((id) => this.deps.patrons.get(id)))).filter(
      (profile): profile is PatronProfile => profile !== undefined,
    );
  }

  /** Claims the message's one reply and one of the number's replies of the day, without sending. */
  private async claimReply(message: InboundSms, index: string, purpose: ReplyPurpose): Promise<'claimed' | 'none' | 'capped'> {
    if (!(await this.deps.inboundLog.claimReply(message.inboundMessageId))) return 'none';
    const now = this.deps.clock.now();
    const day = dayIn(this.deps.config.timeZone, now);
    const limit = dailyReplyLimit(this.deps.config, message.originationNumber);
    return (await this.deps.inboundLog.claimDailyReply(index, day, purpose, limit, now)) ? 'claimed' : 'capped';
  }

  /**
   * Sends the one reply this message gets, if any, within the number's daily caps: claimed per
   * message (a redelivery replies once) and per number and day (one conditional write).
   */
  private async reply(
    message: InboundSms,
    keyword: KeywordClass,
    profiles: PatronProfile[],
    index: string,
    changed: number,
  ): Promise<'sent' | 'none' | 'capped'> {
    // A number shared across member libraries is answered in the consortium's name.
    const libraries = new Set(profiles.map((profile) => profile.library?.value).filter((id) => id !== undefined));
    const { branding } = brandingFor(this.deps.config, libraries.size === 1 ? [...libraries][0] : undefined);
    const languages = new Set(profiles.map((profile) => profile.language?.value ?? 'en'));
    const language = languages.size === 1 ? ([...languages][0] ?? 'en') : 'en';
    const optedIn = profiles.some((profile) => profile.consent.sms?.optedIn === true);
    const answer = ((): { purpose: ReplyPurpose; body: string } | undefined => {
      switch (keyword) {
        case 'opt-out':
          // Confirmed even for a number Bookdrop does not know: the sender asked to hear nothing more.
          return { purpose: 'opt-out', body: composeOptOutReply(language, branding) };
        case 'opt-in':
          return optedIn || changed > 0 ? { purpose: 'opt-in', body: composeSmsOptIn(language, branding) } : undefined;
        case 'help':
          return { purpose: 'help', body: composeHelpReply(language, branding) };
        case 'unknown':
          return optedIn ? { purpose: 'hint', body: composeHint(language, branding) } : undefined;
      }
    })();
    if (answer === undefined) return 'none';
    return this.sendReply(message, index, answer.purpose, answer.body);
  }

  /** Sends a direct reply once per message, within the number's daily caps. */
  private async sendReply(message: InboundSms, index: string, purpose: ReplyPurpose, body: string): Promise<'sent' | 'none' | 'capped'> {
    const claim = await this.claimReply(message, index, purpose);
    if (claim !== 'claimed') return claim;
    const day = dayIn(this.deps.config.timeZone, this.deps.clock.now());
    try {
      await this.deps.sms.send({ to: message.originationNumber, body });
      return 'sent';
    } catch (error) {
      if (error instanceof PermanentDeliveryError) {
        this.deps.logger.warn('sms reply refused by the provider', { inboundMessageId: message.inboundMessageId, reason: error.reason });
        return 'none';
      }
      // Throttling or an outage: give the reply back so the queue's retry sends it.
      await this.deps.inboundLog.releaseDailyReply(index, day, purpose);
      await this.deps.inboundLog.releaseReply(message.inboundMessageId);
      throw error;
    }
  }
}
