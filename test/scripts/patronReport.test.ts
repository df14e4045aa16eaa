/**
 * The patron data report CLI, run as an operator would, against DynamoDB Local.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { describe, expect, it, inject } from 'vitest';
import { buildCirculationService } from '#functions/circulation/app.ts';
import { EsdkContactCrypto, LocalPhoneBlindIndex, localContactKeyring } from '#shared/contacts/contactCrypto.ts';
import { MemoryNoticeQueue } from '#test/helpers/memoryStores.ts';
import { patronRegistered, testConfig } from '#test/helpers/factories.ts';
import { freshTable } from '#test/helpers/localAws.ts';

const run = promisify(execFile);

describe('Script: patron-report', () => {
  it('prints what Bookdrop holds about a patron, contacts masked', async () => {
    const table = await freshTable();
    const keyFile = join(mkdtempSync(join(tmpdir(), 'bookdrop-')), 'keys.json');
    const contactKey = randomBytes(32);
    writeFileSync(
      keyFile,
      JSON.stringify({ contactKey: contactKey.toString('base64'), phoneIndexKey: randomBytes(32).toString('base64') }),
    );
    const service = buildCirculationService({
      table,
      config: testConfig,
      encrypter: new EsdkContactCrypto(localContactKeyring(contactKey)),
      phoneIndex: new LocalPhoneBlindIndex(randomBytes(32)),
      noticeQueue: new MemoryNoticeQueue(),
    });
    const patron = patronRegistered({ contact: { phone: '+15555550187', email: 'r.ortiz@example.net' } });
    await service.apply({ detailType: 'PatronRegistered', detail: patron });

    const { stdout } = await run('npx', ['tsx', 'scripts/patron-report.ts', patron.patronId], {
      env: {
        ...process.env,
        TABLE_NAME: table.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
        CONTACT_KEYS: 'local',
        LOCAL_KEY_FILE: keyFile,
      },
    });

    const report = JSON.parse(stdout) as { patronId: string; contacts: Record<string, string>; ledger: unknown[] };
    expect(report.patronId).toBe(patron.patronId);
    expect(report.contacts).toEqual({ sms: '+1••••••••87', email: 'r•••@example.net' });
    expect(report.ledger).toHaveLength(3);
    expect(stdout).not.toContain('5550187');
    expect(stdout).not.toContain('r.ortiz');
  });

  it('refuses a phone number or an email given as the patron id, in one sentence that does not repeat it', async () => {
    for (const mistaken of ['+15555550187', 'r.ortiz@example.net']) {
      const result = await run('npx', ['tsx', 'scripts/patron-report.ts', mistaken], {
        env: { ...process.env, TABLE_NAME: 'bookdrop-not-read', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^a patron id is 1 to 64 letters, digits or \._:- characters: name the ILS patron id/);
      expect(result.stderr).not.toMatch(/5550187|ortiz/);
    }
  });
});
