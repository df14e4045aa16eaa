/**
 * Renewal requests made by text (RENEW, RENEW ALL): one record per request while the ILS answers it,
 * and the rule that each request gets exactly one reply.
 *
 * The ILS answers each loan with `LoanRenewed` or `RenewalRefused` (both carrying the request id).
 * Many ILSs do not echo a request id in `LoanRenewed`: each loan of a request is also noted in its
 * patron's partition (`RENEWING#<loanId>#<requestId>`), so a renewal without one finds, with one query
 * keyed by patron and loan, the requests it answers (those made before it happened and still within
 * their time), and a renewal at the desk that no request names finds none.
 * Each answer is recorded once per loan (a duplicate or a late one changes nothing). The request
 * closes when every loan is answered, or when its deadline passes: a single conditional write picks
 * the one closing, which fixes the reply's text on the record. The reply goes to the notifier as a
 * `renewal-reply` notice keyed by the request id, so a retried close, a duplicate answer or a
 * deadline after the close sends nothing twice. The record holds patron and loan ids, never the
 * number or a title. It and the loan notes link patrons to loans, so they are kept only as long as a
 * redelivery of the text that made them can arrive ({@link renewalRecordDays}), not for the inbound
 * SMS log's month.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { STORAGE_PERIODS } from '#infra/storagePeriods.ts';
import { expiryAfterDays, type Clock } from '#shared/clock.ts';
import { brandingFor, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';
import { commandSettings, renewalReply, type LoanOutcome, type RefusalReason } from '#shared/sms/smsCommands.ts';
import { isExpired, queryAll, writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { patronPartition, renewalRequestKey, renewingLoanKey, renewingLoanPrefix } from '#shared/table/keys.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';

/** One loan of a request, with the patron it belongs to and that patron's label in the reply. */
export interface RequestedLoan {
  readonly patronId: string;
  readonly label: string;
  readonly outcome: LoanOutcome;
}

/** A renewal request as stored. */
export interface RenewalRequest {
  readonly requestId: string;
  /** The patron whose SMS receives the reply (an opted-in patron of the number that asked). */
  readonly replyPatronId: string;
  readonly language: Language;
  /** The member library the reply speaks for (the consortium when the number's patrons differ). */
  readonly library: string | undefined;
  readonly requestedAt: string;
  readonly deadline: string;
  /** Loan id → what became of it. */
  readonly loans: Readonly<Record<string, RequestedLoan>>;
  readonly status: 'open' | 'closed';
  /** How it closed: every loan answered, or the ILS's time ran out. */
  readonly closedAs?: 'answered' | 'timed-out';
  /** The reply, fixed when the request closed. */
  readonly reply?: string;
}

/** The answer the ILS gave for one loan. */
export type LoanAnswer =
  | { readonly state: 'renewed'; readonly dueAt: string }
  | { readonly state: 'refused'; readonly reason: RefusalReason };

/** A request naming a loan, as the loan's note in the patron's partition has it. */
export interface RequestNamingLoan {
  readonly requestId: string;
  readonly requestedAt: string;
  readonly deadline: string;
}

/**
 * How far the ILS's clock may be from Bookdrop's: a renewal without a request id answers a request
 * if it happened no earlier than this before the request was made, and no later after its deadline.
 */
export const RENEWAL_CLOCK_SKEW_MS = 5 * 60_000;

/** The port the request records go through; DynamoDB below, a fake in domain tests. */
export interface RenewalStore {
  /** Stores a new request; false if one with its id exists (a redelivered RENEW). */
  create(request: RenewalRequest, expiresAt: number): Promise<boolean>;
  /** Notes each loan of the request in its patron's partition (idempotent: the same keys again). */
  noteLoans(request: RenewalRequest, expiresAt: number): Promise<void>;
  /** The requests that named this loan of this patron and have not expired. */
  requestsNaming(patronId: string, loanId: string, now: Date): Promise<RequestNamingLoan[]>;
  get(requestId: string): Promise<RenewalRequest | undefined>;
  /** Records an answer for a loan still pending; false if it was answered already or is not in the request. */
  answer(requestId: string, loanId: string, answer: LoanAnswer): Promise<boolean>;
  /**
   * Closes an open request with its reply and its new expiry (the notifier reads the reply from the
   * record until then); false if it was closed already.
   */
  close(requestId: string, closedAs: 'answered' | 'timed-out', reply: string, expiresAt: number): Promise<boolean>;
}

export class DynamoRenewalStore implements RenewalStore {
  public constructor(private readonly table: TableContext) {}

