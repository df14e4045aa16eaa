/**
 * The loggable part of an error, for every handler (batch consumers and HTTP functions alike). A module
 * of its own so an HTTP function does not load Powertools' batch utility with it (docs/performance.md).
 */
import { BookdropError } from '#shared/errors.ts';

/** The loggable part of an error: our own messages are safe by construction; others give their name. */
export function safeErrorFields(error: unknown): Record<string, unknown> {
  if (error instanceof BookdropError) {
    return { errorName: error.name, errorMessage: error.message, ...error.context };
  }
  const err = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return { errorName: err?.name ?? 'UnknownError', httpStatus: err?.$metadata?.httpStatusCode };
}
