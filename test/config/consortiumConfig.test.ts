/**
 * Consortium configuration validation: the ILS's own codes as they are, and one clean message for
 * each mistake a library's IT team is likely to make (duplicate branch, typo in a key, equal quiet
 * hours, a zone abbreviation, a broken JSON file), including from `cdk synth` (no stack trace).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { libraryOfBranch, parseConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { loadConfigFile } from '#shared/config/loadConfigFile.ts';
import { testConfig } from '#test/helpers/factories.ts';

const run = promisify(execFile);
// biome-ignore lint/suspicious/noExplicitAny: the tests break a parsed copy of the configuration on purpose, field by field
type LooseConfig = Record<string, any>;
const base = JSON.parse(JSON.stringify(testConfig)) as LooseConfig;
const withChange = (change: (config: LooseConfig) => void) => {
  const copy = JSON.parse(JSON.stringify(base)) as LooseConfig;
  change(copy);
  return copy;
};

describe('Function: parseConsortiumConfig', () => {
  it('accepts Koha-style upper-case codes and matches them exactly', () => {
    const config = parseConsortiumConfig(
      withChange((c) => {
        c.libraries[0].id = 'MPL';
        c.libraries[0].branches = [
          { id: 'MPL', name: 'Midway Public Library' },
          { id: 'MPL_WEST', name: 'West' },
        ];
      }),
    );
    expect(libraryOfBranch(config, 'MPL')).toBe('MPL');
    expect(libraryOfBranch(config, 'MPL_WEST')).toBe('MPL');
    expect(libraryOfBranch(config, 'mpl')).toBeUndefined();
  });

  it.each([
    [
      'a branch id used twice in a library',
      (c: LooseConfig) => c.libraries[0].branches.push({ ...c.libraries[0].branches[0] }),
      /branch id riverside-main is used twice in library riverside; branch ids must be unique/,
    ],
    [
      'a branch id used by two libraries',
      (c: LooseConfig) => c.libraries[1].branches.push({ id: 'riverside-north', name: 'X' }),
      /branch id riverside-north is used in libraries riverside and maplewood/,
    ],
    [
      'an unknown key (a typo)',
      (c: LooseConfig) => {
        c.notices.quietHour = c.notices.quietHours;
      },
      /config\.notices .*quietHour/,
    ],
    [
      'an unknown key in a library',
      (c: LooseConfig) => {
        c.libraries[0].senderMail = 'x@example.org';
      },
      /config\.libraries\.0 .*senderMail/,
    ],
    [
      'quiet hours that start and end at once',
      (c: LooseConfig) => {
        c.notices.quietHours = { start: '21:00', end: '21:00' };
      },
      /config\.notices\.quietHours start and end must differ/,
    ],
    [
      'a zone abbreviation',
      (c: LooseConfig) => {
        c.timeZone = 'EST';
      },
      /config\.timeZone must be an IANA time zone such as America\/New_York, not an abbreviation such as EST/,
    ],
    [
      'a POSIX-style zone',
      (c: LooseConfig) => {
        c.timeZone = 'EST5EDT';
      },
      /config\.timeZone must be an IANA time zone/,
    ],
    [
      'a branch code with a space',
      (c: LooseConfig) => {
        c.libraries[0].branches[0].id = 'MAIN ST';
      },
      /config\.libraries\.0\.branches\.0\.id must be the ILS code/,
    ],
    [
      "a library's patron label that is neither initial nor card",
      (c: LooseConfig) => {
        c.libraries[0].sms = { commands: { patronLabel: 'first-name' } };
      },
      /config\.libraries\.0\.sms\.commands\.patronLabel must be "initial" or "card-suffix"/,
    ],
  ])('refuses %s', (_, change, message) => {
    expect(() => parseConsortiumConfig(withChange(change))).toThrow(message);
  });

  it('keeps accepting UTC and real IANA zones', () => {
    expect(
      parseConsortiumConfig(
        withChange((c) => {
          c.timeZone = 'UTC';
        }),
      ).timeZone,
    ).toBe('UTC');
    expect(
      parseConsortiumConfig(
        withChange((c) => {
          c.timeZone = 'America/Argentina/Buenos_Aires';
        }),
      ).timeZone,
    ).toBe('America/Argentina/Buenos_Aires');
  });
});

describe('Function: loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bookdrop-config-'));

  it('names the line and column of a JSON mistake', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{\n  "timeZone": "America/New_York"\n  "libraries": []\n}\n');
    expect(() => loadConfigFile(file)).toThrow(
      `consortium configuration ${file} is not valid JSON at line 3, column 3: Expected ',' or '}' after property value`,
    );
  });

  it('names the file and every bad field', () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(
      file,
      JSON.stringify(
        withChange((c) => {
          c.timeZone = 'EST';
        }),
      ),
    );
    expect(() => loadConfigFile(file)).toThrow(`${file}: invalid consortium configuration: config.timeZone must be an IANA time zone`);
  });

  it('makes cdk synth print one clean message, without a stack trace', async () => {
    const file = join(dir, 'synth-broken.json');
    writeFileSync(file, '{\n  "consortium": {,\n}');
    const failure = await run('npx', ['tsx', 'infra/app.ts'], {
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ config: file }) },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim()).toBe(
      `Bookdrop configuration: consortium configuration ${file} is not valid JSON at line 2, column 18: Expected property name or '}'`,
    );
  });
});
