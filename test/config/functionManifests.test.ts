/**
 * The manifests themselves and the sandbox's wiring from them: each in-process function gets exactly
 * its manifest's sandbox variables, a missing or unknown variable is refused, and a function reads
 * its environment through its manifest with one message naming every problem.
 */
import { describe, expect, it } from 'vitest';
import { FUNCTION_MANIFESTS } from '#functions/manifests.ts';
import { notifierManifest } from '#functions/notifier/manifest.ts';
import {
  environmentFor,
  mergeFunctionEnvironments,
  namesIn,
  readManifestEnv,
  sandboxEnvironment,
} from '#shared/config/functionManifest.ts';
import { sandboxFunctionEnvironment, sandboxFunctionEnvironments } from '#sandbox/functionEnvironment.ts';
import { testConfig } from '#test/helpers/factories.ts';

const resources = {
  tableName: 'bookdrop-sandbox',
  config: testConfig,
  keyFile: '/tmp/keys.json',
  eventBusName: 'bookdrop-sandbox',
  noticeQueueUrl: 'http://127.0.0.1:4010/000000000000/bookdrop-notices',
  inboundSmsQueueUrl: 'http://127.0.0.1:4010/000000000000/bookdrop-inbound-sms',
  unsubscribeUrl: 'http://127.0.0.1:4010/unsubscribe',
};

describe('Sandbox wiring from the manifests', () => {
  const wired = sandboxFunctionEnvironments(resources);

  it('wires every function the sandbox runs from its environment, and only those', () => {
    const fromEnv = Object.entries(FUNCTION_MANIFESTS)
      .filter(([, manifest]) => manifest.sandbox === 'env')
      .map(([name]) => name);
    expect(Object.keys(wired).sort()).toEqual(fromEnv.sort());
  });

  it.each(Object.entries(sandboxFunctionEnvironments(resources)))(
    '%s: gets exactly its manifest sandbox variables',
    (name, environment) => {
      const manifest = FUNCTION_MANIFESTS[name as keyof typeof FUNCTION_MANIFESTS];
      const required = Object.entries(manifest.env)
        .filter(([, variable]) => !('optional' in variable) && (!('scope' in variable) || variable.scope !== 'aws'))
        .map(([variable]) => variable);
      for (const variable of required) expect(environment[variable], `${name} ${variable}`).toBeDefined();
      for (const variable of Object.keys(environment)) expect(namesIn(manifest, 'sandbox'), `${name} ${variable}`).toContain(variable);
      // What the function reads from the sandbox's one environment passes its own check.
      expect(() => readManifestEnv(manifest, sandboxFunctionEnvironment(resources))).not.toThrow();
    },
  );

  it('refuses two values for one variable in the one process environment', () => {
    expect(() => mergeFunctionEnvironments([{ TABLE_NAME: 'a' }, { TABLE_NAME: 'b' }])).toThrow(
      'two functions need different values of TABLE_NAME',
    );
  });
});

describe('Manifest checks', () => {
  it('refuses a variable that is not in the manifest (and the type checker does too)', () => {
    expect(() =>
      sandboxEnvironment(notifierManifest, {
        TABLE_NAME: 't',
        BOOKDROP_CONFIG: '{}',
        CONTACT_KEYS: 'local',
        NOTICE_QUEUE_URL: 'q',
        UNSUBSCRIBE_URL: 'http://x',
        // @ts-expect-error a misspelt variable is a type error
        NOTICE_QUEUE_URLS: 'q',
      }),
    ).toThrow('function notifier: NOTICE_QUEUE_URLS not in its manifest (sandbox)');
    // @ts-expect-error a missing variable is a type error
    expect(environmentFor(notifierManifest, { TABLE_NAME: 't' })).toEqual({ TABLE_NAME: 't' });
  });

  it('reads a function environment through its manifest, naming every missing or wrong variable', () => {
    expect(() => readManifestEnv(notifierManifest, { TABLE_NAME: 't', CONTACT_KEYS: 'aws', UNSUBSCRIBE_URL: 'not a url' })).toThrow(
      /invalid function environment: .*BOOKDROP_CONFIG.*/,
    );
    const vars = readManifestEnv(notifierManifest, {
      TABLE_NAME: 't',
      BOOKDROP_CONFIG: '{}',
      CONTACT_KEYS: 'kms',
      NOTICE_QUEUE_URL: 'q',
      UNSUBSCRIBE_URL: 'https://example.org/u',
      SMS_MIN_INTERVAL_MS: '250',
    });
    expect(vars.SMS_MIN_INTERVAL_MS).toBe('250');
    const kind: 'kms' | 'local' = vars.CONTACT_KEYS;
    expect(kind).toBe('kms');
  });

  it('gives every variable and every grant a meaning', () => {
    for (const manifest of Object.values(FUNCTION_MANIFESTS)) {
      for (const [name, variable] of Object.entries(manifest.env))
        expect(variable.meaning.length, `${manifest.name} ${name}`).toBeGreaterThan(10);
      for (const grant of manifest.grants) expect(grant.why.length, `${manifest.name} ${grant.resource}`).toBeGreaterThan(5);
    }
  });
});
