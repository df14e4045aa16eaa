/**
 * Every key format of Bookdrop's one table, and the kinds of item it holds. No key prefix is spelled
 * anywhere else: repositories build keys here and parse them here.
 *
 * Everything linked to a patron lives in the patron's partition (`PATRON#<patronId>`), so one query
 * lists it (the patron data report) and one paginated sweep deletes it. Records with no patron
 * (tombstones, statistics, journals, logs of inbound texts) have partitions of their own; tombstones
 * are keyed by a hash of the loan, fine or hold id, so they name no one.
 */
import { createHash } from 'node:crypto';

/** A table key. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

const PATRON = 'PATRON#';

/** Sort-key prefixes of the records in a patron's partition. */
export const PATRON_RECORD = {
  profile: 'PROFILE',
  consent: 'CONSENT#',
  hold: 'HOLD#',
  loan: 'LOAN#',
  fine: 'FINE#',
  history: 'HISTORY#',
  notice: 'NOTICE#',
  /** A loan named by a pending renewal request by text (its request id): found by patron and loan. */
  renewing: 'RENEWING#',
} as const;

const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url').slice(0, 32);

/** The partition key of a patron's records. */
export const patronPartition = (patronId: string) => `${PATRON}${patronId}`;
/** The patron id of a patron partition key. */
export const patronIdOf = (pk: string) => pk.slice(PATRON.length);

export const patronKey = (patronId: string): ItemKey => ({ pk: patronPartition(patronId), sk: PATRON_RECORD.profile });
export const ledgerKey = (
  patronId: string,
  entry: { at: string; topic: string; evidenceId: string; suppressed?: boolean | undefined },
): ItemKey => ({
  pk: patronPartition(patronId),
  // One event can record both a choice and a suppression change of one topic: two items.
  sk: `${PATRON_RECORD.consent}${entry.at}#${entry.topic}#${entry.evidenceId}${entry.suppressed === undefined ? '' : '#suppression'}`,
});
export const holdKey = (patronId: string, holdId: string): ItemKey => ({
  pk: patronPartition(patronId),
  sk: `${PATRON_RECORD.hold}${holdId}`,
});
export const loanKey = (patronId: string, loanId: string): ItemKey => ({
  pk: patronPartition(patronId),
  sk: `${PATRON_RECORD.loan}${loanId}`,
});
export const fineKey = (patronId: string, fineId: string): ItemKey => ({
  pk: patronPartition(patronId),
  sk: `${PATRON_RECORD.fine}${fineId}`,
});
export const historyKey = (patronId: string, returnedAt: string, loanId: string): ItemKey => ({
  pk: patronPartition(patronId),
  sk: `${PATRON_RECORD.history}${returnedAt}#${loanId}`,
});
export const noticeItemKey = (patronId: string, noticeKey: string): ItemKey => ({
  pk: patronPartition(patronId),
  sk: `${PATRON_RECORD.notice}${noticeKey}`,
});
/**
 * A loan of the patron's that a renewal request by text names: one item per loan and request, so a
 * `LoanRenewed` without a request id finds the requests it answers with one query of `<loanId>#`.
 */
export const renewingLoanKey = (patronId: string, loanId: string, requestId: string): ItemKey => ({
  pk: patronPartition(patronId),
  sk: `${PATRON_RECORD.renewing}${loanId}#${requestId}`,
});
/** The sort-key prefix of the renewal requests naming one loan (ids hold no `#`, so no other loan's). */
export const renewingLoanPrefix = (loanId: string) => `${PATRON_RECORD.renewing}${loanId}#`;
/** The notice key of a notice item's sort key. */
export const noticeKeyOf = (sk: string) => sk.slice(PATRON_RECORD.notice.length);

export const loanTombstoneKey = (loanId: string): ItemKey => ({ pk: `LOANDONE#${hashOf(loanId)}`, sk: 'LOAN' });
export const fineTombstoneKey = (fineId: string): ItemKey => ({ pk: `FINEDONE#${hashOf(fineId)}`, sk: 'FINE' });
export const holdTombstoneKey = (holdId: string): ItemKey => ({ pk: `HOLDDONE#${hashOf(holdId)}`, sk: 'HOLD' });

