/** Lambda entry point: the circulation handler wired from the environment at cold start. */
import { circulationServiceFromEnv, createCirculationHandler } from '#functions/circulation/app.ts';

export const handler = createCirculationHandler(circulationServiceFromEnv());
