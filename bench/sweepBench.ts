/**
 * Sweep benchmark: 100,000 open loans, 5% of them due on the days one daily sweep targets. Reports
 * index items read per item due (budget: at most 1.05) and the sweep's run time on this machine.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { fixedClock } from '#shared/clock.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { isNoticeRequest, type NotifierMessage } from '#shared/notices/noticeKinds.ts';
import { buildPagedJobs } from '#functions/notifier/app.ts';
import { addDays, loanSweepKeys } from '#shared/sweep/sweepKeys.ts';
import type { TableContext } from '#shared/table/documentClient.ts';

export interface SweepFigures {
  readonly loans: number;
  readonly due: number;
  readonly read: number;
  readonly notices: number;
  readonly pages: number;
  readonly loadSeconds: number;
  readonly sweepSeconds: number;
}

export async function sweepBench(table: TableContext, config: ConsortiumConfig, loans = 100_000, dueShare = 0.05): Promise<SweepFigures> {
  const runDay = '2026-11-21';
  const { dueSoonDaysBefore, overdueDaysAfter } = config.notices;
  const targets = [addDays(runDay, dueSoonDaysBefore), ...overdueDaysAfter.map((days) => addDays(runDay, -days))];
  const others = Array.from({ length: 120 }, (_, i) => addDays(runDay, i - 60)).filter((day) => !targets.includes(day));
  const dueCount = Math.round(loans * dueShare);
  const loadStarted = performance.now();
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const result = await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }));
      requests = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
    }
    batch = [];
  };
  for (let i = 0; i < loans; i++) {
    // About three loans per patron; the due ones are spread over the sweep's target days.
    const patronId = `P-sweep-${Math.floor(i / 3)}`;
    const loanId = `L-sweep-${i}`;
    const day = i < dueCount ? targets[i % targets.length]! : others[i % others.length]!;
    const dueAt = `${day}T23:59:00-05:00`;
    batch.push({
      pk: `PATRON#${patronId}`,
      sk: `LOAN#${loanId}`,
      kind: 'loan',
      patronId,
      loanId,
      loan: {
        loanId,
        patronId,
        itemId: `I-${i}`,
        title: `Title ${i}`,
        checkedOutAt: '2026-10-01T12:00:00.000Z',
        dueAt: { value: new Date(dueAt).toISOString(), at: '2026-10-01T12:00:00.000Z' },
        status: 'active',
      },
      ...loanSweepKeys(config.timeZone, patronId, loanId, dueAt),
      version: 1,
    });
    if (batch.length === 25) await flush();
  }
  await flush();
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const pending: NotifierMessage[] = [];
  const queue = { enqueue: async (messages: readonly NotifierMessage[]) => void pending.push(...messages) };
  const { sweep } = buildPagedJobs({ table, config, clock: fixedClock(`${runDay}T13:00:00Z`), queue });
  const started = performance.now();
  await sweep.start(runDay);
  let read = 0;
  let notices = 0;
  let pages = 0;
  while (pending.length > 0) {
    const message = pending.shift()!;
    if ('sweep' in message) {
      const result = await sweep.page(message.sweep);
      read += result.read;
      pages++;
    } else if (isNoticeRequest(message)) {
      notices++;
    }
  }
  const sweepSeconds = (performance.now() - started) / 1000;
  return { loans, due: dueCount, read, notices, pages, loadSeconds, sweepSeconds };
}
