/** Lambda entry point: the inbound-SMS handler wired from the environment (and the configuration parameters) at cold start. */
import { createInboundSmsHandler, inboundSmsFromEnv } from '#functions/inbound-sms/app.ts';
import { resolveConfigParameters } from '#shared/config/parameterConfig.ts';

await resolveConfigParameters();
export const handler = createInboundSmsHandler(inboundSmsFromEnv());
