/** The email-feedback function's environment and grants (see shared/config/functionManifest.ts). */
import { COMMON_ENV, defineFunctionManifest } from '#shared/config/functionManifest.ts';

export const emailFeedbackManifest = defineFunctionManifest({
  name: 'email-feedback',
  sandbox: 'env',
  env: { ...COMMON_ENV },
  grants: [
    {
      resource: 'table',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      why: 'suppressions on bounces and complaints',
    },
    { resource: 'table-index', actions: ['dynamodb:Query'], why: 'finds the notice by its id' },
    { resource: 'data-key', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], why: 'the table and queues are encrypted with it' },
  ],
});
