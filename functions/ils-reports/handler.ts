/** Lambda entry point: the ILS report-file bridge wired from the environment (and the configuration parameters) at cold start. */
import { createReportHandler, reportBridgeFromEnv } from '#functions/ils-reports/app.ts';
import { resolveConfigParameters } from '#shared/config/parameterConfig.ts';

await resolveConfigParameters();

export const handler = createReportHandler(reportBridgeFromEnv());
