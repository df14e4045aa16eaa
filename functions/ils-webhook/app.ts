/**
 * The signed ILS webhook behind API Gateway (HTTP API, payload 2.0): verifies, validates and puts
 * events on the circulation bus, answering per event like PutEvents.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { processClock } from '#shared/clock.ts';
import { configFromEnv } from '#shared/config/runtimeEnv.ts';
import { readManifestEnv } from '#shared/config/functionManifest.ts';
import { ilsWebhookManifest } from '#functions/ils-webhook/manifest.ts';
import { EventBridgeCirculationPublisher } from '#shared/ilsBridge/circulationPublisher.ts';
import { DynamoReplayGuard } from '#shared/ilsBridge/replayGuard.ts';
import { IlsWebhook } from '#shared/ilsBridge/webhook.ts';
import { secretsManagerWebhookSecrets } from '#shared/ilsBridge/webhookSecrets.ts';
import { logger, metrics } from '#shared/observability.ts';
import { tableContext } from '#shared/table/documentClient.ts';

/** Adapts API Gateway's HTTP API event to the webhook and back. */
export function createWebhookHandler(webhook: IlsWebhook) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const body = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf-8') : event.body;
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const response = await webhook.handle({ method: event.requestContext.http.method, headers, body });
    return { statusCode: response.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response.body) };
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

/** Builds the webhook from the function's environment and the given (or default) AWS clients. */
export function webhookFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  clients: { dynamodb?: DynamoDBClient; eventBridge?: EventBridgeClient; secrets?: SecretsManagerClient } = {},
): IlsWebhook {
  const vars = readManifestEnv(ilsWebhookManifest, env);
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  return new IlsWebhook({
    secrets: secretsManagerWebhookSecrets(clients.secrets ?? new SecretsManagerClient({}), vars.WEBHOOK_SECRET_ID),
    replay: new DynamoReplayGuard(tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME)),
    publisher: new EventBridgeCirculationPublisher(
      clients.eventBridge ?? new EventBridgeClient({}),
      vars.EVENT_BUS_NAME,
      config.events.source,
    ),
    clock: processClock,
    source: config.events.source,
    logger,
    metrics,
  });
}
