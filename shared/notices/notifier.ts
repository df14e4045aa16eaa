/**
 * The notifier: turns one notice request into at most one message per channel.
 *
 * The request carries ids only: what the notice says (titles, dates, amounts) is read from the table
 * here, and a subject gone by then (returned, closed, purged) sends nothing and is counted.
 * It checks consent and contact on a consistent read, claims each channel's notice key with one
 * conditional write, reads the profile again (so an opt-out committed before the claim always wins:
 * the claim is dropped), then decrypts and sends on the channels concurrently and records each
 * outcome. Retryable provider errors release the claim and are rethrown after every channel had its
 * turn, so the queue retries with backoff.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Clock } from '#shared/clock.ts';
import { branchName, brandingFor, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import type { ContactDecrypter } from '#shared/contacts/contactCrypto.ts';
import { BookdropError, RetryableDeliveryError } from '#shared/errors.ts';
import type { BookdropLogger, BookdropMetrics } from '#shared/observability.ts';
import { composeNotice } from '#shared/notices/compose.ts';
import { NOTICE_CHANNELS, noticeKey, type ComposableNotice, type NoticeContent, type NoticeRequest } from '#shared/notices/noticeKinds.ts';
import type { NoticeSubjects } from '#shared/notices/noticeSubjects.ts';
import type { NoticeIds } from '#shared/notices/noticeIds.ts';
import type { NoticeLog } from '#shared/notices/noticeLog.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { quietUntil, WAITS_FOR_MORNING } from '#shared/notices/quietHours.ts';
import { PermanentDeliveryError, type EmailSender, type SmsSender } from '#shared/notices/senders.ts';
import { applySuppression, channelBlock, type Channel, type PatronProfile } from '#shared/patrons/patronProfile.ts';
import type { PatronStore } from '#shared/patrons/patronRepository.ts';
import type { PatronService } from '#shared/patrons/patronService.ts';
import type { UnsubscribeLinks } from '#shared/unsubscribe/unsubscribeToken.ts';

export interface NotifierDeps {
  readonly config: ConsortiumConfig;
  readonly clock: Clock;
  readonly patrons: PatronStore;
  readonly notices: NoticeLog;
  /** Reads what a notice is about (titles, dates, amounts) at send time. */
  readonly subjects: NoticeSubjects;
  /** Opaque, keyed ids for notices (what SES feedback and outbound events refer to). */
  readonly noticeIds: NoticeIds;
  readonly decrypter: ContactDecrypter;
  readonly sms: SmsSender;
  readonly email: EmailSender;
  readonly logger: BookdropLogger;
  readonly metrics: BookdropMetrics;
  /** Where requests that must wait (quiet hours) go back to. */
  readonly later: NoticeQueue;
  /** Records suppressions (an invalid number); holds no encryption key. */
  readonly patronService: PatronService;
  /** Signs the one-click unsubscribe link every email carries. */
  readonly unsubscribe: UnsubscribeLinks;
}

/** What happened on one channel. */
export type ChannelOutcome =
  | 'sent'
  | 'duplicate'
  | 'not-opted-in'
  | 'suppressed'
  | 'no-contact'
  | 'channel-closed'
  | 'no-profile'
  /** What the notice was about is gone (hold closed, loans returned, fine resolved): nothing to say. */
  | 'subject-gone'
  | 'failed'
  | 'retry'
  | 'quiet-hours';

export class Notifier {
  public constructor(private readonly deps: NotifierDeps) {}

