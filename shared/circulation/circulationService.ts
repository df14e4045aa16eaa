/**
 * Applies validated circulation events to Bookdrop's state and asks for the notices they cause.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CirculationDetailType, CirculationEvent, DetailOf } from '#shared/events/contract.ts';
import type { HoldStore, ReadyHold } from '#shared/holds/holdStore.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { fanOutStart } from '#shared/notices/fanOut.ts';
import type { BookdropLogger, BookdropMetrics } from '#shared/observability.ts';
import { applyClosure, applyPreferences, applyRegistration, toUtc } from '#shared/patrons/patronProfile.ts';
import type { PatronService } from '#shared/patrons/patronService.ts';
import type { PolicyStore } from '#shared/policy/policyStore.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { ConcurrentUpdateError } from '#shared/errors.ts';
import { assertNotAhead } from '#shared/events/eventTime.ts';
import { dayIn, type Clock } from '#shared/clock.ts';
import type { PatronStore } from '#shared/patrons/patronRepository.ts';
import { UNREAD_LOAN, type CirculationStore } from '#shared/circulation/circulationStore.ts';
import type { LoanAnswer, RenewalTracker, TrackOutcome } from '#shared/sms/renewalRequests.ts';
import {
  absorbStrayLoan,
  applyCheckout,
  applyRenewal,
  applyReturn,
  releaseForFine,
  type LoanChange,
  type LoanContext,
  type LoanState,
} from '#shared/circulation/loans.ts';

const MAX_ATTEMPTS = 5;

export interface CirculationDeps {
  readonly config: ConsortiumConfig;
  readonly clock: Clock;
  readonly patrons: PatronStore;
  readonly loans: CirculationStore;
  readonly patronService: PatronService;
  readonly holds: HoldStore;
  readonly policies: PolicyStore;
  readonly noticeQueue: NoticeQueue;
  /** Renewals asked for by text: the ILS's answers go here (shared/sms/renewalRequests.ts). */
  readonly renewals: Pick<RenewalTracker, 'answer' | 'answerRenewal'>;
  readonly logger: BookdropLogger;
  readonly metrics: BookdropMetrics;
}

/** A handler for every inbound detail type, each given its own detail's type. */
export type CirculationHandlers = { readonly [K in CirculationDetailType]: (detail: DetailOf<K>) => Promise<void> };

export class CirculationService {
  public constructor(private readonly deps: CirculationDeps) {}

