/**
 * The operations CLIs run as an operator would, against a real sandbox, with only `--sandbox <url>`:
 * the smoke test passes (registration and hold to the simulator contacts, NoticeSent on both
 * channels), redrive's dry run counts a dead letter by kind and reason without showing its content,
 * the redrive moves it back, patron-report reads a patron, and mistakes end in one sentence.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '#sandbox/localServices.ts';
import { serveSandbox } from '#sandbox/httpApi.ts';
import { Sandbox } from '#sandbox/sandbox.ts';
import { maskEmail, maskPhone } from '#shared/patrons/patronReport.ts';
import { dayIn, zonedInstant } from '#shared/clock.ts';
import { addDays } from '#shared/sweep/sweepKeys.ts';
import { testConfig } from '#test/helpers/factories.ts';
import { moveSandboxToNoon } from '#test/helpers/sandboxTime.ts';

const exec = promisify(execFile);
const cli = (script: string, args: string[]) =>
  exec('npx', ['tsx', `scripts/${script}.ts`, ...args], { env: { ...process.env, BOOKDROP_URL: '' }, timeout: 90_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

describe('CLIs against the sandbox', { timeout: 240_000 }, () => {
  let sandbox: Sandbox;
  let server: Server;
  let api: string;
  let noon: string;

  beforeAll(async () => {
    const port = await freePort();
    sandbox = await Sandbox.start({ config: testConfig, port, keyFile: join(mkdtempSync(join(tmpdir(), 'bookdrop-')), 'keys.json') });
    server = await serveSandbox(sandbox, port);
    api = `http://127.0.0.1:${port}`;
    // Texts wait out quiet hours: the smoke test checks both channels at noon, library time.
    noon = await moveSandboxToNoon(api, testConfig.timeZone);
  });

  afterAll(async () => {
    server?.close();
    await sandbox?.stop();
  });

  it('smoke: passes on the sandbox, and again on a second run', async () => {
    const first = await cli('smoke', ['--sandbox', api]);
    expect(first.stdout).toContain('PASS');
    const result = await cli('smoke', ['--sandbox', api]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/PASS: hold-ready notice sent by SMS and email in [\d.]+ s/);
    expect(result.code).toBe(0);
    const sent = (await (await fetch(`${api}/sandbox/events`)).json()) as {
      events: { 'detail-type': string; detail: { patronId: string; kind: string; channel: string } }[];
    };
    const noticeSent = sent.events.filter(
      (event) =>
        event['detail-type'] === 'NoticeSent' && event.detail.patronId === 'bookdrop-smoke-test' && event.detail.kind === 'hold-ready',
    );
    expect(noticeSent.map((event) => event.detail.channel).sort()).toEqual(['email', 'email', 'sms', 'sms']);
    const outbox = (await (await fetch(`${api}/sandbox/outbox`)).json()) as { sms: { to: string }[]; email: { to: string }[] };
    expect(outbox.sms.every((sms) => sms.to === '+14254147755')).toBe(true);
    expect(outbox.email.every((email) => email.to === 'success@simulator.amazonses.com')).toBe(true);
  });

  it('smoke: during quiet hours, checks the email and says when the SMS goes', async () => {
    const day = dayIn(testConfig.timeZone, new Date(noon));
    const evening = zonedInstant(testConfig.timeZone, day, '22:30').toISOString();
    await fetch(`${api}/sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ now: evening }),
    });
    const result = await cli('smoke', ['--sandbox', api]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/PASS: hold-ready notice sent by email in [\d.]+ s; its SMS waits for the end of quiet hours/);
    expect(result.stdout).toContain(`(${addDays(day, 1)} 08:00, America/New_York)`);
    expect(result.code).toBe(0);
  });

  it('redrive: the dry run counts dead letters by kind and reason, never their content; the redrive moves them back', async () => {
    const status = (await (await fetch(`${api}/sandbox/status`)).json()) as { queues: { id: string; url: string }[] };
    const notifierUrl = status.queues.find((queue) => queue.id === 'notifier')!.url;
    const sqs = new SQSClient({ endpoint: api, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await sqs.send(
      new SendMessageCommand({ QueueUrl: notifierUrl, MessageBody: JSON.stringify({ kind: 'hold-ready', patronId: 'P-secret-marker' }) }),
    );
    sqs.destroy();
    // Any request that runs the pipeline settles the queues: the malformed request ends in the dead-letter queue.
    await fetch(`${api}/sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ now: new Date().toISOString() }),
    });

    const dry = await cli('redrive', ['notifier', '--dry-run', '--sandbox', api]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`notifier: 1 message(s) in the dead-letter queue (the sandbox at ${api})`);
    expect(dry.stdout).toContain('dry run: read 1, moved nothing');
    expect(dry.stdout).toMatch(/ {4}1 {2}notice hold-ready: a notice request the notifier failed/);
    expect(dry.stdout).not.toContain('P-secret-marker');

    const moved = await cli('redrive', ['notifier', '--sandbox', api]);
    expect(moved.stdout).toContain('moved 1 message(s) back to notifier');
    expect(moved.code).toBe(0);
  });

  it('patron-report: reads a patron through --sandbox', async () => {
    const result = await cli('patron-report', ['bookdrop-smoke-test', '--sandbox', api]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      patronId: 'bookdrop-smoke-test',
      contacts: { sms: maskPhone('+14254147755'), email: maskEmail('success@simulator.amazonses.com') },
    });
  });

  it('says what to do, in one sentence, for an unknown queue or a sandbox that is not running', async () => {
    const unknown = await cli('redrive', ['nope', '--sandbox', api]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      `the sandbox at ${api} has no dead-letter queue "nope"; it has: circulation, notifier, inbound-sms, email-feedback`,
    );
    const port = await freePort();
    const down = await cli('smoke', ['--sandbox', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toBe(
      `No Bookdrop sandbox answers at http://127.0.0.1:${port}. Start it with \`npm start\` (or give its address: --sandbox <url>).`,
    );
    const noTarget = await cli('redrive', ['notifier']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(
      /^say where to work: --sandbox \[url\] for a local sandbox, or --stage <name> for a deployed stage\nusage: npm run redrive/,
    );
  });
});
