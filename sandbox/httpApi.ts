/**
 * The sandbox's HTTP server: the guards every request passes (its own Host only, a JSON content type
 * on POST, a bounded body decoded as whole UTF-8) and dispatch through the route table of
 * `apiRoutes.ts`. A new route is one entry in that table; nothing here changes.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '#sandbox/sandbox.ts';
import { sandboxRoutes } from '#sandbox/apiRoutes.ts';

/** A request refused with an HTTP status and an AWS-style error type. */
export class SandboxApiError extends Error {
  public constructor(
    public readonly status: number,
    message: string,
    public readonly type = 'ValidationException',
  ) {
    super(message);
    this.name = 'SandboxApiError';
  }
}

/** What a route handler gets. */
export interface ApiRequest {
  readonly sandbox: Sandbox;
  readonly method: string;
  readonly url: URL;
  /** Named groups of the route's path pattern. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** The body decoded as UTF-8 ('' when there is none). */
  readonly body: string;
  /** The body as a JSON object, or a 400 `SerializationException`. */
  json(): Record<string, unknown>;
}

/** What a route handler answers: a JSON value by default; a string body is sent as it is. */
export interface ApiResponse {
  readonly status?: number;
  readonly body: unknown;
  /** @default 'application/json' */
  readonly contentType?: string;
  /** More response headers (e.g. `content-language`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One entry of the route table. */
export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** An exact path, or a pattern whose named groups become `params`. */
  readonly path: string | RegExp;
  /** Matches the `X-Amz-Target` header too (AWS JSON protocols put the operation there). */
  readonly amzTarget?: RegExp;
  /**
   * Media types this POST route accepts. Default: the JSON family, so a cross-site HTML form
   * (urlencoded, multipart, text/plain) cannot reach it.
   */
  readonly accepts?: (mediaType: string) => boolean;
  handle(request: ApiRequest): Promise<ApiResponse> | ApiResponse;
}

/** `application/json`, the AWS JSON protocols (`application/x-amz-json-1.0`, `-1.1`) and `*\/*+json`. */
export function isJsonMediaType(mediaType: string): boolean {
  return (
    mediaType === 'application/json' || /^application\/x-amz-json-1\.[01]$/.test(mediaType) || /^[a-z]+\/[\w.+-]+\+json$/.test(mediaType)
  );
}

/** Largest request body read; larger ones get 413 after the body is drained (no connection reset). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Past this many bytes a too-large body is no longer drained: the connection is closed. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_DRAIN_BYTES) {
      req.destroy();
      break;
    }
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw new SandboxApiError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`, 'RequestEntityTooLarge');
  try {
    // Decoded once, whole: a character split across network chunks stays intact.
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new SandboxApiError(400, 'request body is not valid UTF-8', 'SerializationException');
  }
}

function parseJsonObject(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body === '' ? '{}' : body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new SandboxApiError(400, 'request body must be a JSON object', 'SerializationException');
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The Host names the sandbox answers to: its own loopback address and `localhost`, on its port. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

function match(route: ApiRoute, method: string, path: string, target: string | undefined): Record<string, string> | undefined {
  if (route.method !== method) return undefined;
  if (route.amzTarget && !(target && route.amzTarget.test(target))) return undefined;
  if (typeof route.path === 'string') return route.path === path ? {} : undefined;
  const found = route.path.exec(path);
  return found ? { ...found.groups } : undefined;
}

async function dispatch(sandbox: Sandbox, routes: readonly ApiRoute[], hosts: Set<string>, req: IncomingMessage, res: ServerResponse) {
  // DNS rebinding: a page on another name that resolves to 127.0.0.1 still sends its own Host.
  if (!hosts.has(String(req.headers.host ?? '').toLowerCase())) {
    throw new SandboxApiError(403, `the sandbox answers only to Host ${[...hosts].join(' or ')}`, 'ForbiddenHost');
  }
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
  let route: ApiRoute | undefined;
  let params: Record<string, string> | undefined;
  for (const candidate of routes) {
    params = match(candidate, method, url.pathname, target);
    if (params) {
      route = candidate;
      break;
    }
  }
  if (!route || !params) {
    if (target !== undefined)
      throw new SandboxApiError(400, `operation ${target} is not supported by the sandbox`, 'UnknownOperationException');
    throw new SandboxApiError(404, `no route for ${method} ${url.pathname}`, 'NotFound');
  }
  let body = '';
  if (method === 'POST') {
    const mediaType = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (!(route.accepts ?? isJsonMediaType)(mediaType)) {
      req.resume();
      throw new SandboxApiError(
        415,
        `content type ${mediaType || '(none)'} is not accepted here: send application/json`,
        'UnsupportedMediaType',
      );
    }
    body = await readBody(req);
  }
  const response = await route.handle({ sandbox, method, url, params, headers: req.headers, body, json: () => parseJsonObject(body) });
  send(res, response.status ?? 200, response.body, response.contentType, response.headers);
}

/**
 * Serves the sandbox API on 127.0.0.1:`port` with the given route table.
 * @default routes the sandbox's own table, `sandboxRoutes`
 */
export function serveSandbox(sandbox: Sandbox, port: number, routes: readonly ApiRoute[] = sandboxRoutes): Promise<Server> {
  // With port 0 the system picks the port: the allowed Host names are known once it listens.
  let hosts = allowedHosts(port);
  const server = createServer((req, res) => {
    dispatch(sandbox, routes, hosts, req, res).catch((error: unknown) => {
      if (error instanceof SandboxApiError) return send(res, error.status, { __type: error.type, message: error.message });
      process.stderr.write(`sandbox request failed: ${(error as Error).name}: ${(error as Error).message}\n`);
      send(res, 500, { __type: 'InternalFailure', message: 'the sandbox failed to process the request; see its console' });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      hosts = allowedHosts((server.address() as AddressInfo).port);
      resolve(server);
    });
  });
}
