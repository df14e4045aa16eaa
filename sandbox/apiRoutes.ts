/**
 * The sandbox API's route table (the public contract of docs/sandbox.md, plus
 * the sandbox's own views). To add a route, add one entry: method, path (exact or a pattern with
 * named groups), optionally `accepts` for a POST that takes something other than JSON, and a handler.
 */
import { SandboxApiError, type ApiRoute } from '#sandbox/httpApi.ts';
import { checkPutEventsRequest, PutEventsValidationError } from '#sandbox/putEventsContract.ts';
import { describeIssues } from '#shared/events/issues.ts';
import { inboundSmsSchema } from '#shared/sms/inboundSms.ts';
import { privacyChartResponse } from '#sandbox/privacyPage.ts';
import { parseIlsResponderSettings } from '#sandbox/ilsResponder.ts';
import { httpApiEvent, httpApiResponse } from '#sandbox/httpFunction.ts';
import { UNSUBSCRIBE_PATH } from '#shared/unsubscribe/unsubscribeHttp.ts';
import { sumStatistics } from '#shared/circulation/loans.ts';

/** AWS JSON protocols route on `X-Amz-Target`, whatever the path (the SQS SDK posts to the queue URL). */
const ANY_PATH = /^\/.*$/;

export const sandboxRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: ANY_PATH,
    amzTarget: /^AWSEvents\.PutEvents$/,
    handle: async ({ sandbox, json }) => {
      let entries: ReturnType<typeof checkPutEventsRequest>;
      try {
        entries = checkPutEventsRequest(json());
      } catch (error) {
        if (error instanceof PutEventsValidationError) throw new SandboxApiError(400, error.message, error.type);
        throw error;
      }
      return { body: await sandbox.putEvents(entries), contentType: 'application/x-amz-json-1.1' };
    },
  },
  {
    method: 'POST',
    path: ANY_PATH,
    amzTarget: /^AmazonSQS\./,
    handle: ({ sandbox, json, headers }) => {
      const outcome = sandbox.sqs(String(headers['x-amz-target']).slice('AmazonSQS.'.length), json());
      const contentType = 'application/x-amz-json-1.0';
      if ('error' in outcome && outcome.error)
        return { status: 400, body: { __type: outcome.error.type, message: outcome.error.message }, contentType };
      return { body: outcome.result, contentType };
    },
  },
  // The signed ILS webhook, as deployed behind API Gateway: it checks its own signature, so it takes
  // any content type (an unsigned or cross-site request is refused by the signature check).
  ...(['GET', 'POST'] as const).map(
    (method): ApiRoute => ({
      method,
      path: '/ils/events',
      accepts: () => true,
      handle: async ({ sandbox, headers, body }) => {
        const flat = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
        const response = await sandbox.ils.webhook.handle({ method, headers: flat, body });
        return { status: response.status, body: response.body };
      },
    }),
  ),
  // The one-click unsubscribe endpoint sandbox emails link to, as deployed behind API Gateway. Mailbox
  // providers post a form (RFC 8058), so it takes any content type: the signed token is its guard.
  ...(['GET', 'POST'] as const).map(
    (method): ApiRoute => ({
      method,
      path: UNSUBSCRIBE_PATH,
      accepts: () => true,
      handle: async ({ sandbox, url, headers, body }) =>
        httpApiResponse(await sandbox.unsubscribe(httpApiEvent(method, url, headers, body))),
    }),
  ),
  { method: 'POST', path: '/sandbox/ils/scan', handle: async ({ sandbox }) => ({ body: { files: await sandbox.ils.scan() } }) },
  {
    method: 'GET',
    path: '/privacy',
    handle: ({ sandbox, url, headers }) =>
      privacyChartResponse(sandbox.config, url, typeof headers['accept-language'] === 'string' ? headers['accept-language'] : undefined),
  },
  { method: 'GET', path: '/sandbox/outbox', handle: async ({ sandbox }) => ({ body: await sandbox.outbox() }) },
  { method: 'GET', path: '/sandbox/status', handle: async ({ sandbox }) => ({ body: await sandbox.health() }) },
  { method: 'GET', path: '/sandbox/events', handle: ({ sandbox }) => ({ body: { events: sandbox.published } }) },
  {
    method: 'GET',
    path: '/sandbox/purge-journal',
    handle: async ({ sandbox }) => ({ body: { entries: await sandbox.itemsOfKind('purge-journal') } }),
  },
  {
    method: 'GET',
    path: '/sandbox/statistics',
    // Per-event counts and the daily totals expired counts were folded into: summed per day, branch and material type.
    handle: async ({ sandbox }) => {
      const items = [...(await sandbox.itemsOfKind('statistics')), ...(await sandbox.itemsOfKind('statistics-total'))];
      return { body: { counts: sumStatistics(items).map(({ counts, ...total }) => ({ ...total, ...counts })) } };
    },
  },
  {
    method: 'GET',
    path: /^\/sandbox\/patrons\/(?<patronId>[A-Za-z0-9._:-]{1,64})$/,
    handle: async ({ sandbox, params }) => ({ body: await sandbox.patron(params.patronId!) }),
  },
  {
    method: 'POST',
    path: '/sandbox/clock',
    handle: async ({ sandbox, json }) => {
      const { now } = json();
      const target = typeof now === 'string' ? new Date(now) : undefined;
      if (!target || Number.isNaN(target.getTime()) || !/[zZ]|[+-]\d\d:\d\d$/.test(String(now))) {
        throw new SandboxApiError(400, 'now must be an ISO 8601 date-time with offset');
      }
      return { body: await sandbox.advanceClock(target) };
    },
  },
  {
    method: 'POST',
    path: '/sandbox/sms/inbound',
    handle: async ({ sandbox, json }) => {
      const message = json();
      // The same contract check the handler makes, answered at once instead of via the DLQ.
      const checked = inboundSmsSchema.safeParse(message);
      if (!checked.success) {
        const problems = describeIssues(checked.error.issues, 'body').map((issue) => `${issue.field} ${issue.rule}`);
        throw new SandboxApiError(400, `invalid inbound SMS: ${problems.join('; ')}`);
      }
      const result = await sandbox.inboundSms(message);
      if (result.deadLettered) {
        throw new SandboxApiError(500, 'the inbound SMS handler failed this message; it is in the dead-letter queue', 'InternalFailure');
      }
      return { body: { inboundMessageId: result.inboundMessageId, processed: true } };
    },
  },
  { method: 'POST', path: '/sandbox/redrive', handle: async ({ sandbox }) => ({ body: await sandbox.redrive() }) },
  // How the sandbox ILS answers renewals asked for by text (docs/sandbox.md).
  { method: 'GET', path: '/sandbox/ils/renewals', handle: ({ sandbox }) => ({ body: sandbox.ilsRenewals.settings }) },
  {
    method: 'POST',
    path: '/sandbox/ils/renewals',
    handle: ({ sandbox, json }) => {
      try {
        sandbox.ilsRenewals.settings = parseIlsResponderSettings(json());
      } catch (error) {
        throw new SandboxApiError(400, (error as Error).message);
      }
      return { body: sandbox.ilsRenewals.settings };
    },
  },
];
