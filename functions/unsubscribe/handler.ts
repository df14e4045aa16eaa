/** Lambda entry point: the unsubscribe endpoint wired from the environment (and the configuration parameters) at cold start. */
import { createUnsubscribeHandler, unsubscribeFromEnv } from '#functions/unsubscribe/app.ts';
import { resolveConfigParameters } from '#shared/config/parameterConfig.ts';

await resolveConfigParameters();

export const handler = createUnsubscribeHandler(unsubscribeFromEnv());