  /** Delivers one request; throws {@link RetryableDeliveryError} if a channel should be retried. */
  public async deliver(request: NoticeRequest): Promise<Partial<Record<Channel, ChannelOutcome>>> {
    const now = this.deps.clock.now();
    if (request.notBefore !== undefined && Date.parse(request.notBefore) > now.getTime()) {
      await this.deps.later.enqueue([request], { delaySeconds: (Date.parse(request.notBefore) - now.getTime()) / 1000 });
      return {};
    }
    const [profile, subject] = await Promise.all([this.deps.patrons.get(request.patronId), this.deps.subjects.load(request, now)]);
    if (!profile) {
      // A notice for a patron Bookdrop has no consent for: nothing may be sent.
      this.deps.logger.info('notice skipped: patron unknown', { patronId: request.patronId, kind: request.kind });
      return Object.fromEntries(NOTICE_CHANNELS[request.kind].map((channel) => [channel, 'no-profile']));
    }
    if (!subject) {
      // Returned, closed, resolved or purged since the request was queued: counted, not an error.
      this.deps.metrics.addMetric('notice-subject-gone', MetricUnit.Count, 1);
      this.deps.logger.info('notice skipped: subject gone', { patronId: request.patronId, kind: request.kind });
      return Object.fromEntries(NOTICE_CHANNELS[request.kind].map((channel) => [channel, 'subject-gone']));
    }
    const channels = NOTICE_CHANNELS[request.kind].filter(
      (channel) => request.channels === undefined || request.channels.includes(channel),
    );
    const outcomes: Partial<Record<Channel, ChannelOutcome>> = {};
    for (const channel of channels) {
      const block = channelBlock(profile, channel);
      if (block) outcomes[channel] = block;
    }
    const { quietHours } = this.deps.config.notices;
    const quietEnd = WAITS_FOR_MORNING.has(request.kind) ? quietUntil(quietHours, this.deps.config.timeZone, now) : undefined;
    if (quietEnd && channels.includes('sms') && outcomes.sms === undefined) {
      // The text waits for the morning; the email goes now.
      outcomes.sms = 'quiet-hours';
      const notBefore = quietEnd.toISOString();
      await this.deps.later.enqueue([{ ...request, channels: ['sms'], notBefore }], {
        delaySeconds: (quietEnd.getTime() - now.getTime()) / 1000,
      });
    }
    // Compose only when some channel may be used (a closed account has no library left to brand with).
    const content = channels.some((channel) => outcomes[channel] === undefined)
      ? this.compose(
          subject,
          profile,
          channels.includes('email') && outcomes.email === undefined ? await this.unsubscribeUrl(profile) : undefined,
        )
      : undefined;
    const open = content === undefined ? [] : channels.filter((channel) => outcomes[channel] === undefined);
    const settled = open.length > 0 ? await this.deliverOn(open, request, profile, content!) : [];
    let retry: RetryableDeliveryError | undefined;
    let failure: unknown;
    for (const [index, channel] of open.entries()) {
      const result = settled[index]!;
      if (result.status === 'fulfilled') outcomes[channel] = result.value;
      else if (result.reason instanceof RetryableDeliveryError) {
        outcomes[channel] = 'retry';
        retry ??= result.reason;
      } else failure ??= result.reason;
    }
    for (const channel of channels) {
      this.deps.metrics.addMetric(`notice-${String(outcomes[channel])}`, MetricUnit.Count, 1);
      this.deps.logger.info('notice outcome', { patronId: request.patronId, kind: request.kind, channel, outcome: outcomes[channel] });
    }
    if (failure !== undefined) throw failure;
    if (retry) throw retry;
    return outcomes;
  }

  /**
   * Claims every open channel at once (one conditional write each), reads the profile again, drops
   * the claims of channels closed since the first read, and sends on the others concurrently.
   */
  private async deliverOn(
    channels: readonly Channel[],
    request: NoticeRequest,
    profile: PatronProfile,
    content: NoticeContent,
  ): Promise<PromiseSettledResult<ChannelOutcome>[]> {
    const now = this.deps.clock.now();
    const claims = await Promise.all(
      channels.map(async (channel) => {
        const contact = profile.contacts[channel] as { cipher: string; at: string };
        const key = noticeKey(request, channel);
        const noticeId = await this.deps.noticeIds.idOf(profile.patronId, key);
        const claim = await this.deps.notices.claim(
          { noticeKey: key, noticeId, patronId: profile.patronId, kind: request.kind, channel, contactAt: contact.at },
          now,
        );
        return { channel, key, noticeId, cipher: contact.cipher, claim };
      }),
    );
    // The claims stand: an opt-out, suppression or new contact committed before them shows here.
    const fresh = claims.some(({ claim }) => claim === 'claimed') ? await this.deps.patrons.get(profile.patronId) : profile;
    return Promise.allSettled(
      claims.map(async ({ channel, key, noticeId, cipher, claim }): Promise<ChannelOutcome> => {
        if (claim === 'already-handled') return 'duplicate';
        if (claim === 'outcome-unknown') return 'failed';
        if (claim === 'in-progress')
          throw new RetryableDeliveryError('notice is being sent by another worker', { context: { noticeId, channel } });
        if (!fresh || channelBlock(fresh, channel) !== undefined || fresh.contacts[channel]?.cipher !== cipher) {
          await this.deps.notices.drop(profile.patronId, key, now);
          return 'channel-closed';
        }
        return this.sendOn(channel, request, profile, content, { key, noticeId, cipher });
      }),
    );
  }