  /**
   * One handler per detail type of the contract: a detail type without a handler fails the type check
   * (it would otherwise be validated and silently dropped).
   */
  private readonly handlers: CirculationHandlers = {
    PatronRegistered: async (detail) => {
      const result = await this.deps.patronService.update(detail.patronId, (profile) => applyRegistration(profile, detail));
      // A HoldReady applied before this registration found no consent and sent nothing: ask again for
      // the patron's ready holds (on every delivery, so a retry after a failed enqueue still asks; the
      // notice keys keep a hold already announced from being announced twice, and the notifier sends
      // nothing for one past its pick-up date, whichever event asked).
      if (result.profile.closedAt === undefined) {
        await this.askHoldNotices(detail.patronId, await this.deps.holds.readyHolds(detail.patronId), detail.eventId);
      }
    },
    PatronPreferencesChanged: async (detail) => {
      const current = detail.policyVersion === undefined ? (await this.deps.policies.current())?.policyVersion : undefined;
      const result = await this.deps.patronService.update(detail.patronId, (profile) => applyPreferences(profile, detail, current));
      // Opting out of checkout history deletes all of it at once (paginated; a retry resumes).
      if (detail.changes.consent?.checkoutHistory === false && result.profile.consent.checkoutHistory?.optedIn === false) {
        const purged = await this.deps.patronService.purgeHistory(detail.patronId);
        this.deps.metrics.addMetric('history-entries-purged', MetricUnit.Count, purged);
      }
    },
    ItemCheckedOut: async (detail) => {
      await this.updateLoan(detail.patronId, detail.loanId, false, (state, context) => applyCheckout(state, detail, context), 'unread');
    },
    LoanRenewed: async (detail) => {
      await this.updateLoan(detail.patronId, detail.loanId, false, (state, context) => applyRenewal(state, detail, context));
      const answer = { state: 'renewed', dueAt: toUtc(detail.dueAt) } as const;
      if (detail.requestId !== undefined) await this.renewalAnswer(detail.requestId, detail.loanId, answer);
      else {
        // No request id: the patron's pending text requests for this loan, if any (none for a desk renewal).
        const answered = await this.deps.renewals.answerRenewal(detail.patronId, detail.loanId, toUtc(detail.occurredAt), answer);
        for (const { requestId, outcome } of answered) this.renewalOutcome(requestId, detail.loanId, answer.state, outcome);
      }
    },
    RenewalRefused: async (detail) => {
      await this.renewalAnswer(detail.requestId, detail.loanId, { state: 'refused', reason: detail.reason });
    },
    ItemReturned: async (detail) => {
      await this.updateLoan(detail.patronId, detail.loanId, true, (state, context) => applyReturn(state, detail, context), 'loan-item');
    },
    HoldClosed: async (detail) => {
      await this.deps.loans.closeHold(detail.patronId, detail.holdId, toUtc(detail.occurredAt));
    },
    FineAssessed: async (detail) => {
      const outcome = await this.deps.loans.assessFine({
        fineId: detail.fineId,
        patronId: detail.patronId,
        loanId: detail.loanId,
        amount: detail.amount,
        currency: detail.currency,
        reason: detail.reason,
        assessedAt: toUtc(detail.occurredAt),
        eventId: detail.eventId,
      });
      // Also when it exists: a retry after a failed enqueue must still ask (notice keys dedupe).
      if (outcome !== 'resolved') {
        await this.deps.noticeQueue.enqueue([
          {
            type: 'notice',
            kind: 'fine-assessed',
            patronId: detail.patronId,
            subjectId: detail.fineId,
            subjectVersion: '1',
            causationId: detail.eventId,
          },
        ]);
      }
    },
    ServiceUpdatePublished: async (detail) => {
      await this.deps.noticeQueue.enqueue(
        fanOutStart({
          kind: 'service-update',
          library: detail.library,
          subjectId: detail.eventId,
          subjectVersion: '1',
          causationId: detail.eventId,
          message: detail.message,
        }),
      );
    },
    FineResolved: async (detail) => {
      const loanId = await this.deps.loans.resolveFine(detail.patronId, detail.fineId, toUtc(detail.occurredAt));
      if (loanId !== undefined) {
        const others = (await this.deps.loans.openFines(detail.patronId, this.deps.clock.now())).some((fine) => fine.loanId === loanId);
        await this.updateLoan(detail.patronId, loanId, false, (state) => releaseForFine(state, others));
      }
    },
    PatronClosed: async (detail) => {
      const current = (await this.deps.policies.current())?.policyVersion;
      const result = await this.deps.patronService.update(detail.patronId, (profile) => applyClosure(profile, detail, current));
      // Purge whenever the account is closed, changed or not: a retry resumes an interrupted purge.
      if (result.profile.closedAt !== undefined) {
        const purged = await this.deps.patronService.purgeClosedAccount(
          detail.patronId,
          await this.deps.loans.openFines(detail.patronId, this.deps.clock.now()),
        );
        this.deps.metrics.addMetric('closed-account-records-purged', MetricUnit.Count, purged);
      }
    },
    PrivacyPolicyUpdated: async (detail) => {
      const recorded = await this.deps.policies.record(detail);
      const current = (await this.deps.policies.current())?.policyVersion;
      this.deps.logger.info('privacy policy update', { policyVersion: detail.policyVersion, current: recorded });
      // Patrons hear about the policy in force, once per version (a redelivery re-asks; keys dedupe).
      if (current === detail.policyVersion) {
        await this.deps.noticeQueue.enqueue(
          fanOutStart({
            kind: 'policy-update',
            subjectId: detail.policyVersion,
            subjectVersion: '1',
            causationId: detail.eventId,
            policy: { policyVersion: detail.policyVersion, summary: detail.summary },
          }),
        );
      }
    },
    HoldReady: async (detail) => {
      const hold = {
        holdId: detail.holdId,
        patronId: detail.patronId,
        title: detail.title,
        pickupBranch: detail.pickupBranch,
        pickupBy: toUtc(detail.pickupBy),
        readyAt: toUtc(detail.occurredAt),
      };
      if (!(await this.deps.holds.putReady(hold))) return;
      await this.askHoldNotices(hold.patronId, [hold], detail.eventId);
    },
  };

