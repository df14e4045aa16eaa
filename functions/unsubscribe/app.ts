/**
 * Unsubscribe endpoint: the page an email's "stop these emails" link opens, its confirm button and
 * the mailbox providers' one-click POST (RFC 8058), behind an API Gateway HTTP API.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { processClock, type Clock } from '#shared/clock.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { configFromEnv } from '#shared/config/runtimeEnv.ts';
import { readManifestEnv } from '#shared/config/functionManifest.ts';
import { unsubscribeManifest } from '#functions/unsubscribe/manifest.ts';
import { unsubscribeKeyFromEnv } from '#shared/contacts/keys.ts';
import { logger, metrics } from '#shared/observability.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';
import type { MacKey } from '#shared/unsubscribe/macKey.ts';
import { Unsubscribe } from '#shared/unsubscribe/unsubscribe.ts';
import { handleUnsubscribeRequest, type UnsubscribeHttpDeps } from '#shared/unsubscribe/unsubscribeHttp.ts';
import { UnsubscribeTokens } from '#shared/unsubscribe/unsubscribeToken.ts';

/** The HTTP API (payload format 2.0) handler: maps the event to the shared HTTP behaviour. */
export function createUnsubscribeHandler(deps: UnsubscribeHttpDeps) {
  return middy(
    (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
      handleUnsubscribeRequest({ method: event.requestContext.http.method, query: event.queryStringParameters ?? {} }, deps),
  )
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

/** The unsubscribe service over one table; the single place its parts are put together. */
export function buildUnsubscribe(parts: { table: TableContext; config: ConsortiumConfig; clock: Clock; macKey: MacKey }): Unsubscribe {
  return new Unsubscribe({
    tokens: new UnsubscribeTokens(parts.macKey),
    // Consent only: this function holds no contact key.
    patronService: new PatronService({
      patrons: new DynamoPatronStore(parts.table, parts.config.retention.consentLedgerDays, parts.clock),
    }),
    clock: parts.clock,
    logger,
    metrics,
  });
}

export function unsubscribeFromEnv(env: NodeJS.ProcessEnv = process.env, clients: { dynamodb?: DynamoDBClient } = {}): UnsubscribeHttpDeps {
  const vars = readManifestEnv(unsubscribeManifest, env);
  const config = configFromEnv(vars.BOOKDROP_CONFIG);
  const unsubscribe = buildUnsubscribe({
    table: tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME),
    config,
    clock: processClock,
    macKey: unsubscribeKeyFromEnv(vars),
  });
  return { unsubscribe, config, logger };
}
