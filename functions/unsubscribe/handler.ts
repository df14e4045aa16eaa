/** Lambda entry point: the unsubscribe endpoint wired from the environment at cold start. */
import { createUnsubscribeHandler, unsubscribeFromEnv } from '#functions/unsubscribe/app.ts';

export const handler = createUnsubscribeHandler(unsubscribeFromEnv());
