/**
 * Turns zod issues into {@link FieldIssue}s: a dotted field path and the rule broken. The value is
 * never echoed: zod issues do not carry input unless asked, and the messages here are rules only.
 */
import type { FieldIssue } from '#shared/errors.ts';

interface ZodLikeIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly expected?: unknown;
  readonly values?: readonly unknown[];
  readonly format?: string;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly keys?: readonly string[];
}

const GENERIC = new Set(['Invalid input', '']);

function ruleOf(issue: ZodLikeIssue): string {
  if (!GENERIC.has(issue.message) && !issue.message.startsWith('Invalid input:')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === undefined
        ? 'has the wrong type'
        : `is required and must be ${issue.expected === 'record' ? 'an object' : `a ${String(issue.expected)}`}`;
    case 'invalid_value':
      return `must be one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'datetime' ? 'must be an ISO 8601 date-time with offset' : `must be a valid ${issue.format ?? 'value'}`;
    case 'too_small':
      return `is too short or small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `is too long or large (maximum ${String(issue.maximum)})`;
    case 'invalid_union':
      return 'does not match any allowed shape';
    case 'unrecognized_keys':
      return `has unknown fields ${(issue.keys ?? []).join(', ')}`;
    default:
      return 'is invalid';
  }
}

/** Maps zod issues to field issues rooted at `root` (e.g. `detail`). */
export function describeIssues(issues: readonly ZodLikeIssue[], root: string): FieldIssue[] {
  return issues.map((issue) => ({
    field: [root, ...issue.path.map((part) => String(part))].join('.'),
    rule: ruleOf(issue),
  }));
}
