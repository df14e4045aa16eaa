/**
 * Parses a queue message body against a schema, turning JSON and schema errors into an
 * {@link EventValidationError} that names fields and rules, never values.
 */
import type * as z from 'zod/mini';
import { EventValidationError } from '#shared/errors.ts';
import { describeIssues } from '#shared/events/issues.ts';

/**
 * @param body the raw message body
 * @param schema what the body must be
 * @param root the name of the body in field paths, e.g. `request` → `request.kind`
 * @param what how the rule for unparseable JSON describes the body, e.g. `a JSON notice request`
 */
export function parseMessage<S extends z.ZodMiniType>(body: string, schema: S, root: string, what: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new EventValidationError([{ field: 'body', rule: `must be ${what}` }]);
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new EventValidationError(describeIssues(result.error.issues, root));
  return result.data as z.infer<S>;
}
