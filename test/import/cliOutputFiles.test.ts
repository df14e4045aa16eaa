/**
 * The files the import and consent-export commands write: `npm run export-consent --out <file>` when the
 * table fails half-way (AccessDenied on a later page) or the file cannot be written, and an import report
 * that cannot be written: one sentence that says what to do, and no half-written export left where a good
 * one is expected.
 * The sandbox status and DynamoDB are stand-ins on the loopback: the fault is the point, not the data.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const consent = { M: { optedIn: { BOOL: true }, source: { S: 'import' }, at: { S: '2024-03-01T15:00:00.000Z' } } };

let server: Server;
let url: string;
beforeAll(async () => {
  // The first audience shard answers one patron; the next one is refused.
  let queries = 0;
  server = createServer((req, res) => {
    if (req.url === '/sandbox/status') {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const status = { eventBusName: 'bus', endpoints: { dynamodb: endpoint, ses: endpoint, sms: endpoint }, tables: ['table'] };
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status));
    }
    req.resume();
    req.on('end', () => {
      queries++;
      const json = { 'content-type': 'application/x-amz-json-1.0' };
      if (queries === 1) {
        return void res.writeHead(200, json).end(JSON.stringify({ Items: [{ pk: { S: 'PATRON#P1' }, consent: { M: { sms: consent } } }] }));
      }
      res.writeHead(400, json).end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', message: 'no' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function cli(script: 'export-consent' | 'import', args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, AWS_MAX_ATTEMPTS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stderr })));
}

describe('Script: export-consent (a failure half-way)', { timeout: 60_000 }, () => {
  it('says what to do in one sentence and leaves no partial file, nor replaces the last good export', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bookdrop-export-'));
    const fresh = join(dir, 'consent.csv');
    const previous = join(dir, 'previous.csv');
    writeFileSync(previous, 'patron_id,channel,opted_in,source,at,suppressed\nP0,sms,true,import,2024-03-01T15:00:00.000Z,\n');

    const first = await cli('export-consent', ['--sandbox', url, '--out', fresh]);
    const second = await cli('export-consent', ['--sandbox', url, '--out', previous]);

    expect(first.status).toBe(3);
    expect(first.stderr).toMatch(/^export-consent: Your AWS identity is not allowed to do this while reading consent from .*\n$/);
    expect(existsSync(fresh)).toBe(false);
    expect(second.status).toBe(3);
    expect(readFileSync(previous, 'utf8')).toBe(
      'patron_id,channel,opted_in,source,at,suppressed\nP0,sms,true,import,2024-03-01T15:00:00.000Z,\n',
    );
  });

  it('says which file it cannot write, in one sentence without a stack trace, when the folder does not exist', async () => {
    const result = await cli('export-consent', ['--sandbox', url, '--out', join(tmpdir(), 'bookdrop-no-such-folder', 'consent.csv')]);

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^export-consent: cannot write .*consent\.csv \(ENOENT\): check that its folder exists and is writable\n$/,
    );
  });
});

describe('Script: import (a report it cannot write)', { timeout: 60_000 }, () => {
  it('says which file it cannot write, in one sentence, as a problem of the options (exit 2), not of the target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bookdrop-import-'));
    const file = join(dir, 'patrons.csv');
    writeFileSync(file, 'patron_id,sms_opt_in\nP1,maybe\n');
    const mapping = join(dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify({ format: 'csv', columns: { patronId: 'patron_id', smsOptIn: 'sms_opt_in' } }));

    const result = await cli('import', [file, '--mapping', mapping, '--dry-run', '--report', join(dir, 'no-such-folder', 'report.csv')]);

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^import: cannot write .*report\.csv \(ENOENT\): check that its folder exists and is writable\. Nothing was written\.\n$/,
    );
  });
});
