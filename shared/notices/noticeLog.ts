/**
 * The notice log: one item per notice key, the dedupe record and delivery status, expiring after
 * the configured retention.
 *
 * A send starts by claiming the key with one conditional write; the sender then reads the patron's
 * profile again and sends only if the channel is still opted in with the very contact it read first
 * (else it drops the claim). So an opt-out or suppression committed before the claim always stops the
 * send, at one write unit per claim instead of a transaction with a check on the 1.6 KB profile.
 *
 * A claim is never taken twice: a notice is sent at most once. While another worker holds the claim
 * (its lease runs), the claim answers `in-progress` and the caller retries later through its queue.
 * A claim whose lease ran out without an outcome means the worker died somewhere between the claim
 * and the outcome record, perhaps after the provider accepted the message: the notice is recorded as
 * failed with reason `outcome-unknown` (announced as `NoticeFailed`), never sent again.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import { ConcurrentUpdateError } from '#shared/errors.ts';
import { isExpired, writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { noticeItemKey, noticeKeyOf } from '#shared/table/keys.ts';
import type { Channel } from '#shared/patrons/patronProfile.ts';
import type { NoticeKind } from '#shared/notices/noticeKinds.ts';

/**
 * `claimed`: this sender owns the notice now. `already-handled`: sent or failed for good.
 * `in-progress`: another worker holds the claim; retry later. `outcome-unknown`: a worker died
 * holding the claim; the notice is now recorded as failed.
 */
export type ClaimOutcome = 'claimed' | 'already-handled' | 'in-progress' | 'outcome-unknown';

/** The reason recorded for a notice whose sender died holding its claim. */
export const OUTCOME_UNKNOWN = 'outcome-unknown';

export interface NoticeClaim {
  readonly noticeKey: string;
  readonly noticeId: string;
  readonly patronId: string;
  readonly kind: NoticeKind;
  readonly channel: Channel;
  /** When that contact was set: email feedback applies only while it is still the patron's contact. */
  readonly contactAt: string;
}

export interface NoticeLog {
  claim(claim: NoticeClaim, now: Date): Promise<ClaimOutcome>;
  markSent(patronId: string, noticeKey: string, providerMessageId: string, now: Date): Promise<void>;
  markFailed(patronId: string, noticeKey: string, reason: string, now: Date): Promise<void>;
  /**
   * Deletes a claim taken at `now` by this sender, when the re-read after the claim found the channel
   * closed: nothing was sent, and a later request may claim the key again.
   */
  drop(patronId: string, noticeKey: string, now: Date): Promise<void>;
  /** Gives a claim back after a retryable failure, so the queue's retry can claim it at once. */
  release(patronId: string, noticeKey: string): Promise<void>;
  /** Finds a notice by its opaque id (from SES message tags); `undefined` when unknown or expired. */
  findById(noticeId: string, now: Date): Promise<NoticeRecord | undefined>;
  /** Counts a transient delivery problem (soft bounce) on the notice, once per SES feedback id (SQS may deliver it twice). */
  countTransientBounce(patronId: string, noticeKey: string, feedbackId: string): Promise<void>;
}

/** What the notice log keeps about one notice. */
export interface NoticeRecord {
  readonly patronId: string;
  readonly noticeKey: string;
  readonly noticeId: string;
  readonly kind: string;
  readonly channel: Channel;
  readonly status: string;
  readonly contactAt: string | undefined;
}

/** How long a claim blocks other senders; longer than the notifier's timeout. */
export const CLAIM_LEASE_SECONDS = 120;

/** Notices live in their patron's partition, so a patron's records are one query away. */
export { noticeItemKey };

export class DynamoNoticeLog implements NoticeLog {
  public constructor(
    private readonly table: TableContext,
    private readonly retentionDays: number,
  ) {}

