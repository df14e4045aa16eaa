/** Lambda entry point: the table-stream handler wired from the environment at cold start. */
import { createTableStreamHandler, tableStreamDepsFromEnv } from '#functions/table-stream/app.ts';

export const handler = createTableStreamHandler(tableStreamDepsFromEnv());
