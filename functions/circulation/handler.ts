/** Lambda entry point: the circulation handler wired from the environment (and the configuration parameters) at cold start. */
import { circulationServiceFromEnv, createCirculationHandler } from '#functions/circulation/app.ts';
import { resolveConfigParameters } from '#shared/config/parameterConfig.ts';

await resolveConfigParameters();
export const handler = createCirculationHandler(circulationServiceFromEnv());
