/** Lambda entry point: the email-feedback handler wired from the environment (and the configuration parameters) at cold start. */
import { createEmailFeedbackHandler, emailFeedbackFromEnv } from '#functions/email-feedback/app.ts';
import { resolveConfigParameters } from '#shared/config/parameterConfig.ts';

await resolveConfigParameters();
export const handler = createEmailFeedbackHandler(emailFeedbackFromEnv());
