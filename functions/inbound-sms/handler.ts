/** Lambda entry point: the inbound-SMS handler wired from the environment at cold start. */
import { createInboundSmsHandler, inboundSmsFromEnv } from '#functions/inbound-sms/app.ts';

export const handler = createInboundSmsHandler(inboundSmsFromEnv());
