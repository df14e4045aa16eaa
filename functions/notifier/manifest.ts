/** The notifier's environment and grants (see shared/config/functionManifest.ts). */
import * as z from 'zod/mini';
import { COMMON_ENV, CONTACT_KEYS_ENV, defineFunctionManifest } from '#shared/config/functionManifest.ts';

export const notifierManifest = defineFunctionManifest({
  name: 'notifier',
  sandbox: 'env',
  env: {
    ...COMMON_ENV,
    ...CONTACT_KEYS_ENV,
    CONTACT_KEY_ID: { meaning: 'KMS key that protects contacts (decrypt only, for the send)', scope: 'aws' },
    NOTICE_ID_KEY_ID: { meaning: 'KMS HMAC key from which notice ids are derived', scope: 'aws' },
    UNSUBSCRIBE_KEY_ID: { meaning: 'KMS HMAC key that signs unsubscribe links (generate only)', scope: 'aws' },
    SES_CONFIGURATION_SET: { meaning: 'SES configuration set of every email (bounce and complaint events)', optional: true },
    NOTICE_QUEUE_URL: { meaning: 'its own queue: fan-out pages and the notice requests they make' },
    UNSUBSCRIBE_URL: {
      meaning: "the unsubscribe endpoint's URL (HTTPS in AWS): the link every email carries",
      schema: z.url({ error: 'must be the URL of the unsubscribe endpoint' }),
    },
    SMS_MIN_INTERVAL_MS: {
      meaning: 'minimum milliseconds between two SMS of one instance (see SmsPacer); absent: no pacing',
      schema: z.string().check(z.regex(/^\d+$/, { error: 'must be a whole number of milliseconds' })),
      optional: true,
      scope: 'aws',
    },
    EMAIL_MIN_INTERVAL_MS: {
      meaning: "minimum milliseconds between two emails of one instance (SES's send rate); absent: no pacing",
      schema: z.string().check(z.regex(/^\d+$/, { error: 'must be a whole number of milliseconds' })),
      optional: true,
      scope: 'aws',
    },
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
      ],
      why: "reads profiles and what a notice is about (a reply's loans in one read), writes the notice log (and drops its own claim when the channel closed meanwhile)",
    },
    { resource: 'table-index', actions: ['dynamodb:Query'], why: 'the audience and sweep indexes (fan-out and daily sweep)' },
    { resource: 'data-key', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], why: 'the table and queues are encrypted with it' },
    { resource: 'contact-key', actions: ['kms:Decrypt'], why: 'decrypts contacts to send' },
    { resource: 'notice-id-key', actions: ['kms:GenerateMac'], why: 'derives the notice-id key at cold start' },
    { resource: 'unsubscribe-key', actions: ['kms:GenerateMac'], why: 'signs unsubscribe links' },
    { resource: 'notice-queue', actions: ['sqs:SendMessage'], why: 'fan-out pages' },
    { resource: 'sms', actions: ['sns:Publish'], why: 'texts to a phone number' },
    { resource: 'email', actions: ['ses:SendEmail'], why: "the senders' identities and the configuration set" },
  ],
});
