/**
 * What a notice is about, read from the table when the notice is sent: the notifier queue carries ids
 * only (patron, hold, loans, fine, renewal request), so titles, dates, amounts and a renewal reply's
 * family labels never sit in a queue, its dead-letter queue or a redrive. A subject gone by then (hold
 * closed or past its pick-up date, loans returned, fine resolved, account purged, a renewal request
 * expired) means the notice is not sent: the caller counts it, it is not an error.
 */
import { BatchGetCommand, GetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dayIn } from '#shared/clock.ts';
import { BookdropError } from '#shared/errors.ts';
import type { ComposableNotice, NoticeKind, NoticePayloadOf, NoticeRequest, NoticeRequestOf } from '#shared/notices/noticeKinds.ts';
import { isExpired, type TableContext } from '#shared/table/documentClient.ts';
import { fineKey, holdKey, loanKey, renewalRequestKey } from '#shared/table/keys.ts';

/** Reads, for a notice request, what its templates need; `undefined` when the subject is gone. */
export interface NoticeSubjects {
  load(request: NoticeRequest, now: Date): Promise<ComposableNotice | undefined>;
}

/** One reader per kind: a kind without one fails the type check. */
type SubjectReaders = { readonly [K in NoticeKind]: (request: NoticeRequestOf<K>, now: Date) => Promise<NoticePayloadOf<K> | undefined> };

/** BatchGetItem's limit on keys per request. */
const BATCH_GET_LIMIT = 100;
/** Rounds of UnprocessedKeys a digest read retries before failing (the queue then retries it). */
const UNPROCESSED_ROUNDS = 5;

export class DynamoNoticeSubjects implements NoticeSubjects {
  public constructor(
    private readonly table: TableContext,
    /** The library's time zone: a digest lists the loans still due on its day. */
    private readonly timeZone: string,
  ) {}

  private readonly readers: SubjectReaders = {
    'hold-ready': (request, now) => this.hold(request.patronId, request.subjectId, now),
    'hold-expiring': (request, now) => this.hold(request.patronId, request.subjectId, now),
    'due-soon': (request, now) => this.loans(request.patronId, request.subjectId, request.loanIds, now),
    overdue: (request, now) => this.loans(request.patronId, request.subjectId, request.loanIds, now),
    'fine-assessed': (request, now) => this.fine(request.patronId, request.subjectId, now),
    // A library's own texts name no one: they travel in the message.
    'service-update': async (request) => ({ message: request.message }),
    'policy-update': async (request) => ({ policy: request.policy }),
    'sms-opt-in': async () => ({}),
    // The reply fixed when its request closed, read from the request's record (never carried in the queue).
    'renewal-reply': (request, now) => this.renewalReply(request.subjectId, now),
  };

  public async load(request: NoticeRequest, now: Date): Promise<ComposableNotice | undefined> {
    const read = this.readers[request.kind] as (request: NoticeRequest, now: Date) => Promise<object | undefined>;
    const payload = await read(request, now);
    return payload === undefined ? undefined : ({ ...request, ...payload } as ComposableNotice);
  }

  private async item(key: { pk: string; sk: string }, now: Date): Promise<Record<string, unknown> | undefined> {
    // Strongly consistent: the record was written before the request was queued.
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }));
    return Item && !isExpired(Item, now) ? Item : undefined;
  }

  private async hold(patronId: string, holdId: string, now: Date): Promise<NoticePayloadOf<'hold-ready'> | undefined> {
    const item = await this.item(holdKey(patronId, holdId), now);
    // A hold past its pick-up date can no longer be picked up: announcing it would mislead, whichever
    // event asked (its own late HoldReady, or a registration that finds it; the two agree).
    if (item?.status !== 'ready' || Date.parse(String(item.pickupBy)) <= now.getTime()) return undefined;
    return { hold: { title: String(item.title), pickupBranch: String(item.pickupBranch), pickupBy: String(item.pickupBy) } };
  }

  private async renewalReply(requestId: string, now: Date): Promise<NoticePayloadOf<'renewal-reply'> | undefined> {
    const item = await this.item(renewalRequestKey(requestId), now);
    return typeof item?.reply === 'string' && item.reply.length > 0 ? { reply: { text: item.reply } } : undefined;
  }

  private async fine(patronId: string, fineId: string, now: Date): Promise<NoticePayloadOf<'fine-assessed'> | undefined> {
    const item = await this.item(fineKey(patronId, fineId), now);
    if (item === undefined) return undefined;
    return { fine: { amount: String(item.amount), currency: String(item.currency), reason: String(item.reason) } };
  }

  /** The digest's loans still open and still due on its day (a renewal moves a loan to another digest). */
  private async loans(
    patronId: string,
    day: string,
    loanIds: readonly string[],
    now: Date,
  ): Promise<NoticePayloadOf<'due-soon'> | undefined> {
    const items = await this.batchGet(loanIds.map((loanId) => loanKey(patronId, loanId)));
    const loans = items
      .filter((item) => !isExpired(item, now))
      .map((item) => item.loan as { loanId: string; title?: string; dueAt: { value: string }; status: string } | undefined)
      .filter((loan) => loan !== undefined && loan.status === 'active' && dayIn(this.timeZone, loan.dueAt.value) === day)
      .map((loan) => ({ loanId: loan!.loanId, title: loan!.title ?? '', dueAt: loan!.dueAt.value }))
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.title.localeCompare(b.title));
    return loans.length === 0 ? undefined : { items: loans };
  }

  private async batchGet(keys: readonly { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
      let pending: Record<string, unknown>[] | undefined = keys.slice(start, start + BATCH_GET_LIMIT).map((key) => ({ ...key }));
      for (let round = 0; pending && pending.length > 0; round++) {
        if (round >= UNPROCESSED_ROUNDS)
          throw new BookdropError('DynamoDB left loan reads unprocessed: the queue retries the notice', {
            context: { keys: pending.length },
          });
        const result: BatchGetCommandOutput = await this.table.doc.send(
          new BatchGetCommand({ RequestItems: { [this.table.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(result.Responses?.[this.table.tableName] ?? []));
        pending = result.UnprocessedKeys?.[this.table.tableName]?.Keys;
      }
    }
    return found;
  }
}
