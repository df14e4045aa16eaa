/**
 * EventBridge PutEvents as AWS enforces it: the request-level constraints (answered with a
 * `ValidationException` for the whole request) and the entry-level checks (answered per entry, the
 * other entries going through). Pure: no I/O, so the sandbox and its tests share one reading of the
 * contract.
 */

/** EventBridge's published PutEvents limits, and the sandbox's nesting limit on Detail. */
export const PUT_EVENTS_LIMITS = {
  /** Entries per request. */
  maxEntries: 10,
  /** Total entry size per request, counted as AWS counts it (see {@link entrySize}). */
  maxRequestBytes: 256 * 1024,
  maxDetailTypeLength: 128,
  maxSourceLength: 256,
  maxResources: 100,
  maxResourceLength: 2048,
  /**
   * Deepest nesting of objects and arrays in Detail. AWS documents none; its JSON reader refuses
   * documents deeper than this (Jackson's default), and the sandbox fails only that entry.
   */
  maxDetailDepth: 1000,
} as const;

/** A PutEvents request entry as it arrives on the wire (AWS JSON 1.1): nothing is trusted yet. */
export interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  /** The SDK sends a `Date` as epoch seconds (a number, possibly with a fraction). */
  Time?: unknown;
}

/** A per-entry failure, in the shape and with the codes of AWS's PutEvents response. */
export interface EntryError {
  readonly ErrorCode: 'InvalidArgument' | 'MalformedDetail' | 'NotAuthorizedForSourceException' | 'InternalFailure';
  readonly ErrorMessage: string;
}

/** An entry that passed every entry-level check. */
export interface CheckedEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly resources: string[];
  readonly eventBusName: string | undefined;
  /** The entry's `Time`, or undefined when the entry has none (the service then uses its own clock). */
  readonly time: Date | undefined;
}

/** The whole request breaks a modeled constraint: AWS answers 400 `ValidationException`. */
export class PutEventsValidationError extends Error {
  public readonly type = 'ValidationException';
}

const utf8Bytes = (value: unknown): number => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);

/**
 * An entry's size as EventBridge counts it: 14 bytes for `Time` if present, plus the UTF-8 bytes of
 * `Source`, `DetailType`, `Detail` and each of `Resources`.
 */
export function entrySize(entry: PutEventsEntry): number {
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined || entry.Time === null ? 0 : 14) +
    utf8Bytes(entry.Source) +
    utf8Bytes(entry.DetailType) +
    utf8Bytes(entry.Detail) +
    resources.reduce((sum: number, resource: unknown) => sum + utf8Bytes(resource), 0)
  );
}

const constraint = (field: string, rule: string) =>
  new PutEventsValidationError(`1 validation error detected: Value at '${field}' failed to satisfy constraint: ${rule}`);

/**
 * Checks the request-level constraints AWS models for PutEvents (entry count, total size, string
 * lengths, resource counts); throws {@link PutEventsValidationError} on the first one broken.
 */
export function checkPutEventsRequest(input: Record<string, unknown>): PutEventsEntry[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > PUT_EVENTS_LIMITS.maxEntries) {
    throw constraint('entries', `Member must have length between 1 and ${PUT_EVENTS_LIMITS.maxEntries}`);
  }
  entries.forEach((entry: unknown, index) => {
    const at = `entries.${index + 1}.member`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw constraint(at, 'Member must be a structure');
    const { DetailType, Source, Resources } = entry as PutEventsEntry;
    if (typeof DetailType === 'string' && DetailType.length > PUT_EVENTS_LIMITS.maxDetailTypeLength) {
      throw constraint(`${at}.detailType`, `Member must have length less than or equal to ${PUT_EVENTS_LIMITS.maxDetailTypeLength}`);
    }
    if (typeof Source === 'string' && Source.length > PUT_EVENTS_LIMITS.maxSourceLength) {
      throw constraint(`${at}.source`, `Member must have length less than or equal to ${PUT_EVENTS_LIMITS.maxSourceLength}`);
    }
    if (Resources !== undefined && Resources !== null) {
      if (!Array.isArray(Resources) || Resources.length > PUT_EVENTS_LIMITS.maxResources) {
        throw constraint(`${at}.resources`, `Member must have length less than or equal to ${PUT_EVENTS_LIMITS.maxResources}`);
      }
      if (Resources.some((resource) => typeof resource !== 'string' || resource.length > PUT_EVENTS_LIMITS.maxResourceLength)) {
        throw constraint(
          `${at}.resources`,
          `Member must be strings of length less than or equal to ${PUT_EVENTS_LIMITS.maxResourceLength}`,
        );
      }
    }
  });
  const total = (entries as PutEventsEntry[]).reduce((sum, entry) => sum + entrySize(entry), 0);
  if (total > PUT_EVENTS_LIMITS.maxRequestBytes) {
    throw new PutEventsValidationError(
      `Total size of the entries in the request is over the limit: ${total} bytes, at most ${PUT_EVENTS_LIMITS.maxRequestBytes}`,
    );
  }
  return entries as PutEventsEntry[];
}

/** Deepest nesting of objects and arrays in a JSON text, counted without parsing (no recursion). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') deepest = Math.max(deepest, ++depth);
    else if (char === '}' || char === ']') depth--;
  }
  return deepest;
}

/**
 * Reads `Time` as the SDK sends it: epoch seconds. Undefined when absent; an {@link EntryError}
 * when it is not a number of seconds that makes a valid date.
 */
export function readEntryTime(time: unknown): Date | undefined | EntryError {
  if (time === undefined || time === null) return undefined;
  const seconds = typeof time === 'number' ? time : typeof time === 'string' && /^\d+(\.\d+)?$/.test(time) ? Number(time) : Number.NaN;
  const date = new Date(seconds * 1000);
  if (!Number.isFinite(seconds) || Number.isNaN(date.getTime())) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Time is not valid: it must be a timestamp in epoch seconds.' };
  }
  return date;
}

/** The entry-level checks: each failure fails only its entry, with AWS's error code. */
export function checkPutEventsEntry(entry: PutEventsEntry): CheckedEntry | EntryError {
  const { Source, DetailType, Detail, EventBusName, Resources } = entry;
  if (typeof Source !== 'string' || Source === '' || typeof DetailType !== 'string' || DetailType === '' || typeof Detail !== 'string') {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source, DetailType and Detail are required.' };
  }
  if (Source.startsWith('aws.')) {
    return {
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: `Not authorized for the source: ${Source} is reserved for AWS services.`,
    };
  }
  if (EventBusName !== undefined && EventBusName !== null && typeof EventBusName !== 'string') {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter EventBusName must be a string.' };
  }
  const time = readEntryTime(entry.Time);
  if (time !== undefined && !(time instanceof Date)) return time;
  if (jsonDepth(Detail) > PUT_EVENTS_LIMITS.maxDetailDepth) {
    return {
      ErrorCode: 'MalformedDetail',
      ErrorMessage: `Detail is malformed: nested deeper than ${PUT_EVENTS_LIMITS.maxDetailDepth} levels.`,
    };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed: it must be a JSON object.' };
  }
  return {
    source: Source,
    detailType: DetailType,
    detail: detail as Record<string, unknown>,
    resources: Array.isArray(Resources) ? (Resources as string[]) : [],
    eventBusName: EventBusName ?? undefined,
    time,
  };
}
