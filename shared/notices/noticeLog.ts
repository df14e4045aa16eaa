/**
 * The notice log: one item per notice key, the dedupe record and delivery status, expiring after
 * the configured retention.
 *
 * A send starts by claiming the key in one transaction with a check on the patron's profile: the
 * claim succeeds only if the channel is still opted in with the very contact the sender read. So an
 * opt-out or suppression committed before the claim always stops the send. A claim is a lease: if the sender dies
 * mid-send, the queue's retry may claim it again once the lease has run out.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import { failedConditions, isConditionFailure, isExpired, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { patronKey } from '#shared/patrons/patronRepository.ts';
import type { Channel } from '#shared/patrons/patronProfile.ts';
import type { NoticeKind } from '#shared/notices/noticeKinds.ts';

/**
 * `claimed`: this sender owns the notice now. `already-handled`: sent, failed for good, or being sent
 * by another worker. `channel-closed`: the channel was opted out, or its contact changed, since the read.
 */
export type ClaimOutcome = 'claimed' | 'already-handled' | 'channel-closed';

export interface NoticeClaim {
  readonly noticeKey: string;
  readonly noticeId: string;
  readonly patronId: string;
  readonly kind: NoticeKind;
  readonly channel: Channel;
  /** The contact ciphertext the sender read; the claim fails if it has changed since. */
  readonly contactCipher: string;
  /** When that contact was set: email feedback applies only while it is still the patron's contact. */
  readonly contactAt: string;
}

export interface NoticeLog {
  claim(claim: NoticeClaim, now: Date): Promise<ClaimOutcome>;
  markSent(patronId: string, noticeKey: string, providerMessageId: string, now: Date): Promise<void>;
  markFailed(patronId: string, noticeKey: string, reason: string, now: Date): Promise<void>;
  /** Gives a claim back after a retryable failure, so the queue's retry can claim it at once. */
  release(patronId: string, noticeKey: string): Promise<void>;
  /** Finds a notice by its opaque id (from SES message tags); `undefined` when unknown or expired. */
  findById(noticeId: string, now: Date): Promise<NoticeRecord | undefined>;
  /** Counts a transient delivery problem (soft bounce) on the notice. */
  countTransientBounce(patronId: string, noticeKey: string): Promise<void>;
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
export const noticeItemKey = (patronId: string, noticeKey: string) => ({ pk: `PATRON#${patronId}`, sk: `NOTICE#${noticeKey}` });

export class DynamoNoticeLog implements NoticeLog {
  public constructor(
    private readonly table: TableContext,
    private readonly retentionDays: number,
  ) {}

  public async claim(claim: NoticeClaim, now: Date): Promise<ClaimOutcome> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
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
                ConditionExpression:
                  'attribute_not_exists(pk) OR #status = :released OR (#status = :sending AND leaseUntil < :now)',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':released': 'released', ':sending': 'sending', ':now': nowSeconds },
              },
            },
            {
              ConditionCheck: {
                TableName: this.table.tableName,
                Key: patronKey(claim.patronId),
                ConditionExpression:
                  '#consent.#channel.optedIn = :true AND #contacts.#channel.cipher = :cipher AND attribute_not_exists(#suppression.#channel)',
                ExpressionAttributeNames: {
                  '#consent': 'consent',
                  '#contacts': 'contacts',
                  '#suppression': 'suppression',
                  '#channel': claim.channel,
                },
                ExpressionAttributeValues: { ':true': true, ':cipher': claim.contactCipher },
              },
            },
          ],
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return failedConditions(error, ['notice', 'channel'] as const).has('notice') ? 'already-handled' : 'channel-closed';
    }
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
      noticeKey: String(Item.sk).slice('NOTICE#'.length),
      noticeId,
      kind: String(Item.noticeKind),
      channel: Item.channel as Channel,
      status: String(Item.status),
      contactAt: Item.contactAt as string | undefined,
    };
  }

  public async countTransientBounce(patronId: string, noticeKey: string): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: noticeItemKey(patronId, noticeKey),
        UpdateExpression: 'ADD transientBounces :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
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
