/** The ILS webhook's environment and grants (see shared/config/functionManifest.ts). */
import { COMMON_ENV, defineFunctionManifest } from '#shared/config/functionManifest.ts';

export const ilsWebhookManifest = defineFunctionManifest({
  name: 'ils-webhook',
  // The sandbox serves the webhook with local adapters (a secret file, its own bus), not from an environment.
  sandbox: 'direct',
  env: {
    ...COMMON_ENV,
    EVENT_BUS_NAME: { meaning: 'the bus the validated circulation events go on' },
    WEBHOOK_SECRET_ID: { meaning: 'Secrets Manager secret with the signing secrets' },
  },
  grants: [
    { resource: 'table', actions: ['dynamodb:PutItem'], why: 'seen signatures (replay guard) only' },
    { resource: 'data-key', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], why: 'the table is encrypted with it' },
    {
      resource: 'webhook-secret',
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      why: 'reads the signing secrets',
    },
    { resource: 'event-bus', actions: ['events:PutEvents'], why: "the ILS's source only" },
  ],
});
