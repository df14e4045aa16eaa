/**
 * Reads a function's environment once, at cold start, and fails fast with the names of the
 * variables that are missing or wrong. No silent defaults for resource names. Which variables a
 * function reads is in its manifest (functions/<name>/manifest.ts, see functionManifest.ts).
 */
import * as z from 'zod/mini';
import { ConfigurationError } from '#shared/errors.ts';
import { describeIssues } from '#shared/events/issues.ts';
import { parseConsortiumConfig, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';

/** Checks `env` against `shape`; one {@link ConfigurationError} names every missing or wrong variable. */
export function readEnv<Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodMiniObject<Shape>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = describeIssues(result.error.issues, 'env').map((issue) => `${issue.field} ${issue.rule}`);
    throw new ConfigurationError(`invalid function environment: ${problems.join('; ')}`);
  }
  return result.data as z.infer<z.ZodMiniObject<Shape>>;
}

/**
 * The configuration validated earlier in this process, by the text it was written as: in AWS the cold
 * start reads and validates the parameters, then puts them in `BOOKDROP_CONFIG` (parameterConfig.ts).
 */
let validated: { readonly json: string; readonly config: ConsortiumConfig } | undefined;

/** Puts a validated configuration in `env.BOOKDROP_CONFIG`; {@link configFromEnv} then returns it without validating it again. */
export function putValidatedConfig(env: NodeJS.ProcessEnv, config: ConsortiumConfig): void {
  const json = JSON.stringify(config);
  validated = { json, config };
  env.BOOKDROP_CONFIG = json;
}

/** Parses the consortium configuration passed in `BOOKDROP_CONFIG` (validated once per process and text). */
export function configFromEnv(json: string): ConsortiumConfig {
  if (validated?.json === json) return validated.config;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ConfigurationError('BOOKDROP_CONFIG is not valid JSON', { cause: error });
  }
  return parseConsortiumConfig(parsed);
}
