/** Lambda entry point: the notifier wired from the environment at cold start. */
import { createNotifierHandler, notifierFromEnv } from '#functions/notifier/app.ts';

export const handler = createNotifierHandler(notifierFromEnv());
