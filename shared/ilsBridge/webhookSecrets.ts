/**
 * The webhook secrets from AWS Secrets Manager: a JSON secret `{ "current": "...", "previous": "..." }`,
 * cached for five minutes (Powertools parameters). During a rotation both values verify, so the ILS
 * can switch to the new secret at its own pace (see docs/ils-bridges.md: rotating the secret).
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { ConfigurationError } from '#shared/errors.ts';
import type { WebhookSecrets } from '#shared/ilsBridge/webhookSignature.ts';

/** Seconds a fetched secret is reused before Secrets Manager is asked again. @default 300 */
export const SECRET_CACHE_SECONDS = 300;

const secretText = z.string().check(z.minLength(32, { error: 'must be at least 32 characters' }));
const secretShape = z.object({ current: secretText, previous: z.optional(secretText) });

/** Validates a secret value; the message names the field, never the secret. */
export function parseWebhookSecrets(value: unknown): WebhookSecrets {
  const parsed = secretShape.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => `${['secret', ...issue.path.map(String)].join('.')} ${issue.message}`);
    throw new ConfigurationError(`the webhook secret must be JSON {"current": "...", "previous"?: "..."}: ${fields.join('; ')}`);
  }
  return parsed.data;
}

/** Reads the secret `secretId` through a cache. */
export function secretsManagerWebhookSecrets(client: SecretsManagerClient, secretId: string): () => Promise<WebhookSecrets> {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  return async () => parseWebhookSecrets(await provider.get(secretId, { transform: 'json', maxAge: SECRET_CACHE_SECONDS }));
}