  /** Decrypts the contact, sends, and records the outcome of one claimed channel. */
  private async sendOn(
    channel: Channel,
    request: NoticeRequest,
    profile: PatronProfile,
    content: NoticeContent,
    claimed: { key: string; noticeId: string; cipher: string },
  ): Promise<ChannelOutcome> {
    const { key, noticeId, cipher } = claimed;
    let messageId: string;
    try {
      const to = await this.deps.decrypter.decrypt(cipher, { patronId: profile.patronId, channel });
      messageId =
        channel === 'sms'
          ? await this.deps.sms.send({ to, body: content.sms })
          : await this.sendEmail(to, profile, request, noticeId, content);
    } catch (error) {
      if (error instanceof PermanentDeliveryError) {
        if (error.invalidContact && channel === 'sms') await this.suppressInvalidNumber(profile.patronId, noticeId);
        await this.deps.notices.markFailed(profile.patronId, key, error.reason, this.deps.clock.now());
        this.deps.logger.warn('notice failed permanently', { noticeId, kind: request.kind, channel, reason: error.reason });
        return 'failed';
      }
      await this.deps.notices.release(profile.patronId, key);
      throw error instanceof BookdropError
        ? error
        : new RetryableDeliveryError('delivery interrupted', { cause: error, context: { noticeId, channel } });
    }
    // The provider accepted the message: the claim is never given back from here on (a retry would
    // send it twice). If this write fails, the claim's lease runs out and the notice ends as failed
    // with reason `outcome-unknown`.
    await this.deps.notices.markSent(profile.patronId, key, messageId, this.deps.clock.now());
    return 'sent';
  }

  /** An invalid number suppresses the SMS channel (ledger source `delivery-feedback`) until a new number. */
  private async suppressInvalidNumber(patronId: string, noticeId: string): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    await this.deps.patronService.update(patronId, (profile) =>
      applySuppression(profile, 'sms', 'invalid-number', {
        at,
        source: 'delivery-feedback',
        policyVersion: profile.policyVersion?.value,
        evidenceId: noticeId,
      }),
    );
  }

  private sendEmail(to: string, profile: PatronProfile, request: NoticeRequest, noticeId: string, content: NoticeContent): Promise<string> {
    const { branding } = brandingFor(this.deps.config, profile.library?.value);
    if (!content.email) throw new BookdropError('notice kind has no email form', { context: { kind: request.kind } });
    return this.deps.email.send({
      to,
      fromName: branding.name,
      fromAddress: branding.senderEmail,
      ...content.email,
      noticeId,
      kind: request.kind,
    });
  }

  /** The patron's signed unsubscribe link, made only when an email may go out (it costs a KMS call). */
  private unsubscribeUrl(profile: PatronProfile): Promise<string> {
    const { branding } = brandingFor(this.deps.config, profile.library?.value);
    return this.deps.unsubscribe.linkFor(
      { patronId: profile.patronId, language: profile.language?.value ?? 'en', libraryId: branding.libraryId },
      'email',
      this.deps.clock.now(),
    );
  }

  private compose(request: ComposableNotice, profile: PatronProfile, unsubscribeUrl: string | undefined): NoticeContent {
    const { config } = this.deps;
    const { branding, known } = brandingFor(config, profile.library?.value);
    if (!known) {
      this.deps.logger.warn('unknown member library: using consortium branding', {
        patronId: profile.patronId,
        library: profile.library?.value,
      });
      this.deps.metrics.addMetric('unknown-library', MetricUnit.Count, 1);
    }
    return composeNotice(request, {
      language: profile.language?.value ?? 'en',
      branding,
      timeZone: config.timeZone,
      smsIncludesTitles: config.notices.smsIncludesTitles,
      branchName: (branchId) => branchName(config, branchId),
      unsubscribeUrl,
    });
  }
}
