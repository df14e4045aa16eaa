/** The inbound-SMS function's environment and grants (see shared/config/functionManifest.ts). */
import { COMMON_ENV, CONTACT_KEYS_ENV, defineFunctionManifest } from '#shared/config/functionManifest.ts';

export const inboundSmsManifest = defineFunctionManifest({
  name: 'inbound-sms',
  sandbox: 'env',
  env: {
    ...COMMON_ENV,
    ...CONTACT_KEYS_ENV,
    PHONE_INDEX_KEY_ID: { meaning: "KMS HMAC key of the phone number's blind index (finds the patron)", scope: 'aws' },
    EVENT_BUS_NAME: { meaning: 'the Bookdrop bus: RenewalRequested goes there, for the ILS' },
    NOTICE_QUEUE_URL: { meaning: "the notifier's queue: the one reply to a renewal request" },
    RENEWAL_DEADLINE_QUEUE_URL: { meaning: 'its own queue: a renewal request comes back, delayed, at its deadline' },
  },
  grants: [
    {
      resource: 'table',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      why: 'SMS consent, reply caps, renewal requests by text and the notes of their loans',
    },
    {
      resource: 'patron-partitions',
      actions: ['dynamodb:Query'],
      why: "a patron's open loans (RENEW, ITEMS): patron partitions only, never logs, tombstones or statistics",
    },
    { resource: 'table-index', actions: ['dynamodb:Query'], why: 'the phone index' },
    { resource: 'data-key', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], why: 'the table and queues are encrypted with it' },
    { resource: 'phone-index-key', actions: ['kms:GenerateMac'], why: 'the blind index of the sender' },
    {
      resource: 'sms',
      actions: ['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut', 'sns:OptInPhoneNumber'],
      why: 'replies, and START lifts the SNS opt-out',
    },
    { resource: 'event-bus', actions: ['events:PutEvents'], why: "RenewalRequested, with Bookdrop's outbound source only" },
    { resource: 'notice-queue', actions: ['sqs:SendMessage'], why: 'the renewal reply, sent by the notifier' },
    { resource: 'own-queue', actions: ['sqs:SendMessage'], why: 'the deadline of a renewal request, as a delayed message' },
  ],
});
