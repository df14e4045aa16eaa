/**
 * PutEvents limits as AWS states them, without a server: entry size counted in UTF-8 bytes with 14
 * for Time, request-level constraints, entry-level errors.
 */
import { describe, expect, it } from 'vitest';
import {
  PUT_EVENTS_LIMITS,
  PutEventsValidationError,
  checkPutEventsEntry,
  checkPutEventsRequest,
  entrySize,
  jsonDepth,
  readEntryTime,
} from '#sandbox/putEventsContract.ts';

const entry = (overrides: Record<string, unknown> = {}) => ({
  Source: 'library.circulation',
  DetailType: 'HoldReady',
  Detail: '{"a":1}',
  ...overrides,
});

describe('Function: entrySize', () => {
  it('counts UTF-8 bytes of Source, DetailType, Detail and each resource, and 14 for Time', () => {
    expect(entrySize({ Source: 'ab', DetailType: 'c', Detail: '{"é":1}' })).toBe(2 + 1 + 8);
    expect(entrySize({ Source: 'ab', DetailType: 'c', Detail: '{}', Time: 1_700_000_000, Resources: ['r1', '€'] })).toBe(
      2 + 1 + 2 + 14 + 2 + 3,
    );
  });
});

describe('Function: checkPutEventsRequest', () => {
  it('accepts 1 to 10 entries and refuses 0 or 11 with a ValidationException', () => {
    expect(checkPutEventsRequest({ Entries: Array.from({ length: 10 }, () => entry()) })).toHaveLength(10);
    expect(() => checkPutEventsRequest({ Entries: [] })).toThrow(PutEventsValidationError);
    expect(() => checkPutEventsRequest({ Entries: Array.from({ length: 11 }, () => entry()) })).toThrow(
      /Member must have length between 1 and 10/,
    );
  });

  it('accepts a request of exactly 256 KB counted in bytes and refuses one byte more, however few characters', () => {
    const overhead = entrySize(entry({ Detail: '' }));
    const exact = entry({ Detail: 'x'.repeat(PUT_EVENTS_LIMITS.maxRequestBytes - overhead) });
    expect(checkPutEventsRequest({ Entries: [exact] })).toHaveLength(1);
    // 'é' is one character and two bytes: the character count stays under the limit, the bytes do not.
    const multibyte = entry({ Detail: 'é'.repeat((PUT_EVENTS_LIMITS.maxRequestBytes - overhead) / 2 + 1) });
    expect(() => checkPutEventsRequest({ Entries: [multibyte] })).toThrow(/Total size of the entries in the request is over the limit/);
  });

  it('refuses a DetailType over 128 characters, a Source over 256 and more than 100 resources', () => {
    expect(checkPutEventsRequest({ Entries: [entry({ DetailType: 'd'.repeat(128) })] })).toHaveLength(1);
    expect(() => checkPutEventsRequest({ Entries: [entry({ DetailType: 'd'.repeat(129) })] })).toThrow(/entries\.1\.member\.detailType/);
    expect(() => checkPutEventsRequest({ Entries: [entry(), entry({ Source: 's'.repeat(257) })] })).toThrow(/entries\.2\.member\.source/);
    expect(() => checkPutEventsRequest({ Entries: [entry({ Resources: Array.from({ length: 101 }, () => 'r') })] })).toThrow(/resources/);
  });
});

describe('Function: checkPutEventsEntry', () => {
  it('fails an aws.* source with NotAuthorizedForSourceException', () => {
    expect(checkPutEventsEntry(entry({ Source: 'aws.s3' }))).toMatchObject({ ErrorCode: 'NotAuthorizedForSourceException' });
  });

  it('fails a Detail that is not a JSON object with MalformedDetail', () => {
    for (const Detail of ['[1,2]', '"text"', '42', 'null', '{oops']) {
      expect(checkPutEventsEntry(entry({ Detail }))).toMatchObject({ ErrorCode: 'MalformedDetail' });
    }
  });

  it('fails a Detail nested deeper than the limit, and accepts one at the limit', () => {
    const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(checkPutEventsEntry(entry({ Detail: nested(PUT_EVENTS_LIMITS.maxDetailDepth) }))).toMatchObject({
      source: 'library.circulation',
    });
    expect(checkPutEventsEntry(entry({ Detail: nested(PUT_EVENTS_LIMITS.maxDetailDepth + 1) }))).toMatchObject({
      ErrorCode: 'MalformedDetail',
    });
  });

  it('reads Time as epoch seconds, as the SDK sends it', () => {
    expect(checkPutEventsEntry(entry({ Time: 1_764_374_400 }))).toMatchObject({ time: new Date('2025-11-29T00:00:00Z') });
    expect(checkPutEventsEntry(entry({ Time: 1_764_374_400.5 }))).toMatchObject({ time: new Date('2025-11-29T00:00:00.500Z') });
    expect(checkPutEventsEntry(entry())).toMatchObject({ time: undefined });
  });

  it('fails a bad Time with InvalidArgument', () => {
    for (const Time of ['yesterday', 1e20, Number.NaN, true]) {
      expect(checkPutEventsEntry(entry({ Time }))).toMatchObject({
        ErrorCode: 'InvalidArgument',
        ErrorMessage: expect.stringContaining('Time'),
      });
    }
  });
});

describe('Function: jsonDepth and readEntryTime', () => {
  it('counts nesting outside strings only', () => {
    expect(jsonDepth('{"a":"[[[{{{","b":[{"c":"\\"]"}]}')).toBe(3);
  });

  it('leaves an absent Time undefined', () => {
    expect(readEntryTime(undefined)).toBeUndefined();
    expect(readEntryTime(null)).toBeUndefined();
  });
});
