/** Lambda entry point: the signed ILS webhook wired from the environment (and the configuration parameters) at cold start. */
import { createWebhookHandler, webhookFromEnv } from '#functions/ils-webhook/app.ts';
import { resolveConfigParameters } from '#shared/config/parameterConfig.ts';

await resolveConfigParameters();

export const handler = createWebhookHandler(webhookFromEnv());
