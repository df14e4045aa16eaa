/** The ILS report bridge's environment and grants (see shared/config/functionManifest.ts). */
import { COMMON_ENV, defineFunctionManifest } from '#shared/config/functionManifest.ts';

export const ilsReportsManifest = defineFunctionManifest({
  name: 'ils-reports',
  // The sandbox watches a drop folder with local adapters, not from an environment.
  sandbox: 'direct',
  env: {
    ...COMMON_ENV,
    EVENT_BUS_NAME: { meaning: 'the bus the events derived from reports go on' },
    DROP_BUCKET_NAME: { meaning: 'the S3 bucket the ILS drops its reports in' },
  },
  grants: [
    {
      resource: 'table',
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
      why: 'the feed state only (its partitions)',
    },
    { resource: 'data-key', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], why: 'the table and queue are encrypted with it' },
    {
      resource: 'drop-bucket',
      actions: ['s3:GetObject', 's3:DeleteObject', 's3:PutObject', 'kms:Decrypt', 'kms:GenerateDataKey'],
      why: 'reads and removes reports, writes rejections',
    },
    { resource: 'event-bus', actions: ['events:PutEvents'], why: "the ILS's source only" },
  ],
});
