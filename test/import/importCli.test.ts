/**
 * `npm run import` and `npm run export-consent` as a library runs them, against a real sandbox:
 * child processes, exit codes, nothing sent (outbox and published events), a later change that
 * behaves as today, a run killed with SIGKILL that resumes from its checkpoint, and a consent export
 * without contacts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#sandbox/localServices.ts';
import type { Outbox, Sandbox } from '#sandbox/sandbox.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';
import { preferencesChanged, uid } from '#test/helpers/factories.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HEADER = 'borrowernumber,branchcode,smsalertnumber,email,lang,sms_opt_in,email_opt_in,updated_on';

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function start(script: 'import' | 'export-consent', args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finish(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
}

const run = (script: 'import' | 'export-consent', args: readonly string[]) => finish(start(script, args));

/** A Koha report of `count` patrons: every fifth opted out of SMS, every third without email. */
function kohaReport(dir: string, prefix: string, count: number): string {
  const lines = Array.from({ length: count }, (_, i) => {
    const phone = `(914) 555-${String(i).padStart(4, '0')}`;
    return `${prefix}-${i},RPL,${phone},${i % 3 === 0 ? '' : `${prefix}-${i}@example.net`},en,${i % 5 === 0 ? 0 : 1},1,2024-03-01 10:00:00`;
  });
  const path = join(dir, `${prefix}.csv`);
  writeFileSync(path, `${[HEADER, ...lines].join('\n')}\n`);
  return path;
}

