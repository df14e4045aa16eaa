/** Lambda entry point: the table-stream handler wired from the environment (and the configuration parameters) at cold start. */
import { createTableStreamHandler, tableStreamDepsFromEnv } from '#functions/table-stream/app.ts';
import { resolveConfigParameters } from '#shared/config/parameterConfig.ts';

await resolveConfigParameters();
export const handler = createTableStreamHandler(tableStreamDepsFromEnv());
