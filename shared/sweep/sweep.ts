/**
 * The daily sweep of scheduled notices: `due-soon` (N days before the due date), `overdue` (N days
 * after) and `hold-expiring` (N days before the pickup deadline). It reads only the items due on the
 * target days, through the sweep index, shard by shard and page by page through the notifier queue,
 * and asks for one notice per patron, kind and day, listing all of the patron's items (a digest).
 * Running it twice for the same day sends nothing twice: the notice keys are the same.
 */
import * as z from 'zod/mini';
import { dayIn, type Clock } from '#shared/clock.ts';
import { libraryOfBranch, timingsFor, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import type { PageLog } from '#shared/notices/pageLog.ts';
import type { NoticeRequest } from '#shared/notices/noticeKinds.ts';
import type { NoticeQueue } from '#shared/notices/noticeQueue.ts';
import type { SweepEntry, SweepHoldEntry, SweepIndex, SweepLoanEntry } from '#shared/sweep/sweepIndex.ts';
import { addDays } from '#shared/sweep/sweepKeys.ts';
import { SWEEP_SHARDS } from '#shared/table/tableDefinition.ts';
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

/** What the sweep reads and writes through: its ports, the consortium and its clock. */
export interface SweepDeps {
  readonly index: SweepIndex;
  readonly pages: PageLog;
  readonly queue: NoticeQueue;
  readonly config: ConsortiumConfig;
  readonly clock: Clock;
  /** Items per page. @default SWEEP_PAGE */
  readonly pageSize?: number | undefined;
}

export class Sweep {
  private readonly index: SweepIndex;
  private readonly pages: PageLog;
  private readonly queue: NoticeQueue;
  private readonly config: ConsortiumConfig;
  private readonly clock: Clock;
  private readonly pageSize: number;

  public constructor(deps: SweepDeps) {
    ({ index: this.index, pages: this.pages, queue: this.queue, config: this.config, clock: this.clock } = deps);
    this.pageSize = deps.pageSize ?? SWEEP_PAGE;
  }

  /**
   * The first page of every (kind, offset, shard) of the run. The offsets are those of every member
   * library (and the consortium's); each page keeps only the items whose library uses its offset.
   */
  public async start(runDay: string = dayIn(this.config.timeZone, this.clock.now())): Promise<SweepPage[]> {
    const all = [undefined, ...this.config.libraries.map((lib) => lib.id)].map((id) => timingsFor(this.config, id));
    const unique = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);
    const targets: Omit<SweepPage, 'shard'>[] = [
      ...unique(all.map((t) => t.dueSoonDaysBefore)).map((days) => ({
        kind: 'due-soon' as const,
        runDay,
        targetDay: addDays(runDay, days),
        offset: days,
      })),
      ...unique(all.flatMap((t) => [...t.overdueDaysAfter])).map((days) => ({
        kind: 'overdue' as const,
        runDay,
        targetDay: addDays(runDay, -days),
        offset: days,
      })),
      ...unique(all.map((t) => t.holdExpiringDaysBefore)).map((days) => ({
        kind: 'hold-expiring' as const,
        runDay,
        targetDay: addDays(runDay, days),
        offset: days,
      })),
    ];
    const pages = targets.flatMap((target) => Array.from({ length: SWEEP_SHARDS }, (_, shard) => ({ ...target, shard })));
    await this.queue.enqueue(pages.map((page) => ({ sweep: page })));
    return pages;
  }

  /** Reads one page of the index, asks for the digests it completes, and queues the next page. */
  public async page(page: SweepPage): Promise<{ read: number; requests: number }> {
    const marker = sweepPageKey(page);
    if (await this.pages.done(marker)) return { read: 0, requests: 0 };
    const target = {
      target: page.kind === 'hold-expiring' ? ('PICKUP' as const) : ('DUE' as const),
      day: page.targetDay,
      shard: page.shard,
    };
    const first = await this.index.read(target, this.pageSize, page.cursor);
    let entries = first.entries;
    let cursor = first.cursor;
    let readCount = entries.length;
    // One patron with more items than a page: read on until the group ends.
    while (cursor !== undefined && entries.length > 0 && entries.every((entry) => entry.patronId === entries[0]!.patronId)) {
      const more = await this.index.read(target, this.pageSize, cursor);
      entries = [...entries, ...more.entries];
      readCount += more.entries.length;
      cursor = more.cursor;
    }
    // A patron's items are contiguous: a page that ends inside a patron's group leaves that group
    // whole to the next page, so the digest lists all of them.
    if (cursor !== undefined && entries.length > 1) {
      const last = entries[entries.length - 1]!.patronId;
      const cut = entries.findIndex((entry) => entry.patronId === last);
      if (cut > 0) {
        entries = entries.slice(0, cut);
        cursor = entries[entries.length - 1]!.position;
      }
    }
    const due = entries.filter((entry) => this.usesOffset(page, entry));
    const requests =
      page.kind === 'hold-expiring'
        ? this.holdRequests(
            page,
            due.filter((entry) => entry.type === 'hold'),
          )
        : this.loanRequests(
            page,
            due.filter((entry) => entry.type === 'loan'),
          );
    const next = cursor === undefined ? [] : [{ sweep: { ...page, cursor } }];
    await this.queue.enqueue([...requests, ...next]);
    await this.pages.markDone(marker, this.clock.now());
    return { read: readCount, requests: requests.length };
  }

  /** Whether the item's member library (by its branch) sends this kind at this offset. */
  private usesOffset(page: SweepPage, entry: SweepEntry): boolean {
    const branch = entry.type === 'hold' ? entry.pickupBranch : entry.branch;
    const timings = timingsFor(this.config, libraryOfBranch(this.config, branch));
    if (page.kind === 'due-soon') return timings.dueSoonDaysBefore === page.offset;
    if (page.kind === 'overdue') return timings.overdueDaysAfter.includes(page.offset);
    return timings.holdExpiringDaysBefore === page.offset;
  }

  private loanRequests(page: SweepPage, entries: SweepLoanEntry[]): NoticeRequest[] {
    const byPatron = new Map<string, { loanId: string; dueAt: string }[]>();
    for (const entry of entries) {
      if (!entry.active) continue;
      const list = byPatron.get(entry.patronId) ?? [];
      list.push({ loanId: entry.loanId, dueAt: entry.dueAt });
      byPatron.set(entry.patronId, list);
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

  private holdRequests(page: SweepPage, entries: SweepHoldEntry[]): NoticeRequest[] {
    return entries.map((entry) => ({
      type: 'notice' as const,
      kind: 'hold-expiring' as const,
      patronId: entry.patronId,
      subjectId: entry.holdId,
      subjectVersion: entry.pickupBy,
      causationId: `sweep-${page.runDay}`,
    }));
  }
}
