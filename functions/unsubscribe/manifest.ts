/** The unsubscribe endpoint's environment and grants (see shared/config/functionManifest.ts). */
import { COMMON_ENV, CONTACT_KEYS_ENV, defineFunctionManifest } from '#shared/config/functionManifest.ts';

export const unsubscribeManifest = defineFunctionManifest({
  name: 'unsubscribe',
  sandbox: 'env',
  env: {
    ...COMMON_ENV,
    ...CONTACT_KEYS_ENV,
    UNSUBSCRIBE_KEY_ID: { meaning: 'KMS HMAC key that verifies unsubscribe links (verify only)', scope: 'aws' },
  },
  grants: [
    { resource: 'table', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], why: 'the opt-out and its ledger entry' },
    { resource: 'data-key', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], why: 'the table is encrypted with it' },
    { resource: 'unsubscribe-key', actions: ['kms:VerifyMac'], why: 'verifies the link' },
  ],
});
