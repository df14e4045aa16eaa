/**
 * Fan-out of service and policy updates to every opted-in patron (of one member library or all),
 * one page at a time through the notifier queue.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { PageLog } from '#shared/notices/pageLog.ts';
import type { FanOutPage, NoticeRequest } from '#shared/notices/noticeKinds.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { AUDIENCE_SHARDS, TABLE } from '#shared/table/tableDefinition.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { audiencePartition, fanOutPageKey, patronIdOf } from '#shared/table/keys.ts';

/** Patrons per page: one page is one notifier message's worth of work. */
export const FAN_OUT_PAGE = 100;

/** A fan-out before its first page: the page without its shard and cursor, for either kind. */
export type FanOutStart = FanOutPage extends infer P ? (P extends FanOutPage ? Omit<P, 'shard' | 'cursor'> : never) : never;

/** The notice request a fan-out page makes for one patron. */
export function fanOutRequest(page: FanOutPage, patronId: string): NoticeRequest {
  const common = { type: 'notice' as const, patronId, subjectId: page.subjectId, subjectVersion: page.subjectVersion, causationId: page.causationId };
  return page.kind === 'service-update' ? { ...common, kind: page.kind, message: page.message } : { ...common, kind: page.kind, policy: page.policy };
}

/** The first page of every audience shard: the shards proceed in parallel. */
export function fanOutStart(page: FanOutStart): { fanOut: FanOutPage }[] {
  return Array.from({ length: AUDIENCE_SHARDS }, (_, shard) => ({ fanOut: { ...page, shard } }));
}

export class FanOut {
  /** @param pageSize patrons per page @default FAN_OUT_PAGE */
  private readonly pages: PageLog;

  public constructor(
    private readonly table: TableContext,
    private readonly queue: NoticeQueue,
    private readonly pageSize: number = FAN_OUT_PAGE,
  ) {
    this.pages = new PageLog(table);
  }

  /**
   * Queues the page's notice requests and the next page of the shard; returns how many requests.
   * A page done before (its message delivered twice) is skipped, so duplicates never multiply.
   */
  public async page(page: FanOutPage, now: Date): Promise<number> {
    const marker = fanOutPageKey(page);
    if (await this.pages.done(marker)) return 0;
    const { byAudience } = TABLE.indexes;
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: byAudience.name,
        KeyConditionExpression: page.library === undefined ? '#audience = :audience' : '#audience = :audience AND begins_with(#key, :library)',
        ExpressionAttributeNames: { '#audience': byAudience.partitionKey, ...(page.library === undefined ? {} : { '#key': byAudience.sortKey }) },
        ExpressionAttributeValues: { ':audience': audiencePartition(page.shard), ...(page.library === undefined ? {} : { ':library': `${page.library}#` }) },
        Limit: this.pageSize,
        ExclusiveStartKey: page.cursor === undefined ? undefined : (JSON.parse(page.cursor) as Record<string, unknown>),
      }),
    );
    const requests: NoticeRequest[] = (result.Items ?? [])
      .filter((item) => {
        const consent = item.consent as Record<string, { optedIn?: boolean }> | undefined;
        return consent?.sms?.optedIn === true || consent?.email?.optedIn === true;
      })
      .map((item) => fanOutRequest(page, patronIdOf(String(item.pk))));
    const next = result.LastEvaluatedKey ? [{ fanOut: { ...page, cursor: JSON.stringify(result.LastEvaluatedKey) } }] : [];
    await this.queue.enqueue([...requests, ...next]);
    await this.pages.markDone(marker, now);
    return requests.length;
  }
}
