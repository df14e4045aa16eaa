/** Lambda entry point: the notifier wired from the environment (and the configuration parameters) at cold start. */
import { createNotifierHandler, notifierFromEnv } from '#functions/notifier/app.ts';
import { resolveConfigParameters } from '#shared/config/parameterConfig.ts';

await resolveConfigParameters();
export const handler = createNotifierHandler(notifierFromEnv());
