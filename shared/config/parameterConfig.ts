/**
 * The consortium configuration in SSM Parameter Store. One standard parameter per member library
 * (`<path>/libraries/<NNN>`, in configuration order) and one for the rest (`<path>/consortium`), so
 * a consortium of any size fits: a standard parameter holds 4 KB, the whole file of a 60-library
 * consortium is about 20 KB. Functions read the path once per cold start with Powertools Parameters
 * (`GetParametersByPath`, cached) and validate what they read with the same schema the synth used.
 */
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ConfigurationError } from '#shared/errors.ts';
import { parseConsortiumConfig, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { putValidatedConfig } from '#shared/config/runtimeEnv.ts';

/** Largest value of a standard-tier parameter, in characters. */
export const STANDARD_PARAMETER_LIMIT = 4096;

/** How long a function instance reuses what it read (Powertools cache), in seconds. */
export const CONFIG_CACHE_SECONDS = 300;

/** The parameter path of a stage's configuration. */
export function configParameterPath(stage: string): string {
  return `/bookdrop/${stage}/config`;
}

/**
 * Splits a validated configuration into parameter values by name relative to the path. Throws a
 * {@link ConfigurationError} naming the library whose entry is over the standard-tier limit.
 */
export function configParameters(config: ConsortiumConfig): Record<string, string> {
  const { libraries, ...rest } = config;
  const values: Record<string, string> = { consortium: JSON.stringify(rest) };
  libraries.forEach((library, index) => {
    values[`libraries/${String(index).padStart(3, '0')}`] = JSON.stringify(library);
  });
  for (const [name, value] of Object.entries(values)) {
    if (value.length > STANDARD_PARAMETER_LIMIT) {
      const which = name === 'consortium' ? 'the consortium settings' : `library ${libraries[Number(name.slice(10))]?.id ?? name}`;
      throw new ConfigurationError(
        `${which} take ${value.length} characters; a parameter holds ${STANDARD_PARAMETER_LIMIT}: shorten names or split the library`,
      );
    }
  }
  return values;
}

/** Rebuilds and validates the configuration from parameter values by relative name (the inverse of {@link configParameters}). */
export function assembleConfig(values: Record<string, unknown>): ConsortiumConfig {
  const parse = (name: string, value: unknown): unknown => {
    if (typeof value !== 'string') throw new ConfigurationError(`configuration parameter ${name} is missing or not a string`);
    try {
      return JSON.parse(value);
    } catch {
      throw new ConfigurationError(`configuration parameter ${name} is not valid JSON`);
    }
  };
  const rest = parse('consortium', values.consortium) as Record<string, unknown>;
  const libraries = Object.keys(values)
    .filter((name) => /^libraries\/\d{3}$/.test(name))
    .sort()
    .map((name) => parse(name, values[name]));
  return parseConsortiumConfig({ ...rest, libraries });
}

/** Reads and validates the configuration under `path` (Powertools SSM provider, cached {@link CONFIG_CACHE_SECONDS}). */
export async function loadConfigFromParameters(path: string, provider: SSMProvider): Promise<ConsortiumConfig> {
  const values = await provider.getMultiple(path, { recursive: true, maxAge: CONFIG_CACHE_SECONDS });
  if (!values || Object.keys(values).length === 0) {
    throw new ConfigurationError(`no configuration parameters under ${path}: deploy the stack, or check BOOKDROP_CONFIG_PATH`);
  }
  return assembleConfig(values);
}

/**
 * Cold-start step of every function: when the environment names a parameter path
 * (`BOOKDROP_CONFIG_PATH`, in AWS) rather than carrying the configuration (`BOOKDROP_CONFIG`, in the
 * sandbox and tests), reads the path and puts the validated configuration in `BOOKDROP_CONFIG`, so
 * the wiring code reads the environment the same way everywhere.
 */
export async function resolveConfigParameters(env: NodeJS.ProcessEnv = process.env, provider?: SSMProvider): Promise<void> {
  const path = env.BOOKDROP_CONFIG_PATH;
  if (env.BOOKDROP_CONFIG !== undefined || path === undefined) return;
  const { SSMProvider: Provider } = await import('@aws-lambda-powertools/parameters/ssm');
  putValidatedConfig(env, await loadConfigFromParameters(path, provider ?? new Provider()));
}
