/**
 * Serves a Lambda function written for an API Gateway HTTP API (payload format 2.0) from the
 * sandbox's own HTTP server: the request becomes the event API Gateway would send, the function's
 * result becomes the response.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiResponse } from '#sandbox/httpApi.ts';

/** The HTTP API event of one request (`body` already read). */
export function httpApiEvent(method: string, url: URL, requestHeaders: IncomingHttpHeaders, body: string): APIGatewayProxyEventV2 {
  const query: Record<string, string> = {};
  // API Gateway joins repeated parameters with commas.
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const headers = Object.fromEntries(Object.entries(requestHeaders).map(([name, value]) => [name, [value].flat().join(',')]));
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'sandbox',
      domainName: url.host,
      domainPrefix: 'sandbox',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `${method} ${url.pathname}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body === '' ? {} : { body }),
    isBase64Encoded: false,
  };
}

/** A function's structured result as the sandbox API's response. */
export function httpApiResponse(result: APIGatewayProxyStructuredResultV2): ApiResponse {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const { 'content-type': contentType = 'text/plain; charset=utf-8', ...rest } = headers;
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString('utf8') : (result.body ?? '');
  return { status: result.statusCode ?? 200, body, contentType, headers: rest };
}
