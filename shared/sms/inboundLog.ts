/**
 * The inbound SMS log: one item per inbound message id, kept for the configured retention. It holds
 * the keyword class and the outcome, never the message text or the number. It makes a redelivered
 * message have one effect: the first processing fixes the time of the consent change, and the reply
 * is claimed before it is sent. It also counts the automatic replies each number gets per library day
 * (by the number's blind index, never the number), in one conditional write per reply.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import { isConditionFailure, writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import type { KeywordClass } from '#shared/sms/keywords.ts';
import type { SmsCommand } from '#shared/sms/smsCommands.ts';
import { inboundKey, smsRepliesKey } from '#shared/table/keys.ts';

export interface InboundRecord {
  readonly inboundMessageId: string;
  /** The keyword class, or the text command, the message was read as. */
  readonly keyword: KeywordClass | SmsCommand;
  /** When the message was first processed: the time of its consent change. */
  readonly at: string;
  readonly status: 'processing' | 'done';
}

export interface InboundLog {
  /** Records the message, or returns the record of its first delivery. */
  begin(inboundMessageId: string, keyword: KeywordClass | SmsCommand, now: Date): Promise<InboundRecord>;
  /** Claims the one reply of a message; false if it was claimed already. */
  claimReply(inboundMessageId: string): Promise<boolean>;
  /** Gives the reply claim back after a retryable failure. */
  releaseReply(inboundMessageId: string): Promise<void>;
  finish(inboundMessageId: string, outcome: Record<string, string | number>): Promise<void>;
  /**
   * Claims one of a number's automatic replies for `day` (by its blind index): false when the number
   * had `limit` replies that day, or already had its once-a-day reply of this purpose.
   */
  claimDailyReply(phoneIndex: string, day: string, purpose: ReplyPurpose, limit: number, now: Date): Promise<boolean>;
  /** Gives a claimed daily reply back after a retryable send failure. */
  releaseDailyReply(phoneIndex: string, day: string, purpose: ReplyPurpose): Promise<void>;
}

/**
 * Why Bookdrop answers a text. An opt-out confirmation, a hint and the help text for a command from
 * a number that matches no patron go out at most once a day per number.
 */
export type ReplyPurpose = 'opt-out' | 'opt-in' | 'help' | 'hint' | 'command' | 'unknown-number-help';

const ONCE_A_DAY: ReadonlySet<ReplyPurpose> = new Set(['opt-out', 'hint', 'unknown-number-help']);

const key = inboundKey;

export class DynamoInboundLog implements InboundLog {
  public constructor(
    private readonly table: TableContext,
    private readonly retentionDays: number,
  ) {}

  public async begin(inboundMessageId: string, keyword: KeywordClass | SmsCommand, now: Date): Promise<InboundRecord> {
    const record: InboundRecord = { inboundMessageId, keyword, at: now.toISOString(), status: 'processing' };
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...key(inboundMessageId),
            kind: 'inbound-sms',
            ...record,
            [TABLE.ttlAttribute]: expiryAfterDays(now, this.retentionDays),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: key(inboundMessageId), ConsistentRead: true }),
    );
    return Item as InboundRecord;
  }

  public claimReply(inboundMessageId: string): Promise<boolean> {
    return writeIf(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: key(inboundMessageId),
          UpdateExpression: 'SET replyClaimed = :true',
          ConditionExpression: 'attribute_not_exists(replyClaimed)',
          ExpressionAttributeValues: { ':true': true },
        }),
      ),
    );
  }

  public async releaseReply(inboundMessageId: string): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({ TableName: this.table.tableName, Key: key(inboundMessageId), UpdateExpression: 'REMOVE replyClaimed' }),
    );
  }

  public async finish(inboundMessageId: string, outcome: Record<string, string | number>): Promise<void> {
    const names = Object.keys(outcome);
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: key(inboundMessageId),
        UpdateExpression: `SET #status = :done${names.map((name) => `, #${name} = :${name}`).join('')}`,
        ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(names.map((name) => [`#${name}`, name])) },
        ExpressionAttributeValues: { ':done': 'done', ...Object.fromEntries(names.map((name) => [`:${name}`, outcome[name]])) },
      }),
    );
  }

  public claimDailyReply(phoneIndex: string, day: string, purpose: ReplyPurpose, limit: number, now: Date): Promise<boolean> {
    const once = ONCE_A_DAY.has(purpose);
    return writeIf(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: smsRepliesKey(phoneIndex, day),
          UpdateExpression: `SET #kind = :kind, #ttl = if_not_exists(#ttl, :expires) ADD #replies :one${once ? ', #purposes :purpose' : ''}`,
          ConditionExpression: `(attribute_not_exists(#replies) OR #replies < :limit)${once ? ' AND NOT contains(#purposes, :name)' : ''}`,
          ExpressionAttributeNames: {
            '#kind': 'kind',
            '#ttl': TABLE.ttlAttribute,
            '#replies': 'replies',
            ...(once ? { '#purposes': 'purposes' } : {}),
          },
          ExpressionAttributeValues: {
            ':kind': 'sms-replies',
            ':expires': expiryAfterDays(now, 2),
            ':one': 1,
            ':limit': limit,
            ...(once ? { ':purpose': new Set([purpose]), ':name': purpose } : {}),
          },
        }),
      ),
    );
  }

  public async releaseDailyReply(phoneIndex: string, day: string, purpose: ReplyPurpose): Promise<void> {
    const once = ONCE_A_DAY.has(purpose);
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: smsRepliesKey(phoneIndex, day),
        UpdateExpression: `ADD #replies :minusOne${once ? ' DELETE #purposes :purpose' : ''}`,
        ExpressionAttributeNames: { '#replies': 'replies', ...(once ? { '#purposes': 'purposes' } : {}) },
        ExpressionAttributeValues: { ':minusOne': -1, ...(once ? { ':purpose': new Set([purpose]) } : {}) },
      }),
    );
  }
}
