/**
 * Renewal requests made by text (RENEW, RENEW ALL): one record per request while the ILS answers it,
 * and the rule that each request gets exactly one reply.
 *
 * The ILS answers each loan with `LoanRenewed` or `RenewalRefused` (both carrying the request id).
 * Each answer is recorded once per loan (a duplicate or a late one changes nothing). The request
 * closes when every loan is answered, or when its deadline passes: a single conditional write picks
 * the one closing, which fixes the reply's text on the record. The reply goes to the notifier as a
 * `renewal-reply` notice keyed by the request id, so a retried close, a duplicate answer or a
 * deadline after the close sends nothing twice. The record holds patron and loan ids, never the
 * number or a title, and expires with the inbound SMS log.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays, type Clock } from '#shared/clock.ts';
import { brandingFor, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';
import { commandSettings, renewalReply, type LoanOutcome, type RefusalReason } from '#shared/sms/smsCommands.ts';
import { writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { renewalRequestKey } from '#shared/table/keys.ts';
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

/** The port the request records go through; DynamoDB below, a fake in domain tests. */
export interface RenewalStore {
  /** Stores a new request; false if one with its id exists (a redelivered RENEW). */
  create(request: RenewalRequest, expiresAt: number): Promise<boolean>;
  get(requestId: string): Promise<RenewalRequest | undefined>;
  /** Records an answer for a loan still pending; false if it was answered already or is not in the request. */
  answer(requestId: string, loanId: string, answer: LoanAnswer): Promise<boolean>;
  /** Closes an open request with its reply; false if it was closed already. */
  close(requestId: string, closedAs: 'answered' | 'timed-out', reply: string): Promise<boolean>;
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

  public close(requestId: string, closedAs: 'answered' | 'timed-out', reply: string): Promise<boolean> {
    return writeIf(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: renewalRequestKey(requestId),
          UpdateExpression: 'SET #status = :closed, closedAs = :closedAs, reply = :reply',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':closed': 'closed', ':open': 'open', ':closedAs': closedAs, ':reply': reply },
        }),
      ),
    );
  }
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

  /** Stores a new request (idempotent: a redelivered RENEW finds its own record). */
  public create(request: RenewalRequest): Promise<boolean> {
    return this.deps.store.create(request, expiryAfterDays(this.deps.clock.now(), this.deps.config.retention.inboundSmsLogDays));
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
    const won = await this.deps.store.close(request.requestId, closedAs, reply);
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
        reply: { text: request.reply },
      },
    ]);
  }
}