  public async claim(claim: NoticeClaim, now: Date): Promise<ClaimOutcome> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    // One conditional write (no transaction): the sender re-reads the patron's consent after the claim
    // (Notifier), so an opt-out committed before the claim still stops the send.
    const claimed = await writeIf(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...noticeItemKey(claim.patronId, claim.noticeKey),
            kind: 'notice',
            noticeId: claim.noticeId,
            patronId: claim.patronId,
            noticeKind: claim.kind,
            channel: claim.channel,
            contactAt: claim.contactAt,
            status: 'sending',
            claimedAt: now.toISOString(),
            leaseUntil: nowSeconds + CLAIM_LEASE_SECONDS,
            [TABLE.ttlAttribute]: expiryAfterDays(now, this.retentionDays),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :released',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':released': 'released' },
        }),
      ),
    );
    return claimed ? 'claimed' : this.heldClaim(claim, nowSeconds, now);
  }

  public async drop(patronId: string, noticeKey: string, now: Date): Promise<void> {
    // Only the claim this sender took (a claim is never taken twice while it stands).
    await writeIf(() =>
      this.table.doc.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: noticeItemKey(patronId, noticeKey),
          ConditionExpression: '#status = :sending AND claimedAt = :claimedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':claimedAt': now.toISOString() },
        }),
      ),
    );
  }

  /** Classifies a notice someone claimed before; a claim whose lease ran out is closed as failed. */
  private async heldClaim(claim: NoticeClaim, nowSeconds: number, now: Date): Promise<ClaimOutcome> {
    const key = noticeItemKey(claim.patronId, claim.noticeKey);
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }));
    if (Item?.status !== 'sending') return 'already-handled';
    if (Number(Item.leaseUntil) >= nowSeconds) return 'in-progress';
    const closed = await writeIf(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: key,
          UpdateExpression: 'SET #status = :failed, reason = :reason, finishedAt = :now REMOVE leaseUntil',
          ConditionExpression: '#status = :sending AND claimedAt = :claimedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':reason': OUTCOME_UNKNOWN,
            ':now': now.toISOString(),
            ':sending': 'sending',
            ':claimedAt': Item.claimedAt,
          },
        }),
      ),
    );
    return closed ? 'outcome-unknown' : 'already-handled';
  }

  public async markSent(patronId: string, noticeKey: string, providerMessageId: string, now: Date): Promise<void> {
    await this.finish(patronId, noticeKey, { status: 'sent', providerMessageId, finishedAt: now.toISOString() });
  }

  public async markFailed(patronId: string, noticeKey: string, reason: string, now: Date): Promise<void> {
    await this.finish(patronId, noticeKey, { status: 'failed', reason, finishedAt: now.toISOString() });
  }

  public async release(patronId: string, noticeKey: string): Promise<void> {
    await this.finish(patronId, noticeKey, { status: 'released' });
  }

  public async findById(noticeId: string, now: Date): Promise<NoticeRecord | undefined> {
    const { Items } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: TABLE.indexes.byNoticeId.name,
        KeyConditionExpression: 'noticeId = :id',
        ExpressionAttributeValues: { ':id': noticeId },
        Limit: 1,
      }),
    );
    const key = Items?.[0];
    if (!key) return undefined;
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: { pk: key.pk, sk: key.sk } }));
    if (!Item || isExpired(Item, now)) return undefined;
    return {
      patronId: String(Item.patronId),
      noticeKey: noticeKeyOf(String(Item.sk)),
      noticeId,
      kind: String(Item.noticeKind),
      channel: Item.channel as Channel,
      status: String(Item.status),
      contactAt: Item.contactAt as string | undefined,
    };
  }

  public async countTransientBounce(patronId: string, noticeKey: string, feedbackId: string): Promise<void> {
    const key = noticeItemKey(patronId, noticeKey);
    const counted = await writeIf(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: key,
          UpdateExpression: 'ADD transientBounces :one, transientFeedbackIds :ids',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(transientFeedbackIds, :id)',
          ExpressionAttributeValues: { ':one': 1, ':ids': new Set([feedbackId]), ':id': feedbackId },
        }),
      ),
    );
    if (counted) return;
    // Counted already (a redelivery), or the notice has expired since it was found: only the latter is an error.
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: key, ProjectionExpression: 'pk' }));
    if (!Item) throw new ConcurrentUpdateError('the notice expired while a transient bounce was counted on it: the feedback is read again');
  }

  private async finish(patronId: string, noticeKey: string, fields: Record<string, string>): Promise<void> {
    const names = Object.keys(fields);
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: noticeItemKey(patronId, noticeKey),
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')} REMOVE leaseUntil`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name) => [`:${name}`, fields[name]])),
      }),
    );
  }
}
