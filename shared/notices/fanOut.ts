/**
 * Fan-out of service and policy updates to every opted-in patron (of one member library or all),
 * one page at a time through the notifier queue.
 */
import { reachable, type AudienceIndex } from '#shared/patrons/audienceIndex.ts';
import type { PageLog } from '#shared/notices/pageLog.ts';
import type { FanOutPage, NoticeRequest } from '#shared/notices/noticeKinds.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { AUDIENCE_SHARDS } from '#shared/table/tableDefinition.ts';
import { fanOutPageKey } from '#shared/table/keys.ts';

/** Patrons per page: one page is one notifier message's worth of work. */
export const FAN_OUT_PAGE = 100;

/** A fan-out before its first page: the page without its shard and cursor, for either kind. */
export type FanOutStart = FanOutPage extends infer P ? (P extends FanOutPage ? Omit<P, 'shard' | 'cursor'> : never) : never;

/** The notice request a fan-out page makes for one patron. */
export function fanOutRequest(page: FanOutPage, patronId: string): NoticeRequest {
  const common = {
    type: 'notice' as const,
    patronId,
    subjectId: page.subjectId,
    subjectVersion: page.subjectVersion,
    causationId: page.causationId,
  };
  return page.kind === 'service-update'
    ? { ...common, kind: page.kind, message: page.message }
    : { ...common, kind: page.kind, policy: page.policy };
}

/** The first page of every audience shard: the shards proceed in parallel. */
export function fanOutStart(page: FanOutStart): { fanOut: FanOutPage }[] {
  return Array.from({ length: AUDIENCE_SHARDS }, (_, shard) => ({ fanOut: { ...page, shard } }));
}

/** What the fan-out reads and writes through: its ports. */
export interface FanOutDeps {
  readonly audience: AudienceIndex;
  readonly pages: PageLog;
  readonly queue: NoticeQueue;
  /** Patrons per page. @default FAN_OUT_PAGE */
  readonly pageSize?: number | undefined;
}

export class FanOut {
  public constructor(private readonly deps: FanOutDeps) {}

  /**
   * Queues the page's notice requests and the next page of the shard; returns how many requests.
   * A page done before (its message delivered twice) is skipped, so duplicates never multiply.
   */
  public async page(page: FanOutPage, now: Date): Promise<number> {
    const { audience, pages, queue, pageSize = FAN_OUT_PAGE } = this.deps;
    const marker = fanOutPageKey(page);
    if (await pages.done(marker)) return 0;
    const read = await audience.page({ shard: page.shard, library: page.library, limit: pageSize, cursor: page.cursor });
    const requests = read.members.filter(reachable).map((member) => fanOutRequest(page, member.patronId));
    const next = read.cursor === undefined ? [] : [{ fanOut: { ...page, cursor: read.cursor } }];
    await queue.enqueue([...requests, ...next]);
    await pages.markDone(marker, now);
    return requests.length;
  }
}
