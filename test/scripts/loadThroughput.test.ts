/**
 * The load generator's throughput windows (events/s over each successive thousand events, in order
 * of answer) and its reading of a process's CPU time from /proc. Pure: no sandbox.
 */
import { describe, expect, it } from 'vitest';
import { processCpuSeconds, throughputWindows } from '#scripts/load/throughput.ts';

describe('Function: throughputWindows', () => {
  it('splits the answers into windows of the given size, each timed from the end of the one before', () => {
    // Prepare: 4 requests of 10 events, answered at 1 s, 2 s, 4 s and 8 s after a start at 0.
    const completions = [
      { at: 4000, events: 10 },
      { at: 1000, events: 10 },
      { at: 8000, events: 10 },
      { at: 2000, events: 10 },
    ];

    // Act
    const windows = throughputWindows(completions, 0, 20);

    // Assess: 20 events in 2 s, then 20 events in the 6 s after.
    expect(windows).toEqual([
      { from: 1, to: 20, seconds: 2, eventsPerSecond: 10 },
      { from: 21, to: 40, seconds: 6, eventsPerSecond: 3.3 },
    ]);
  });

  it('keeps a short last window of at least half the size and drops a smaller one', () => {
    const completions = [1000, 2000, 3000, 4000, 5000].map((at) => ({ at, events: 10 }));

    expect(throughputWindows(completions, 0, 20).map((window) => [window.from, window.to])).toEqual([
      [1, 20],
      [21, 40],
      [41, 50],
    ]);
    expect(throughputWindows(completions, 0, 40).map((window) => [window.from, window.to])).toEqual([[1, 40]]);
  });

  it('ends a window with the request that answered its last event, even when a request straddles the boundary', () => {
    const windows = throughputWindows(
      [
        { at: 1000, events: 7 },
        { at: 3000, events: 7 },
        { at: 4000, events: 7 },
      ],
      0,
      10,
    );

    expect(windows[0]).toEqual({ from: 1, to: 14, seconds: 3, eventsPerSecond: 4.7 });
  });

  it('refuses a window size that is not a positive integer', () => {
    expect(() => throughputWindows([], 0, 0)).toThrow('window size must be a positive integer, got 0');
  });
});

describe('Function: processCpuSeconds', () => {
  it('adds user and system time (fields 14 and 15 of /proc/<pid>/stat, in ticks of 1/100 s), whatever the command name holds', () => {
    const stat = '4242 (java (loopback) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 566 0 0 20 0 40 0 1000 1 1';

    expect(processCpuSeconds(4242, (path) => (path === '/proc/4242/stat' ? stat : ''))).toBe(18);
  });

  it('is undefined without a process id or when /proc cannot be read', () => {
    expect(processCpuSeconds(undefined)).toBeUndefined();
    expect(
      processCpuSeconds(1, () => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
  });
});
