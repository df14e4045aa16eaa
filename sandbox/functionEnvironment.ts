/**
 * The sandbox runs the functions in its own process: their variables come from each function's
 * manifest (functions/<name>/manifest.ts), as the stack's do, with the sandbox's local values.
 */
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { mergeFunctionEnvironments, sandboxEnvironment } from '#shared/config/functionManifest.ts';
import { circulationManifest } from '#functions/circulation/manifest.ts';
import { emailFeedbackManifest } from '#functions/email-feedback/manifest.ts';
import { inboundSmsManifest } from '#functions/inbound-sms/manifest.ts';
import { notifierManifest } from '#functions/notifier/manifest.ts';
import { tableStreamManifest } from '#functions/table-stream/manifest.ts';
import { unsubscribeManifest } from '#functions/unsubscribe/manifest.ts';

/** What the sandbox has in place of the stack's resources. */
export interface SandboxResources {
  readonly tableName: string;
  readonly config: ConsortiumConfig;
  /** The local key file: every key of the sandbox. */
  readonly keyFile: string;
  readonly eventBusName: string;
  readonly noticeQueueUrl: string;
  /** The inbound-SMS function's own queue: renewal deadlines come back on it, delayed. */
  readonly inboundSmsQueueUrl: string;
  readonly unsubscribeUrl: string;
}

/** The SES configuration set name the sandbox's notifier passes (the local SES accepts any). */
export const SANDBOX_CONFIGURATION_SET = 'bookdrop-sandbox';

/**
 * Each in-process function's environment, from its manifest, merged into one (the process has one):
 * a variable two functions share must have one value.
 */
export function sandboxFunctionEnvironments(resources: SandboxResources) {
  const common = { TABLE_NAME: resources.tableName, BOOKDROP_CONFIG: JSON.stringify(resources.config) };
  const keys = { CONTACT_KEYS: 'local', LOCAL_KEY_FILE: resources.keyFile } as const;
  return {
    circulation: sandboxEnvironment(circulationManifest, { ...common, ...keys, NOTICE_QUEUE_URL: resources.noticeQueueUrl }),
    notifier: sandboxEnvironment(notifierManifest, {
      ...common,
      ...keys,
      NOTICE_QUEUE_URL: resources.noticeQueueUrl,
      UNSUBSCRIBE_URL: resources.unsubscribeUrl,
      SES_CONFIGURATION_SET: SANDBOX_CONFIGURATION_SET,
    }),
    'table-stream': sandboxEnvironment(tableStreamManifest, {
      ...common,
      EVENT_BUS_NAME: resources.eventBusName,
      NOTICE_QUEUE_URL: resources.noticeQueueUrl,
    }),
    'email-feedback': sandboxEnvironment(emailFeedbackManifest, common),
    'inbound-sms': sandboxEnvironment(inboundSmsManifest, {
      ...common,
      ...keys,
      EVENT_BUS_NAME: resources.eventBusName,
      NOTICE_QUEUE_URL: resources.noticeQueueUrl,
      RENEWAL_DEADLINE_QUEUE_URL: resources.inboundSmsQueueUrl,
    }),
    unsubscribe: sandboxEnvironment(unsubscribeManifest, { ...common, ...keys }),
  };
}

/** The one process environment of the in-process functions. */
export function sandboxFunctionEnvironment(resources: SandboxResources): Record<string, string> {
  return mergeFunctionEnvironments(Object.values(sandboxFunctionEnvironments(resources)));
}
