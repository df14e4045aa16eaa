/**
 * Reads a function's environment once, at cold start, and fails fast with the names of the
 * variables that are missing or wrong. No silent defaults for resource names.
 */
import * as z from 'zod/mini';
import { ConfigurationError } from '#shared/errors.ts';
import { describeIssues } from '#shared/events/issues.ts';
import { parseConsortiumConfig, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';

const required = z.string().check(z.minLength(1, { error: 'is required' }));

/** Variables every Bookdrop function reads. */
export const baseEnv = {
  TABLE_NAME: required,
  /** The consortium configuration as JSON (see `config/consortium.json`). */
  BOOKDROP_CONFIG: required,
};

/** Which keys protect contacts: KMS in AWS, a local key file in the sandbox. */
export const keyEnv = {
  CONTACT_KEYS: z.enum(['kms', 'local'], { error: 'must be "kms" or "local"' }),
  CONTACT_KEY_ID: z.optional(required),
  PHONE_INDEX_KEY_ID: z.optional(required),
  /** KMS HMAC key of unsubscribe tokens (notifier: GenerateMac; unsubscribe endpoint: VerifyMac). */
  UNSUBSCRIBE_KEY_ID: z.optional(required),
  NOTICE_ID_KEY_ID: z.optional(required),
  LOCAL_KEY_FILE: z.optional(required),
};

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

/** Parses the consortium configuration passed in `BOOKDROP_CONFIG`. */
export function configFromEnv(json: string): ConsortiumConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ConfigurationError('BOOKDROP_CONFIG is not valid JSON', { cause: error });
  }
  return parseConsortiumConfig(parsed);
}
