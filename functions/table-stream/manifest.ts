/** The table-stream outbox's environment and grants (see shared/config/functionManifest.ts). */
import { COMMON_ENV, defineFunctionManifest } from '#shared/config/functionManifest.ts';

export const tableStreamManifest = defineFunctionManifest({
  name: 'table-stream',
  sandbox: 'env',
  env: {
    ...COMMON_ENV,
    EVENT_BUS_NAME: { meaning: 'the bus Bookdrop publishes its outbound events on' },
    NOTICE_QUEUE_URL: { meaning: "the notifier's queue: SMS opt-in confirmations" },
  },
  grants: [
    {
      resource: 'table',
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      why: 'the purge journal and the statistics totals only (their partitions)',
    },
    { resource: 'data-key', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], why: 'the table, stream and queues are encrypted with it' },
    { resource: 'data-key', actions: ['kms:DescribeKey'], why: 'the stream event source mapping reads the encrypted stream' },
    { resource: 'event-bus', actions: ['events:PutEvents'], why: "Bookdrop's own outbound events only (source condition)" },
    { resource: 'notice-queue', actions: ['sqs:SendMessage'], why: 'opt-in confirmation requests' },
  ],
});
