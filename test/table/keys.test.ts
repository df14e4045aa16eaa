/**
 * Key formats live in one module (`shared/table/keys.ts`): no other source file spells a key prefix,
 * so a change of format is one change. Reads the source tree; no emulator.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ledgerKey,
  loanTombstoneKey,
  noticeItemKey,
  noticeKeyOf,
  patronIdOf,
  patronKey,
  renewingLoanKey,
  renewingLoanPrefix,
} from '#shared/table/keys.ts';

const PREFIXES =
  /[`'"](PATRON|LOAN|HOLD|FINE|NOTICE|STATS|PURGE|INBOUND|SMSREPLIES|CONSENT|HISTORY|AUDIENCE|FANOUT|SWEEP|LOANDONE|FINEDONE|HOLDDONE|DUE|PICKUP|WEBHOOKSIG|ILSFEED|SNAPSHOTLOAN|RENEWAL|RENEWING)#/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('Module: table keys', () => {
  it('is the only source file that spells a key prefix', () => {
    const offenders = ['shared', 'functions', 'infra', 'sandbox', 'scripts']
      .flatMap(sources)
      .filter((path) => !path.endsWith(join('table', 'keys.ts')))
      .flatMap((path) =>
        readFileSync(path, 'utf8')
          .split('\n')
          .map((line, index) => ({ path, line: index + 1, text: line.trim() }))
          .filter(({ text }) => !text.startsWith('*') && !text.startsWith('//') && PREFIXES.test(text)),
      )
      .map(({ path, line }) => `${path}:${line}`);
    expect(offenders).toEqual([]);
  });

  it('builds and parses keys symmetrically, and tombstones name no one', () => {
    expect(patronIdOf(patronKey('P-1').pk)).toBe('P-1');
    expect(noticeKeyOf(noticeItemKey('P-1', 'hold-ready#H-1#v#sms').sk)).toBe('hold-ready#H-1#v#sms');
    expect(JSON.stringify(loanTombstoneKey('L-secret-1'))).not.toContain('L-secret-1');
    const entry = { at: '2026-11-05T14:00:00.000Z', topic: 'sms', evidenceId: 'evt-1' };
    expect(ledgerKey('P-1', entry)).not.toEqual(ledgerKey('P-1', { ...entry, suppressed: true }));
    // The requests naming a loan are found by its prefix, which no other loan's notes begin with.
    expect(renewingLoanKey('P-1', 'L-1', 'sms-a').sk.startsWith(renewingLoanPrefix('L-1'))).toBe(true);
    expect(renewingLoanKey('P-1', 'L-10', 'sms-a').sk.startsWith(renewingLoanPrefix('L-1'))).toBe(false);
  });
});
