/**
 * The daily sweep of scheduled notices: `due-soon` (N days before the due date), `overdue` (N days
 * after) and `hold-expiring` (N days before the pickup deadline). It reads only the items due on the
 * target days, through the sweep index, shard by shard and page by page through the notifier queue,
 * and asks for one notice per patron, kind and day, listing all of the patron's items (a digest).
 * Running it twice for the same day sends nothing twice: the notice keys are the same.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { dayIn, type Clock } from '#shared/clock.ts';
import { libraryOfBranch, timingsFor, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { PageLog } from '#shared/notices/pageLog.ts';
import type { NoticeRequest } from '#shared/notices/noticeKinds.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import { addDays } from '#shared/sweep/sweepKeys.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { SWEEP_SHARDS, TABLE } from '#shared/table/tableDefinition.ts';
import { sweepPageKey } from '#shared/table/keys.ts';

const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a day YYYY-MM-DD' }));

/** The scheduler's message: sweep for `day` (default: today in the library's time zone). */
export const sweepStartSchema = z.object({ sweepStart: z.object({ day: z.optional(day) }) });

export const sweepPageSchema = z.object({
  sweep: z.object({
    kind: z.enum(['due-soon', 'overdue', 'hold-expiring']),
    runDay: day,
    targetDay: day,
    /** Days between the run and the target day, as configured (3 for due-soon, 7 for one overdue...). */
    offset: z.int(),
    shard: z.int(),
    cursor: z.optional(z.string()),
  }),
});
export type SweepPage = z.infer<typeof sweepPageSchema>['sweep'];

/** Items per page. */
export const SWEEP_PAGE = 100;

export class Sweep {
  private readonly pages: PageLog;

  public constructor(
    private readonly table: TableContext,
    private readonly queue: NoticeQueue,
    private readonly config: ConsortiumConfig,
    private readonly clock: Clock,
    private readonly pageSize: number = SWEEP_PAGE,
  ) {
    this.pages = new PageLog(table);
  }

