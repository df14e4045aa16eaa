/**
 * EventBridge routing: which events reach which queue. The CDK stack deploys these patterns as
 * rules, and the sandbox routes PutEvents with the very same patterns.
 */
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';

/** Receives before a queue moves a message to its dead-letter queue (stack and sandbox alike). */
export const MAX_RECEIVE_COUNT = 3;

/** Batches a queue's event source mapping runs at once unless a consumer sets its own (stack and sandbox). */
export const DEFAULT_CONSUMER_CONCURRENCY = 10;

/** The notifier's fixed concurrency: its SMS pacing divides the carrier's rate among this many instances. */
export const NOTIFIER_CONCURRENCY = 2;

/** The queues events are routed to. */
export type RouteTarget = 'circulation';

/** An event pattern in EventBridge's JSON form; the subset used here is arrays of exact values. */
export type EventPattern = { [field: string]: readonly string[] | EventPattern };

export interface Route {
  readonly id: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly target: RouteTarget;
}

/**
 * Every event from the configured circulation source goes to the circulation queue, whatever its
 * detail-type: one the contract does not know is rejected there into the DLQ, not dropped unseen.
 */
export function routes(config: ConsortiumConfig): Route[] {
  return [
    {
      id: 'CirculationEvents',
      description: 'ILS circulation events to the circulation-state queue',
      pattern: { source: [config.events.source] },
      target: 'circulation',
    },
  ];
}

/** True if `event` matches `pattern` (exact-value arrays, nested objects). */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([field, expected]) => {
    const value = (event as Record<string, unknown>)[field];
    if (Array.isArray(expected)) {
      if (expected.some((item) => typeof item !== 'string')) {
        throw new Error(`pattern operator on ${field} is not supported by the sandbox matcher`);
      }
      return typeof value === 'string' && expected.includes(value);
    }
    return matchesPattern(expected as EventPattern, value);
  });
}