  public async apply(event: CirculationEvent): Promise<void> {
    assertNotAhead(event, this.deps.clock.now());
    const handle = this.handlers[event.detailType] as (detail: CirculationEvent['detail']) => Promise<void>;
    await handle(event.detail);
  }

  /**
   * Reads a loan, applies a pure change and writes it, retrying after a concurrent update (on a full
   * read). `first` lets the first attempt write first (docs/ordering.md): `unread` reads nothing and
   * assumes no loan is stored (a checkout: the loan item is put only if absent, and the tombstone is
   * checked after); `loan-item` reads the loan item but not its tombstone (a return: the tombstone is
   * put only if there is none).
   */
  private async updateLoan(
    patronId: string,
    loanId: string,
    needsFines: boolean,
    change: (state: LoanState, context: LoanContext) => LoanChange,
    first: 'read' | 'unread' | 'loan-item' = 'read',
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const mode = attempt === 1 ? first : 'read';
      const now = this.deps.clock.now();
      // Read again on every attempt: a concurrent opt-out, fine or return is what made the last one fail.
      const [profile, fines, stored] =
        mode === 'unread'
          ? [undefined, [], UNREAD_LOAN]
          : await Promise.all([
              this.deps.patrons.get(patronId),
              needsFines ? this.deps.loans.openFines(patronId, now) : [],
              this.deps.loans.loan(patronId, loanId, now, { tombstone: mode === 'read' }),
            ]);
      const context: LoanContext = {
        dayOf: this.dayOf,
        keepsHistory: profile?.consent.checkoutHistory?.optedIn === true && profile.closedAt === undefined,
        hasOpenFine: fines.some((fine) => fine.loanId === loanId),
      };
      // A loan item left beside the tombstone by a change that met a return is merged in and removed.
      const absorbed = stored.stray ? absorbStrayLoan(stored.state, stored.stray, context) : undefined;
      const result = change(absorbed?.state ?? stored.state, context);
      if (!result.changed && !absorbed) return;
      const stats = [...(absorbed?.stats ?? []), ...result.stats];
      try {
        await this.deps.loans.saveLoan(patronId, loanId, stored, result.state, stats, absorbed?.history ?? result.history, now);
        return;
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** Asks for the hold-ready notice of each hold (keyed by hold and pick-up date: asking twice sends once). */
  private async askHoldNotices(patronId: string, holds: readonly ReadyHold[], causationId: string): Promise<void> {
    if (holds.length === 0) return;
    await this.deps.noticeQueue.enqueue(
      holds.map((hold) => ({
        type: 'notice' as const,
        kind: 'hold-ready' as const,
        patronId,
        subjectId: hold.holdId,
        subjectVersion: hold.pickupBy,
        causationId,
      })),
    );
  }

  /** Records the ILS's answer to a renewal asked for by text; an answer to no known request is only counted. */
  private async renewalAnswer(requestId: string, loanId: string, answer: LoanAnswer): Promise<void> {
    this.renewalOutcome(requestId, loanId, answer.state, await this.deps.renewals.answer(requestId, loanId, answer));
  }

  private renewalOutcome(requestId: string, loanId: string, state: LoanAnswer['state'], outcome: TrackOutcome): void {
    this.deps.metrics.addMetric(`renewal-answer-${outcome}`, MetricUnit.Count, 1);
    this.deps.logger.info('renewal answer', { requestId, loanId, state, outcome });
  }

  private readonly dayOf = (iso: string): string => dayIn(this.deps.config.timeZone, iso);
}
