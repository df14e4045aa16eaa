/**
 * Checks a load run's outcome from the sandbox API against its plan: statistics totals, history
 * entries, patron-item links (open loans, holds and fines present; returned or closed ones gone), no
 * notice announced twice, no dead letter. Each mismatch is a sentence naming ids, never contacts.
 */
import type { LoadPlan } from '#scripts/load/plan.ts';

/** Reads a sandbox API path as JSON. */
export interface SandboxReader {
  get(path: string): Promise<unknown>;
}

interface StatisticsItem {
  day: string;
  checkouts?: number;
  renewals?: number;
  returns?: number;
}

const COUNTERS = ['checkouts', 'renewals', 'returns'] as const;

/** Statistics totals by `counter|day`. */
function totals(statistics: unknown): Record<string, number> {
  const result: Record<string, number> = {};
  for (const item of (statistics as { counts: StatisticsItem[] }).counts) {
    for (const counter of COUNTERS) {
      const value = item[counter];
      if (value) result[`${counter}|${item.day}`] = (result[`${counter}|${item.day}`] ?? 0) + value;
    }
  }
  return result;
}

export interface LoadVerdict {
  readonly mismatches: string[];
  readonly figures: { deadLetters: number; streamFailures: number; noticesSent: number; duplicateNotices: number };
}

/** Reads the sandbox and compares; `statisticsBefore` is the statistics view before the run. */
export async function verifyLoad(plan: LoadPlan, sandbox: SandboxReader, statisticsBefore: unknown, concurrency = 8): Promise<LoadVerdict> {
  const mismatches: string[] = [];
  const before = totals(statisticsBefore);
  const after = totals(await sandbox.get('/sandbox/statistics'));
  for (const key of new Set([...Object.keys(plan.expected.statistics), ...Object.keys(after)])) {
    const counted = (after[key] ?? 0) - (before[key] ?? 0);
    const planned = plan.expected.statistics[key] ?? 0;
    if (counted !== planned) mismatches.push(`statistics ${key.replace('|', ' on ')}: counted ${counted}, planned ${planned}`);
  }

  const patrons = new Set(plan.patronIds);
  const { events } = (await sandbox.get('/sandbox/events')) as {
    events: { 'detail-type': string; detail: { noticeId: string; patronId: string } }[];
  };
  const sent = events.filter((event) => event['detail-type'] === 'NoticeSent' && patrons.has(event.detail.patronId));
  const seen = new Set<string>();
  let duplicateNotices = 0;
  for (const event of sent) {
    if (seen.has(event.detail.noticeId)) {
      duplicateNotices++;
      mismatches.push(`notice ${event.detail.noticeId} of patron ${event.detail.patronId} was sent twice`);
    }
    seen.add(event.detail.noticeId);
  }

  const ids = (items: unknown[], field: string) => new Set(items.map((item) => String((item as Record<string, unknown>)[field])));
  const queue = [...plan.patronIds];
  const checkPatron = async (patronId: string) => {
    const report = (await sandbox.get(`/sandbox/patrons/${patronId}`)) as Record<'loans' | 'holds' | 'fines' | 'history', unknown[]>;
    const loans = ids(report.loans, 'loanId');
    const holds = ids(report.holds, 'holdId');
    const fines = ids(report.fines, 'fineId');
    for (const loanId of plan.expected.returnedLoans[patronId] ?? []) {
      if (loans.has(loanId)) mismatches.push(`patron ${patronId} is still linked to loan ${loanId} after its return`);
    }
    for (const loanId of plan.expected.openLoans[patronId] ?? [])
      if (!loans.has(loanId)) mismatches.push(`open loan ${loanId} of patron ${patronId} is missing`);
    for (const holdId of plan.expected.openHolds[patronId] ?? [])
      if (!holds.has(holdId)) mismatches.push(`open hold ${holdId} of patron ${patronId} is missing`);
    for (const fineId of plan.expected.openFines[patronId] ?? [])
      if (!fines.has(fineId)) mismatches.push(`open fine ${fineId} of patron ${patronId} is missing`);
    const openHolds = new Set(plan.expected.openHolds[patronId] ?? []);
    const openFines = new Set(plan.expected.openFines[patronId] ?? []);
    for (const holdId of holds) if (!openHolds.has(holdId)) mismatches.push(`closed hold ${holdId} of patron ${patronId} is still held`);
    for (const fineId of fines) if (!openFines.has(fineId)) mismatches.push(`resolved fine ${fineId} of patron ${patronId} is still held`);
    const history = report.history.length;
    const planned = plan.expected.history[patronId] ?? 0;
    if (history !== planned) mismatches.push(`patron ${patronId} has ${history} history entries, planned ${planned}`);
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let patronId = queue.shift(); patronId !== undefined; patronId = queue.shift()) await checkPatron(patronId);
    }),
  );

  const status = (await sandbox.get('/sandbox/status')) as { queues: { deadLetters: number }[]; streamFailures: number };
  const deadLetters = status.queues.reduce((sum, queue) => sum + queue.deadLetters, 0);
  if (deadLetters > 0) mismatches.push(`${deadLetters} messages are in dead-letter queues`);
  if (status.streamFailures > 0) mismatches.push(`${status.streamFailures} table stream records failed`);
  return { mismatches, figures: { deadLetters, streamFailures: status.streamFailures, noticesSent: sent.length, duplicateNotices } };
}
