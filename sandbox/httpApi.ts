/**
 * The sandbox's HTTP API (DESIGN.md section 9), a public contract. It answers EventBridge PutEvents
 * (AWS JSON 1.1) on `POST /`, the handlers' SQS calls, and the `/sandbox/*` requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Sandbox } from '#sandbox/sandbox.ts';
import { describeIssues } from '#shared/events/issues.ts';
import { inboundSmsSchema } from '#shared/sms/inboundSms.ts';

class HttpError extends Error {
  public constructor(
    public readonly status: number,
    message: string,
    public readonly type = 'ValidationException',
  ) {
    super(message);
  }
}

const MAX_BODY = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_BODY) throw new HttpError(413, 'request body is larger than 1 MiB');
  }
  return body;
}

function parseJson(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body === '' ? '{}' : body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'request body must be a JSON object', 'SerializationException');
  }
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(JSON.stringify(body));
}

async function route(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const target = req.headers['x-amz-target'];
  if (req.method === 'POST' && url.pathname.startsWith('/') && typeof target === 'string') {
    const input = parseJson(await readBody(req));
    if (target === 'AWSEvents.PutEvents') {
      const entries = input.Entries;
      if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
        throw new HttpError(400, '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length between 1 and 10');
      }
      return send(res, 200, await sandbox.putEvents(entries), 'application/x-amz-json-1.1');
    }
    if (target.startsWith('AmazonSQS.')) {
      const outcome = sandbox.sqs(target.slice('AmazonSQS.'.length), input);
      if ('error' in outcome && outcome.error) {
        return send(res, 400, { __type: outcome.error.type, message: outcome.error.message }, 'application/x-amz-json-1.0');
      }
      return send(res, 200, outcome.result, 'application/x-amz-json-1.0');
    }
    throw new HttpError(400, `operation ${target} is not supported by the sandbox`, 'UnknownOperationException');
  }
  if (url.pathname === '/ils/events') {
    // The signed ILS webhook, as deployed behind API Gateway.
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
    const response = await sandbox.ils.webhook.handle({ method: req.method ?? 'GET', headers, body: await readBody(req) });
    return send(res, response.status, response.body);
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/ils/scan') return send(res, 200, { files: await sandbox.ils.scan() });
  if (req.method === 'GET' && url.pathname === '/sandbox/outbox') return send(res, 200, await sandbox.outbox());
  if (req.method === 'GET' && url.pathname === '/sandbox/status') return send(res, 200, sandbox.status());
  if (req.method === 'GET' && url.pathname === '/sandbox/events') return send(res, 200, { events: sandbox.published });
  if (req.method === 'GET' && url.pathname === '/sandbox/purge-journal') return send(res, 200, { entries: await sandbox.itemsOfKind('purge-journal') });
  if (req.method === 'GET' && url.pathname === '/sandbox/statistics') return send(res, 200, { counts: await sandbox.itemsOfKind('statistics') });
  const patron = /^\/sandbox\/patrons\/([A-Za-z0-9._:-]{1,64})$/.exec(url.pathname);
  if (req.method === 'GET' && patron?.[1]) return send(res, 200, await sandbox.patron(patron[1]));
  if (req.method === 'POST' && url.pathname === '/sandbox/clock') {
    const { now } = parseJson(await readBody(req));
    const target = typeof now === 'string' ? new Date(now) : undefined;
    if (!target || Number.isNaN(target.getTime()) || !/[zZ]|[+-]\d\d:\d\d$/.test(String(now))) {
      throw new HttpError(400, 'now must be an ISO 8601 date-time with offset');
    }
    return send(res, 200, await sandbox.advanceClock(target));
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/sms/inbound') {
    const message = parseJson(await readBody(req));
    // The same contract check the handler makes, answered at once instead of via the DLQ.
    const checked = inboundSmsSchema.safeParse(message);
    if (!checked.success) {
      const problems = describeIssues(checked.error.issues, 'body').map((issue) => `${issue.field} ${issue.rule}`);
      throw new HttpError(400, `invalid inbound SMS: ${problems.join('; ')}`);
    }
    const result = await sandbox.inboundSms(message);
    if (result.deadLettered) throw new HttpError(500, 'the inbound SMS handler failed this message; it is in the dead-letter queue', 'InternalFailure');
    return send(res, 200, { inboundMessageId: result.inboundMessageId, processed: true });
  }
  throw new HttpError(404, `no route for ${req.method ?? 'GET'} ${url.pathname}`, 'NotFound');
}

/** Serves the sandbox API on 127.0.0.1:`port`. */
export function serveSandbox(sandbox: Sandbox, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    route(sandbox, req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return send(res, error.status, { __type: error.type, message: error.message });
      process.stderr.write(`sandbox request failed: ${(error as Error).name}: ${(error as Error).message}\n`);
      send(res, 500, { __type: 'InternalFailure', message: 'the sandbox failed to process the request; see its console' });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