  public create(request: RenewalRequest, expiresAt: number): Promise<boolean> {
    return writeIf(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...renewalRequestKey(request.requestId), kind: 'renewal-request', ...request, [TABLE.ttlAttribute]: expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** One put per loan (1 WCU each: a small item), all at once. */
  public async noteLoans(request: RenewalRequest, expiresAt: number): Promise<void> {
    await Promise.all(
      Object.entries(request.loans).map(([loanId, loan]) =>
        this.table.doc.send(
          new PutCommand({
            TableName: this.table.tableName,
            Item: {
              ...renewingLoanKey(loan.patronId, loanId, request.requestId),
              kind: 'renewal-loan',
              loanId,
              requestId: request.requestId,
              requestedAt: request.requestedAt,
              deadline: request.deadline,
              [TABLE.ttlAttribute]: expiresAt,
            },
          }),
        ),
      ),
    );
  }

  /** One strongly consistent query of the patron's partition, under the loan's prefix (1 RCU for a few requests). */
  public async requestsNaming(patronId: string, loanId: string, now: Date): Promise<RequestNamingLoan[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': patronPartition(patronId), ':prefix': renewingLoanPrefix(loanId) },
      ProjectionExpression: 'requestId, requestedAt, deadline, #ttl',
      ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
      ConsistentRead: true,
    });
    return items
      .filter((item) => !isExpired(item, now))
      .map((item) => ({ requestId: String(item.requestId), requestedAt: String(item.requestedAt), deadline: String(item.deadline) }));
  }

  public async get(requestId: string): Promise<RenewalRequest | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: renewalRequestKey(requestId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, kind: _kind, [TABLE.ttlAttribute]: _ttl, ...request } = Item;
    return request as RenewalRequest;
  }

  public answer(requestId: string, loanId: string, answer: LoanAnswer): Promise<boolean> {
    return writeIf(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: renewalRequestKey(requestId),
          UpdateExpression: 'SET loans.#loan.outcome = :outcome',
          ConditionExpression: 'attribute_exists(pk) AND loans.#loan.outcome.#state = :pending',
          ExpressionAttributeNames: { '#loan': loanId, '#state': 'state' },
          ExpressionAttributeValues: { ':outcome': answer, ':pending': 'pending' },
        }),
      ),
    );
  }

  public close(requestId: string, closedAs: 'answered' | 'timed-out', reply: string, expiresAt: number): Promise<boolean> {
    return writeIf(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: renewalRequestKey(requestId),
          UpdateExpression: 'SET #status = :closed, closedAs = :closedAs, reply = :reply, #ttl = :expiresAt',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ':closed': 'closed',
            ':open': 'open',
            ':closedAs': closedAs,
            ':reply': reply,
            ':expiresAt': expiresAt,
          },
        }),
      ),
    );
  }
}

/**
 * Days a renewal request and its loan notes are kept beyond the dead-letter queues' days: the text
 * that made them can come back from its input queue (`STORAGE_PERIODS.queueDays`) or, after failing,
 * from a redrive of its dead-letter queue (`retention.deadLetterDays`); one more day covers the
 * request's deadline (at most 15 minutes) and the ILS's late answers. A redelivered text then finds
 * its request (and its reply) instead of asking the ILS again as a new one. The close keeps the
 * request as long again from then, for the reply notice's own queue and dead-letter queue.
 */
export const RENEWAL_RECORD_EXTRA_DAYS = STORAGE_PERIODS.queueDays + 1;

/** How long a renewal request and its loan notes are kept, in days. */
export function renewalRecordDays(config: ConsortiumConfig): number {
  return config.retention.deadLetterDays + RENEWAL_RECORD_EXTRA_DAYS;
}

export interface RenewalTrackerDeps {
  readonly config: ConsortiumConfig;
  readonly clock: Clock;
  readonly store: RenewalStore;
  /** The notifier queue: the reply goes out as a `renewal-reply` notice. */
  readonly notices: NoticeQueue;
}

/** What an answer or a deadline did to its request. */
export type TrackOutcome = 'recorded' | 'replied' | 'duplicate' | 'unknown-request' | 'closed-already';

/** Records the ILS's answers and closes each request once, with one reply. */
export class RenewalTracker {
  public constructor(private readonly deps: RenewalTrackerDeps) {}

  /**
   * Stores a new request and notes its loans under their patrons (idempotent: a redelivered RENEW
   * finds its own record, and notes the loans of the stored request again).
   */
  public async create(request: RenewalRequest): Promise<boolean> {
    const expiresAt = expiryAfterDays(this.deps.clock.now(), renewalRecordDays(this.deps.config));
    const created = await this.deps.store.create(request, expiresAt);
    const stored = created ? request : await this.deps.store.get(request.requestId);
    if (stored !== undefined) await this.deps.store.noteLoans(stored, expiresAt);
    return created;
  }

