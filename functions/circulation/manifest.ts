/** The circulation function's environment and grants (see shared/config/functionManifest.ts). */
import { COMMON_ENV, CONTACT_KEYS_ENV, defineFunctionManifest } from '#shared/config/functionManifest.ts';

export const circulationManifest = defineFunctionManifest({
  name: 'circulation',
  sandbox: 'env',
  env: {
    ...COMMON_ENV,
    ...CONTACT_KEYS_ENV,
    CONTACT_KEY_ID: { meaning: 'KMS key that encrypts contacts (encrypt only)', scope: 'aws' },
    PHONE_INDEX_KEY_ID: { meaning: "KMS HMAC key of the phone number's blind index", scope: 'aws' },
    NOTICE_QUEUE_URL: { meaning: "the notifier's queue: notice requests (welcome texts, hold notices)" },
  },
  grants: [
    {
      resource: 'table',
      actions: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:Query',
        'dynamodb:BatchWriteItem',
      ],
      why: 'profiles, ledger, holds, loans and fines (a new hold is checked against its tombstone and the profile in one read); closing an account deletes the patron records in pages',
    },
    { resource: 'data-key', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], why: 'the table and queues are encrypted with it' },
    { resource: 'contact-key', actions: ['kms:GenerateDataKey'], why: 'encrypts contacts, never decrypts' },
    { resource: 'phone-index-key', actions: ['kms:GenerateMac'], why: 'indexes phone numbers' },
    { resource: 'notice-queue', actions: ['sqs:SendMessage'], why: 'queues notice requests' },
  ],
});
