/**
 * The load generator's throughput figures: events per second over each successive window of a run
 * (so a run shows whether the sandbox slows down as it goes), and the CPU time the sandbox's
 * processes spent per event (a figure that holds on a shared machine, where events/s depends on what
 * else runs). Pure, apart from `processCpuSeconds`, which reads /proc.
 */
import { readFileSync } from 'node:fs';

/** One answered PutEvents: when it answered (ms on the run's clock) and how many entries it carried. */
export interface Completion {
  readonly at: number;
  readonly events: number;
}

export interface ThroughputWindow {
  /** The window's first and last event, counted from 1 in order of answer. */
  readonly from: number;
  readonly to: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/**
 * Events/s over successive windows of `size` events, in order of answer: a window ends with the
 * request that answered its last event, and starts where the previous one ended (the first at
 * `startedAt`). The last window may be shorter than `size`; it is left out when under half of it.
 * Requests that answer together put a window's end anywhere in their group: a window should span many
 * such groups, so that the error (one group at each end) stays small.
 */
export function throughputWindows(completions: readonly Completion[], startedAt: number, size: number): ThroughputWindow[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`window size must be a positive integer, got ${size}`);
  const ordered = [...completions].sort((a, b) => a.at - b.at);
  const windows: ThroughputWindow[] = [];
  let answered = 0;
  let windowStart = startedAt;
  let windowFrom = 1;
  ordered.forEach((completion, index) => {
    answered += completion.events;
    const last = index === ordered.length - 1;
    if (answered - windowFrom + 1 < size && !last) return;
    const count = answered - windowFrom + 1;
    if (last && count < size / 2 && windows.length > 0) return;
    const seconds = (completion.at - windowStart) / 1000;
    windows.push({
      from: windowFrom,
      to: answered,
      seconds: round(seconds, 2),
      eventsPerSecond: round(seconds > 0 ? count / seconds : 0, 1),
    });
    windowStart = completion.at;
    windowFrom = answered + 1;
  });
  return windows;
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined when it cannot be read. */
export function processCpuSeconds(
  pid: number | undefined,
  read: (path: string) => string = (path) => readFileSync(path, 'utf-8'),
): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // The command name is in parentheses and may hold spaces and parentheses: fields start after its
    // last closing one, at field 3; utime is field 14, stime 15.
    const stat = read(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

const round = (value: number, digits: number) => Number(value.toFixed(digits));