describe('Script: import (against the sandbox)', () => {
  let running: TestSandbox;
  let sandbox: Sandbox;
  let api: string;
  let dir: string;
  let table: TableContext;

  beforeAll(async () => {
    // The opt-in confirmation text waits out quiet hours too: the test sandbox runs at noon, library time.
    running = await startTestSandbox();
    ({ sandbox, api, dir } = running);
    const status = sandbox.status();
    table = tableContext(
      new DynamoDBClient({ endpoint: status.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
      sandbox.tableName,
    );
  });

  afterAll(async () => {
    await running?.stop();
  });

  const outbox = async () => (await (await fetch(`${api}/sandbox/outbox`)).json()) as Outbox;
  const published = async () =>
    ((await (await fetch(`${api}/sandbox/events`)).json()) as { events: { 'detail-type': string; detail: Record<string, unknown> }[] })
      .events;
  /** Lets the sandbox run everything the table stream holds (as Lambda would), at its current time. */
  const settle = () =>
    fetch(`${api}/sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ now: sandbox.status().now }),
    });
  const itemsOf = async (prefix: string) => (await scanAll(table)).filter((item) => String(item.pk).startsWith(`PATRON#${prefix}-`));

  it('imports a Koha report, sends nothing, and a later opt-in from the catalog is confirmed by text as today', async () => {
    const prefix = uid('KO');
    const file = kohaReport(dir, prefix, 12);

    const result = await run('import', [file, '--mapping', 'koha', '--sandbox', api, '--checkpoint', join(dir, `${prefix}.json`)]);
    await settle();
    const sent = await outbox();
    const events = (await published()).filter((event) => String(event.detail.patronId).startsWith(prefix));

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/patrons created\s+12\n/);
    expect(result.stdout).toContain('No confirmation text and no notice is sent for imported patrons.');
    expect(sent.sms.filter((sms) => sms.to.startsWith('+1914555'))).toEqual([]);
    expect(sent.email.filter((email) => email.to.startsWith(prefix))).toEqual([]);
    expect(events.length).toBe(24);
    expect(new Set(events.map((event) => `${event['detail-type']}:${String(event.detail.source)}`))).toEqual(
      new Set(['PatronConsentChanged:import']),
    );

    const events2 = new EventBridgeClient({ endpoint: api, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const optIn = preferencesChanged(`${prefix}-0`, { consent: { sms: true } }, { occurredAt: new Date().toISOString() });
    await events2.send(
      new PutEventsCommand({
        Entries: [{ Source: 'library.circulation', DetailType: 'PatronPreferencesChanged', Detail: JSON.stringify(optIn) }],
      }),
    );
    const after = await outbox();

    expect(after.sms.filter((sms) => sms.to === '+19145550000').map((sms) => sms.body)).toEqual([
      'Riverside Library: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.',
    ]);
  });

  it('resumes from its checkpoint after being killed mid-run, ending with one ledger entry per choice; a third run changes nothing', async () => {
    const prefix = uid('KILL');
    const count = 600;
    const file = kohaReport(dir, prefix, count);
    const checkpoint = join(dir, `${prefix}.json`);
    const args = [file, '--mapping', 'koha', '--sandbox', api, '--checkpoint', checkpoint, '--concurrency', '1'];

    const child = start('import', args);
    const killed = finish(child);
    const deadline = Date.now() + 180_000;
    let saved: { nextChunk: number } | undefined;
    while (Date.now() < deadline && child.exitCode === null) {
      if (existsSync(checkpoint)) saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { nextChunk: number };
      if (saved && saved.nextChunk >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    const first = await killed;
    const partial = (await itemsOf(prefix)).filter((item) => item.sk === 'PROFILE').length;

    const second = await run('import', args);
    const items = await itemsOf(prefix);
    const third = await run('import', args);

    expect(first.signal).toBe('SIGKILL');
    expect(partial).toBeGreaterThanOrEqual(3 * 100);
    expect(partial).toBeLessThan(count);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/Resuming from the checkpoint of .*: \d[\d,]* patrons already done/);
    expect(existsSync(checkpoint)).toBe(false);
    expect(items.filter((item) => item.sk === 'PROFILE')).toHaveLength(count);
    // Every patron chose SMS and email: two ledger entries each, none twice.
    expect(items.filter((item) => item.kind === 'consent-ledger')).toHaveLength(2 * count);
    expect(third.status).toBe(0);
    expect(third.stdout).toMatch(/patrons unchanged \(already so\)\s+600\n/);
    expect(await itemsOf(prefix)).toEqual(items);
  }, 600_000);

  it('exports current consent per patron and channel as CSV, with no contact value', async () => {
    const prefix = uid('EXP');
    const file = kohaReport(dir, prefix, 4);
    await run('import', [file, '--mapping', 'koha', '--sandbox', api, '--checkpoint', join(dir, `${prefix}.json`)]);
    const out = join(dir, `${prefix}-consent.csv`);

    const result = await run('export-consent', ['--sandbox', api, '--out', out]);
    const lines = readFileSync(out, 'utf8').trim().split('\n');

    expect(result.status).toBe(0);
    expect(lines[0]).toBe('patron_id,channel,opted_in,source,at,suppressed');
    expect(lines.filter((line) => line.startsWith(`${prefix}-`)).sort()).toEqual([
      `${prefix}-0,email,true,import,2024-03-01T15:00:00.000Z,`,
      `${prefix}-0,sms,false,import,2024-03-01T15:00:00.000Z,`,
      `${prefix}-1,email,true,import,2024-03-01T15:00:00.000Z,`,
      `${prefix}-1,sms,true,import,2024-03-01T15:00:00.000Z,`,
      `${prefix}-2,email,true,import,2024-03-01T15:00:00.000Z,`,
      `${prefix}-2,sms,true,import,2024-03-01T15:00:00.000Z,`,
      `${prefix}-3,email,true,import,2024-03-01T15:00:00.000Z,`,
      `${prefix}-3,sms,true,import,2024-03-01T15:00:00.000Z,`,
    ]);
    expect(readFileSync(out, 'utf8')).not.toMatch(/@|\+1\d/);
  });

  it('refuses rows with exit 1 (and writes nothing on a dry run or with --strict), an unreadable file with exit 2, a missing target with exit 2', async () => {
    const prefix = uid('BAD');
    const file = join(dir, `${prefix}.csv`);
    writeFileSync(file, `${HEADER}\n${prefix}-1,RPL,9145550001,a@example.net,en,1,1,\n,RPL,9145550002,b@example.net,en,1,1,\n`);
    const semicolons = join(dir, `${prefix}-semicolons.csv`);
    writeFileSync(semicolons, `${HEADER.replaceAll(',', ';')}\n${prefix}-1;RPL;9145550001;a@example.net;en;1;1;\n`);
    const checkpoint = ['--checkpoint', join(dir, `${prefix}.json`)];

    const dryRun = await run('import', [file, '--mapping', 'koha', '--dry-run']);
    const strict = await run('import', [file, '--mapping', 'koha', '--strict', '--sandbox', api, ...checkpoint]);
    const afterRefusals = await itemsOf(prefix);
    const partly = await run('import', [file, '--mapping', 'koha', '--sandbox', api, ...checkpoint]);
    const unreadable = await run('import', [semicolons, '--mapping', 'koha', '--sandbox', api]);
    const nowhere = await run('import', [file, '--mapping', 'koha']);

    expect(dryRun.status).toBe(1);
    expect(dryRun.stdout).toContain('Refused rows: nothing of them is imported (1)\n  line 3, borrowernumber: is required\n');
    expect(dryRun.stdout).toContain('Dry run: nothing written.');
    expect(strict.status).toBe(1);
    expect(strict.stderr).toBe('import: 1 row(s) refused and --strict given: nothing written\n');
    expect(afterRefusals).toEqual([]);
    expect(partly.status).toBe(1);
    expect(partly.stdout).toMatch(/patrons created\s+1\n/);
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr).toBe(
      `import: ${semicolons} cannot be read as mapped: the header has a single column: the mapping expects columns separated by comma, ` +
        'but the file seems to use semicolon (set "delimiter" in the mapping, or pass --delimiter). Nothing was written.\n',
    );
    expect(nowhere.status).toBe(2);
    expect(nowhere.stderr).toBe('import: say where to work: --sandbox [url] for a local sandbox, or --stage <name> for a deployed stage\n');
    expect(`${dryRun.stdout}${partly.stdout}${unreadable.stderr}`).not.toMatch(/9145550002|b@example/);
  }, 120_000);
});
