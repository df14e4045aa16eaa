/**
 * Contact encryption as the functions run it: bundled with the stack's esbuild aliases
 * (infra/bundling.ts: a stand-in for `asn1.js`), then run
 * in a fresh Node process. The bundle seals and opens contacts like the source does, its ciphertexts
 * open with the source, and a signed message fails with a clear error instead of half-working.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlgorithmSuiteIdentifier } from '@aws-crypto/material-management-node';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_ALIASES, BUNDLE_BANNER, BUNDLE_OPTIONS } from '#infra/bundling.ts';
import { COMMITMENT } from '#shared/contacts/contactContext.ts';
import { EsdkContactDecrypter } from '#shared/contacts/contactDecryption.ts';
import { localContactKeyring } from '#shared/contacts/contactKeyring.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('Contact encryption in a function bundle', () => {
  const key = randomBytes(32);
  const dir = mkdtempSync(join(tmpdir(), 'bookdrop-bundled-contacts-'));
  const outfile = join(dir, 'index.mjs');
  let result: { phone: string; opened: string[]; swapped: string; signed: string };

  beforeAll(async () => {
    await build({
      entryPoints: [join(ROOT, 'test/infra/fixtures/bundledContacts.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      outfile,
      platform: 'node',
      format: 'esm',
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      alias: { ...BUNDLE_ALIASES },
      banner: { js: BUNDLE_BANNER },
      logLevel: 'silent',
    });
    const { result: signed } = await buildEncrypt(COMMITMENT).encrypt(localContactKeyring(key), 'sms\n+15555550123', {
      encryptionContext: { purpose: 'bookdrop-contact', patronId: 'P-1', format: '2' },
      suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    });
    const out = execFileSync(process.execPath, [outfile], {
      env: { PATH: process.env.PATH, CONTACT_TEST_KEY: key.toString('base64'), SIGNED_MESSAGE: signed.toString('base64') },
      cwd: dir,
      timeout: 20_000,
    });
    result = JSON.parse(out.toString()) as typeof result;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('does not carry asn1.js', () => {
    expect(readFileSync(outfile, 'utf8')).not.toContain('Failed to match tag'); // asn1.js's DER decoder
  });

  it('seals and opens both contacts of a registration', () => {
    expect(result.opened).toEqual(['+15555550123', 'reader@example.org']);
  });

  it('writes ciphertexts the source opens', async () => {
    expect(await new EsdkContactDecrypter(localContactKeyring(key)).decrypt(result.phone, { patronId: 'P-1', channel: 'sms' })).toBe(
      '+15555550123',
    );
  });

  it('refuses a contact read as the other channel', () => {
    // Minified without keepNames (infra/bundling.ts): the error spells its name out, for the logs.
    expect(result.swapped).toBe('ContactDecryptionError: contact ciphertext is bound to another patron or channel');
  });

  it('refuses a signed message with a clear error', () => {
    expect(result.signed).toMatch(/^SigningSuiteUnavailableError: signed Encryption SDK messages are not supported/);
  });
});
