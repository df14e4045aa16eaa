/** Every function's manifest, by folder name: what the stack, the sandbox and the tests iterate over. */
import { circulationManifest } from '#functions/circulation/manifest.ts';
import { emailFeedbackManifest } from '#functions/email-feedback/manifest.ts';
import { ilsReportsManifest } from '#functions/ils-reports/manifest.ts';
import { ilsWebhookManifest } from '#functions/ils-webhook/manifest.ts';
import { inboundSmsManifest } from '#functions/inbound-sms/manifest.ts';
import { notifierManifest } from '#functions/notifier/manifest.ts';
import { tableStreamManifest } from '#functions/table-stream/manifest.ts';
import { unsubscribeManifest } from '#functions/unsubscribe/manifest.ts';

export const FUNCTION_MANIFESTS = {
  circulation: circulationManifest,
  'email-feedback': emailFeedbackManifest,
  'ils-reports': ilsReportsManifest,
  'ils-webhook': ilsWebhookManifest,
  'inbound-sms': inboundSmsManifest,
  notifier: notifierManifest,
  'table-stream': tableStreamManifest,
  unsubscribe: unsubscribeManifest,
} as const;