/** The statistics partition of a day: its counts, summed when read. */
export const statisticsPartition = (day: string) => `STATS#${day}`;
/** A day's total for one branch and material type: the per-event counts folded in when they expire. */
export const statisticsTotalKey = (stat: { day: string; branch: string; materialType: string }): ItemKey => ({
  pk: statisticsPartition(stat.day),
  sk: `${stat.branch}#${stat.materialType}`,
});
/** One counted event: keyed by a hash of its event id, so a retry or a duplicate writes the same item. */
export const statisticsCountKey = (stat: { day: string; branch: string; materialType: string; eventId: string }): ItemKey => ({
  pk: statisticsPartition(stat.day),
  sk: `${stat.branch}#${stat.materialType}#${hashOf(stat.eventId)}`,
});
/** The purge journal's partitions (counts and markers): the only ones the table-stream function may write. */
export const PURGE_PARTITION = 'PURGE#';
export const purgeJournalKey = (day: string, recordKind: string): ItemKey => ({ pk: `${PURGE_PARTITION}${day}`, sk: recordKind });
export const purgeMarkKey = (streamEventId: string): ItemKey => ({ pk: `${PURGE_PARTITION}MARK#${streamEventId}`, sk: 'MARK' });
export const inboundKey = (inboundMessageId: string): ItemKey => ({ pk: `INBOUND#${inboundMessageId}`, sk: 'INBOUND' });
/** A number's automatic replies on a library day (reply caps), by the number's blind index. */
export const smsRepliesKey = (phoneIndex: string, day: string): ItemKey => ({ pk: `SMSREPLIES#${phoneIndex}`, sk: day });
export const policyKey: ItemKey = { pk: 'CONSORTIUM', sk: 'POLICY' };
export const sweepPageKey = (page: {
  runDay: string;
  kind: string;
  targetDay: string;
  shard: number;
  cursor?: string | undefined;
}): ItemKey => ({
  pk: `SWEEP#${page.runDay}#${page.kind}#${page.targetDay}`,
  sk: `${page.shard}#${page.cursor ?? ''}`,
});
export const fanOutPageKey = (page: {
  kind: string;
  subjectId: string;
  subjectVersion: string;
  shard: number;
  cursor?: string | undefined;
}): ItemKey => ({
  pk: `FANOUT#${page.kind}#${page.subjectId}#${page.subjectVersion}`,
  sk: `${page.shard}#${page.cursor ?? ''}`,
});
/** The fan-out index partition of one audience shard. */
export const audiencePartition = (shard: number) => `AUDIENCE#${shard}`;
/** The sweep index partition of loans due, or holds to pick up, on a day. */
export const sweepPartition = (target: 'DUE' | 'PICKUP', day: string, shard: number) => `${target}#${day}#${shard}`;
/** Replay markers of the signed ILS webhook: the only partitions the webhook function may write. */
export const WEBHOOK_SIGNATURE_PARTITION = 'WEBHOOKSIG#';
export const webhookSignatureKey = (signature: string): ItemKey => ({ pk: `${WEBHOOK_SIGNATURE_PARTITION}${signature}`, sk: 'SEEN' });
/** Loans snapshots of the ILS report-file bridge, one partition per feed: the only ones the bridge may use. */
export const ILS_FEED_PARTITION = 'ILSFEED#';
/** Sort-key prefix of one open loan in a feed's snapshot. */
export const ILS_FEED_LOAN = 'SNAPSHOTLOAN#';
export const ilsFeedPartition = (feed: string) => `${ILS_FEED_PARTITION}${feed}`;
export const ilsFeedHeadKey = (feed: string): ItemKey => ({ pk: ilsFeedPartition(feed), sk: 'HEAD' });
export const ilsFeedLoanKey = (feed: string, loanId: string): ItemKey => ({ pk: ilsFeedPartition(feed), sk: `${ILS_FEED_LOAN}${loanId}` });
/** A text-message renewal request (RENEW by SMS) while the ILS answers it; kept briefly. */
export const renewalRequestKey = (requestId: string): ItemKey => ({ pk: `RENEWAL#${requestId}`, sk: 'REQUEST' });
