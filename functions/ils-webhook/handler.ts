/** Lambda entry point: the signed ILS webhook wired from the environment at cold start. */
import { createWebhookHandler, webhookFromEnv } from '#functions/ils-webhook/app.ts';

export const handler = createWebhookHandler(webhookFromEnv());
