/** Lambda entry point: the ILS report-file bridge wired from the environment at cold start. */
import { createReportHandler, reportBridgeFromEnv } from '#functions/ils-reports/app.ts';

export const handler = createReportHandler(reportBridgeFromEnv());
