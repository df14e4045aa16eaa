/**
 * The configuration read from Parameter Store is validated once per cold start: `configFromEnv`
 * returns the validated object for the exact text `putValidatedConfig` wrote, and validates any other
 * text as before (nothing it would refuse gets through).
 */
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '#shared/config/loadConfigFile.ts';
import { configFromEnv, putValidatedConfig } from '#shared/config/runtimeEnv.ts';
import { ConfigurationError } from '#shared/errors.ts';

describe('putValidatedConfig and configFromEnv', () => {
  const config = loadConfigFile();

  it('returns the validated configuration for the text it wrote', () => {
    const env: NodeJS.ProcessEnv = {};
    putValidatedConfig(env, config);
    expect(env.BOOKDROP_CONFIG).toBe(JSON.stringify(config));
    expect(configFromEnv(env.BOOKDROP_CONFIG ?? '')).toBe(config);
  });

  it('validates any other text', () => {
    putValidatedConfig({}, config);
    const edited = JSON.stringify({ ...config, timeZone: 'Mars/Olympus' });
    expect(() => configFromEnv(edited)).toThrow(ConfigurationError);
    expect(() => configFromEnv(edited)).toThrow(/config\.timeZone/);
    const { libraries, ...rest } = config;
    const reordered = JSON.stringify({ libraries, ...rest });
    expect(configFromEnv(reordered)).not.toBe(config);
    expect(configFromEnv(reordered)).toEqual(config);
  });
});
