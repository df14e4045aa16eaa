/**
 * Applies validated circulation events to Bookdrop's state and asks for the notices they cause.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CirculationEvent } from '#shared/events/contract.ts';
import type { HoldStore } from '#shared/holds/holdStore.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import type { BookdropLogger, BookdropMetrics } from '#shared/observability.ts';
import { applyClosure, applyPreferences, applyRegistration, toUtc } from '#shared/patrons/patronProfile.ts';
import type { PatronService } from '#shared/patrons/patronService.ts';
import type { PolicyStore } from '#shared/policy/policyStore.ts';

export interface CirculationDeps {
  readonly patronService: PatronService;
  readonly holds: HoldStore;
  readonly policies: PolicyStore;
  readonly noticeQueue: NoticeQueue;
  readonly logger: BookdropLogger;
  readonly metrics: BookdropMetrics;
}

export class CirculationService {
  public constructor(private readonly deps: CirculationDeps) {}

  public async apply(event: CirculationEvent): Promise<void> {
    switch (event.detailType) {
      case 'PatronRegistered': {
        const { detail } = event;
        await this.deps.patronService.update(detail.patronId, (profile) => applyRegistration(profile, detail));
        return;
      }
      case 'PatronPreferencesChanged': {
        const { detail } = event;
        const current = detail.policyVersion === undefined ? (await this.deps.policies.current())?.policyVersion : undefined;
        await this.deps.patronService.update(detail.patronId, (profile) => applyPreferences(profile, detail, current));
        return;
      }
      case 'PatronClosed': {
        const { detail } = event;
        const current = (await this.deps.policies.current())?.policyVersion;
        const result = await this.deps.patronService.update(detail.patronId, (profile) => applyClosure(profile, detail, current));
        // Purge whenever the account is closed, changed or not: a retry resumes an interrupted purge.
        if (result.profile.closedAt !== undefined) {
          const purged = await this.deps.patronService.purgeClosedAccount(detail.patronId);
          this.deps.metrics.addMetric('closed-account-records-purged', MetricUnit.Count, purged);
        }
        return;
      }
      case 'PrivacyPolicyUpdated': {
        const recorded = await this.deps.policies.record(event.detail);
        this.deps.logger.info('privacy policy update', { policyVersion: event.detail.policyVersion, current: recorded });
        return;
      }
      case 'HoldReady': {
        const { detail } = event;
        const hold = {
          holdId: detail.holdId,
          patronId: detail.patronId,
          title: detail.title,
          pickupBranch: detail.pickupBranch,
          pickupBy: toUtc(detail.pickupBy),
          readyAt: toUtc(detail.occurredAt),
        };
        if (!(await this.deps.holds.putReady(hold))) return;
        await this.deps.noticeQueue.enqueue([
          {
            kind: 'hold-ready',
            patronId: hold.patronId,
            subjectId: hold.holdId,
            subjectVersion: hold.pickupBy,
            causationId: detail.eventId,
            hold: { title: hold.title, pickupBranch: hold.pickupBranch, pickupBy: hold.pickupBy },
          },
        ]);
        return;
      }
      default:
        // Valid contract v1 events whose processing has not landed yet (see the README's roadmap):
        // accepted, counted and visible, not failed into the DLQ.
        this.deps.metrics.addMetric('event-not-yet-processed', MetricUnit.Count, 1);
        this.deps.logger.info('event type not processed yet', { detailType: event.detailType, eventId: event.detail.eventId });
    }
  }
}
