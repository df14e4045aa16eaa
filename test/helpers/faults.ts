/**
 * Fault injection into real SDK clients: a middleware that fails chosen commands before they are
 * sent (as if the SDK's own retries were exhausted), and lets every other call through to the local
 * emulator. So a test sees the real service's state around an injected fault.
 */
import type { MiddlewareStack } from '@smithy/types';

/** An AWS service error as the SDK raises it. */
export function serviceError(name: string, httpStatusCode: number, message = name, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
    ...extra,
  });
}

export interface FaultPlan {
  /** The command to fail, by its SDK name (e.g. `TransactWriteItemsCommand`, `SendEmailCommand`). */
  readonly command: string;
  /** Only calls whose input matches (default: all). */
  readonly when?: (input: Record<string, unknown>) => boolean;
  /** The errors to raise, one per matching call, in order; later calls go through. */
  readonly errors: Error[];
}

/** Installs the faults on a client; returns how many were raised so far. */
// biome-ignore lint/suspicious/noExplicitAny: any AWS SDK v3 client, whatever its service input and output types
export function injectFaults(client: { middlewareStack: MiddlewareStack<any, any> }, ...plans: FaultPlan[]): () => number {
  let raised = 0;
  const queues = plans.map((plan) => ({ ...plan, errors: [...plan.errors] }));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const plan = queues.find(
        (candidate) =>
          candidate.command === context.commandName &&
          candidate.errors.length > 0 &&
          (candidate.when?.(args.input as Record<string, unknown>) ?? true),
      );
      if (plan) {
        raised++;
        throw plan.errors.shift()!;
      }
      return next(args);
    },
    { step: 'initialize', name: `faultInjection${Math.random()}` },
  );
  return () => raised;
}

/** True if an item of a command's input (marshalled or not, depending on where the middleware sits) has this `kind`. */
export function isKind(item: unknown, kind: string): boolean {
  const value = (item as Record<string, unknown> | undefined)?.kind;
  return value === kind || (value as { S?: string } | undefined)?.S === kind;
}
