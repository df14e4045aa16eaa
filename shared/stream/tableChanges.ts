/**
 * What Bookdrop does with its table's change stream (the transactional outbox): a consent ledger
 * entry becomes a `PatronConsentChanged` event (and, for an SMS opt-in, a confirmation text); a
 * notice that reaches `sent` or `failed` becomes `NoticeSent` or `NoticeFailed`. Because these follow
 * committed writes, a crash between the write and the publish cannot lose them.
 */
import type { OutboundEvent } from '#shared/outbound/outboundEvents.ts';
import type { NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { ANNOUNCED_SOURCES, UNCONFIRMED_OPT_IN_SOURCES, type ConsentLedgerEntry } from '#shared/patrons/patronProfile.ts';
import type { OutboundDetail } from '#shared/events/contract.ts';
import { sumStatistics, type StatTotal } from '#shared/circulation/loans.ts';

/** A stream record, unmarshalled. */
export interface TableChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly newImage: Record<string, unknown> | undefined;
  readonly oldImage: Record<string, unknown> | undefined;
  /** True when DynamoDB's TTL process deleted the item (not an application delete). */
  readonly expiredByTtl: boolean;
}

/** The follow-ups of one change. */
export interface ChangeEffects {
  readonly events: OutboundEvent[];
  readonly notices: NoticeRequest[];
  /** The record kind a TTL deletion removed, for the purge journal (counts only). */
  readonly purged?: string;
  /** An expired per-event statistics count: what to add to its day's total (no event id, no patron). */
  readonly rollUp?: StatTotal;
}

/** Item kinds that hold no data about anyone: their expiry is not journaled. */
const BOOKKEEPING = new Set(['purge-mark', 'job-page']);

export function effectsOf(change: TableChange): ChangeEffects {
  const events: OutboundEvent[] = [];
  const notices: NoticeRequest[] = [];
  if (change.expiredByTtl) {
    // Bookkeeping (the journal's own marks, paged-job markers) expires too; it is not a record.
    const kind = String(change.oldImage?.kind ?? 'unknown');
    if (BOOKKEEPING.has(kind)) return { events, notices };
    // A per-event count (the only statistics item with a TTL) is folded into its day's total.
    const [rollUp] = kind === 'statistics' && change.oldImage ? sumStatistics([change.oldImage]) : [];
    const counted = rollUp !== undefined && Object.values(rollUp.counts).some((count) => count > 0);
    return { events, notices, purged: kind, ...(counted ? { rollUp } : {}) };
  }
  const item = change.newImage;
  if (change.eventName === 'INSERT' && item?.kind === 'consent-ledger') {
    const entry = item as unknown as ConsentLedgerEntry;
    // A late choice (not in force) is history only: announcing it would roll the ILS back.
    if (entry.effective === false) return { events, notices };
    if ((entry.topic === 'sms' || entry.topic === 'email') && ANNOUNCED_SOURCES.has(entry.source)) {
      events.push({
        detailType: 'PatronConsentChanged',
        detail: {
          patronId: entry.patronId,
          channel: entry.topic,
          // A suppressed channel is effectively off, whatever the patron chose.
          optedIn: entry.optedIn && entry.suppressed !== true,
          source: entry.source as OutboundDetail<'PatronConsentChanged'>['source'],
          at: entry.at,
        },
      });
    }
    // An opt-in by SMS keyword (START) is confirmed by the inbound SMS reply itself; an imported one
    // was made long ago, in the ILS: texting every imported patron at once is what the import avoids.
    if (entry.topic === 'sms' && entry.optedIn && entry.suppressed === undefined && !UNCONFIRMED_OPT_IN_SOURCES.has(entry.source)) {
      notices.push({
        type: 'notice',
        kind: 'sms-opt-in',
        patronId: entry.patronId,
        subjectId: entry.evidenceId,
        subjectVersion: entry.at,
        causationId: entry.evidenceId,
      });
    }
  }
  if ((change.eventName === 'MODIFY' || change.eventName === 'INSERT') && item?.kind === 'notice') {
    const status = item.status;
    const before = change.oldImage?.status;
    const base = {
      noticeId: String(item.noticeId),
      patronId: String(item.patronId),
      kind: String(item.noticeKind),
      channel: item.channel as 'sms' | 'email',
    };
    if (status === 'sent' && before !== 'sent') events.push({ detailType: 'NoticeSent', detail: base });
    if (status === 'failed' && before !== 'failed') {
      events.push({ detailType: 'NoticeFailed', detail: { ...base, reason: String(item.reason ?? 'unknown') } });
    }
  }
  return { events, notices };
}
