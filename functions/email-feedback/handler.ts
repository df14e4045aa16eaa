/** Lambda entry point: the email-feedback handler wired from the environment at cold start. */
import { createEmailFeedbackHandler, emailFeedbackFromEnv } from '#functions/email-feedback/app.ts';

export const handler = createEmailFeedbackHandler(emailFeedbackFromEnv());