  /**
   * A renewal the ILS reported without a request id (a `LoanRenewed` that does not echo one, or a
   * renewal at the desk): it answers every request of the patron that names the loan, was made no
   * later than the renewal and whose deadline had not passed when it happened (both give
   * {@link RENEWAL_CLOCK_SKEW_MS} for the ILS's clock). A renewal no request names answers nothing.
   * Returns what it did to each request it answered.
   */
  public async answerRenewal(
    patronId: string,
    loanId: string,
    renewedAt: string,
    answer: Extract<LoanAnswer, { state: 'renewed' }>,
  ): Promise<{ requestId: string; outcome: TrackOutcome }[]> {
    const at = Date.parse(renewedAt);
    const naming = (await this.deps.store.requestsNaming(patronId, loanId, this.deps.clock.now())).filter(
      (request) =>
        Date.parse(request.requestedAt) - RENEWAL_CLOCK_SKEW_MS <= at && at <= Date.parse(request.deadline) + RENEWAL_CLOCK_SKEW_MS,
    );
    // One after the other, oldest first: the same order whichever delivery runs it.
    const answered: { requestId: string; outcome: TrackOutcome }[] = [];
    for (const { requestId } of naming.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.requestId.localeCompare(b.requestId)))
      answered.push({ requestId, outcome: await this.answer(requestId, loanId, answer) });
    return answered;
  }

  /** An answer from the ILS for one loan of a request: the reply goes once every loan is answered. */
  public async answer(requestId: string, loanId: string, answer: LoanAnswer): Promise<TrackOutcome> {
    const recorded = await this.deps.store.answer(requestId, loanId, answer);
    const request = await this.deps.store.get(requestId);
    if (request === undefined) return 'unknown-request';
    if (request.status === 'closed') {
      // A retry of the answer that closed it re-sends the same notice (its key makes that a no-op).
      if (!recorded) await this.enqueueReply(request);
      return recorded ? 'closed-already' : 'duplicate';
    }
    if (Object.values(request.loans).some((loan) => loan.outcome.state === 'pending')) return recorded ? 'recorded' : 'duplicate';
    return (await this.close(request, 'answered')) ? 'replied' : 'duplicate';
  }

  /** The request's deadline passed: if it is still open, the patron hears what is known and how to renew otherwise. */
  public async deadline(requestId: string): Promise<TrackOutcome> {
    const request = await this.deps.store.get(requestId);
    if (request === undefined) return 'unknown-request';
    if (request.status === 'closed') {
      await this.enqueueReply(request);
      return 'closed-already';
    }
    return (await this.close(request, 'timed-out')) ? 'replied' : 'closed-already';
  }

  private async close(request: RenewalRequest, closedAs: 'answered' | 'timed-out'): Promise<boolean> {
    const reply = this.replyText(request);
    // Kept as long again from the close: the reply notice may come back from the notifier's queue or a
    // redrive of its dead-letter queue, and the notifier reads the reply from this record.
    const expiresAt = expiryAfterDays(this.deps.clock.now(), renewalRecordDays(this.deps.config));
    const won = await this.deps.store.close(request.requestId, closedAs, reply, expiresAt);
    // Lost the race: the other close fixed the reply and enqueues it; enqueueing the stored one again is harmless.
    const closed = won ? { ...request, status: 'closed' as const, closedAs, reply } : await this.deps.store.get(request.requestId);
    if (closed) await this.enqueueReply(closed);
    return won;
  }

  /** The reply's words, from the loans' outcomes, one line per patron. */
  public replyText(request: RenewalRequest): string {
    const lines = new Map<string, { label: string; loans: LoanOutcome[] }>();
    // In patron id order, as the request was made (a stored map keeps no order).
    for (const loan of Object.values(request.loans).sort((a, b) => a.patronId.localeCompare(b.patronId))) {
      const line = lines.get(loan.patronId) ?? { label: loan.label, loans: [] };
      line.loans.push(loan.outcome);
      lines.set(loan.patronId, line);
    }
    const { branding } = brandingFor(this.deps.config, request.library);
    return renewalReply(
      [...lines.values()],
      { language: request.language, branding, timeZone: this.deps.config.timeZone },
      commandSettings(this.deps.config).catalogUrl !== undefined,
    );
  }

  private async enqueueReply(request: RenewalRequest): Promise<void> {
    if (request.reply === undefined) return;
    await this.deps.notices.enqueue([
      {
        type: 'notice',
        kind: 'renewal-reply',
        patronId: request.replyPatronId,
        subjectId: request.requestId,
        subjectVersion: '1',
        causationId: request.requestId,
      },
    ]);
  }
}