  /**
   * The first page of every (kind, offset, shard) of the run. The offsets are those of every member
   * library (and the consortium's); each page keeps only the items whose library uses its offset.
   */
  public async start(runDay: string = dayIn(this.config.timeZone, this.clock.now())): Promise<SweepPage[]> {
    const all = [undefined, ...this.config.libraries.map((lib) => lib.id)].map((id) => timingsFor(this.config, id));
    const unique = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);
    const targets: Omit<SweepPage, 'shard'>[] = [
      ...unique(all.map((t) => t.dueSoonDaysBefore)).map((days) => ({ kind: 'due-soon' as const, runDay, targetDay: addDays(runDay, days), offset: days })),
      ...unique(all.flatMap((t) => [...t.overdueDaysAfter])).map((days) => ({ kind: 'overdue' as const, runDay, targetDay: addDays(runDay, -days), offset: days })),
      ...unique(all.map((t) => t.holdExpiringDaysBefore)).map((days) => ({ kind: 'hold-expiring' as const, runDay, targetDay: addDays(runDay, days), offset: days })),
    ];
    const pages = targets.flatMap((target) => Array.from({ length: SWEEP_SHARDS }, (_, shard) => ({ ...target, shard })));
    await this.queue.enqueue(pages.map((page) => ({ sweep: page })));
    return pages;
  }

  /** Reads one page of the index, asks for the digests it completes, and queues the next page. */
  public async page(page: SweepPage): Promise<{ read: number; requests: number }> {
    const marker = sweepPageKey(page);
    if (await this.pages.done(marker)) return { read: 0, requests: 0 };
    const prefix = page.kind === 'hold-expiring' ? 'PICKUP' : 'DUE';
    const read = (startKey: Record<string, unknown> | undefined) =>
      this.table.doc.send(
        new QueryCommand({
          TableName: this.table.tableName,
          IndexName: TABLE.indexes.bySweep.name,
          KeyConditionExpression: '#key = :key',
          ExpressionAttributeNames: { '#key': TABLE.indexes.bySweep.partitionKey },
          ExpressionAttributeValues: { ':key': `${prefix}#${page.targetDay}#${page.shard}` },
          Limit: this.pageSize,
          ExclusiveStartKey: startKey,
        }),
      );
    const patronOf = (item: Record<string, unknown>) => String(item.sweepSort).split('#')[0];
    const first = await read(page.cursor === undefined ? undefined : (JSON.parse(page.cursor) as Record<string, unknown>));
    let items = first.Items ?? [];
    let cursor = first.LastEvaluatedKey;
    let readCount = items.length;
    // One patron with more items than a page: read on until the group ends.
    while (cursor && items.length > 0 && items.every((item) => patronOf(item) === patronOf(items[0]!))) {
      const more = await read(cursor);
      items = [...items, ...(more.Items ?? [])];
      readCount += more.Items?.length ?? 0;
      cursor = more.LastEvaluatedKey;
    }
    // A patron's items are contiguous: a page that ends inside a patron's group leaves that group
    // whole to the next page, so the digest lists all of them.
    if (cursor && items.length > 1) {
      const last = patronOf(items[items.length - 1]!);
      const cut = items.findIndex((item) => patronOf(item) === last);
      if (cut > 0) {
        const kept = items.slice(0, cut);
        const edge = kept[kept.length - 1]!;
        cursor = { pk: edge.pk, sk: edge.sk, sweepKey: edge.sweepKey, sweepSort: edge.sweepSort };
        items = kept;
      }
    }
    const due = items.filter((item) => this.usesOffset(page, item));
    const requests = page.kind === 'hold-expiring' ? this.holdRequests(page, due) : this.loanRequests(page, due);
    const next = cursor ? [{ sweep: { ...page, cursor: JSON.stringify(cursor) } }] : [];
    await this.queue.enqueue([...requests, ...next]);
    await this.pages.markDone(marker, this.clock.now());
    return { read: readCount, requests: requests.length };
  }

  /** Whether the item's member library (by its branch) sends this kind at this offset. */
  private usesOffset(page: SweepPage, item: Record<string, unknown>): boolean {
    const branch = page.kind === 'hold-expiring' ? (item.pickupBranch as string | undefined) : (item.dimensions as { branch?: string } | undefined)?.branch;
    const timings = timingsFor(this.config, libraryOfBranch(this.config, branch));
    if (page.kind === 'due-soon') return timings.dueSoonDaysBefore === page.offset;
    if (page.kind === 'overdue') return timings.overdueDaysAfter.includes(page.offset);
    return timings.holdExpiringDaysBefore === page.offset;
  }

  private loanRequests(page: SweepPage, items: Record<string, unknown>[]): NoticeRequest[] {
    const byPatron = new Map<string, { loanId: string; dueAt: string }[]>();
    for (const item of items) {
      const loan = item.loan as { loanId: string; patronId: string; dueAt: { value: string }; status: string } | undefined;
      if (!loan || loan.status !== 'active') continue;
      const list = byPatron.get(loan.patronId) ?? [];
      list.push({ loanId: loan.loanId, dueAt: loan.dueAt.value });
      byPatron.set(loan.patronId, list);
    }
    // Ids only: the notifier reads the titles when it sends (a loan returned by then drops out).
    return [...byPatron].map(([patronId, list]) => ({
      type: 'notice' as const,
      kind: page.kind as 'due-soon' | 'overdue',
      patronId,
      subjectId: page.targetDay,
      subjectVersion: `${page.kind}-${page.offset}`,
      causationId: `sweep-${page.runDay}`,
      loanIds: list.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.loanId.localeCompare(b.loanId)).map((loan) => loan.loanId),
    }));
  }

  private holdRequests(page: SweepPage, items: Record<string, unknown>[]): NoticeRequest[] {
    return items.map((item) => ({
      type: 'notice' as const,
      kind: 'hold-expiring' as const,
      patronId: String(item.patronId),
      subjectId: String(item.sweepSort).split('#')[1] ?? '',
      subjectVersion: String(item.pickupBy),
      causationId: `sweep-${page.runDay}`,
    }));
  }
}
