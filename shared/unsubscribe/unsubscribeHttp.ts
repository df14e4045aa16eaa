/**
 * The unsubscribe endpoint's HTTP behaviour, shared by the Lambda function (API Gateway HTTP API)
 * and the sandbox: `GET` shows the page a link opens and changes nothing (mail scanners prefetch
 * links); `POST` opts out, whether it is a mailbox provider's RFC 8058 one-click request
 * (`List-Unsubscribe=One-Click`) or the page's button. The `lang` and `lib` parameters only choose
 * the page's wording and library name; the token alone decides what is opted out.
 */
import { brandingFor, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { safeErrorFields } from '#shared/lambda/safeErrors.ts';
import type { BookdropLogger } from '#shared/observability.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';
import type { Unsubscribe } from '#shared/unsubscribe/unsubscribe.ts';
import { renderUnsubscribePage, type UnsubscribePage } from '#shared/unsubscribe/unsubscribePages.ts';
import type { TokenRejection } from '#shared/unsubscribe/unsubscribeToken.ts';

/** The path the endpoint serves, in AWS and in the sandbox. */
export const UNSUBSCRIBE_PATH = '/unsubscribe';

export interface UnsubscribeHttpRequest {
  readonly method: string;
  /** Decoded query parameters. */
  readonly query: Readonly<Record<string, string | undefined>>;
}

export interface UnsubscribeHttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface UnsubscribeHttpDeps {
  readonly unsubscribe: Unsubscribe;
  readonly config: ConsortiumConfig;
  readonly logger: BookdropLogger;
}

/** The pages hold a token in their URL: no caching, no referrer, no framing, no script. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const REJECTED: Record<TokenRejection, { statusCode: number; page: UnsubscribePage }> = {
  malformed: { statusCode: 400, page: 'invalid' },
  tampered: { statusCode: 400, page: 'invalid' },
  expired: { statusCode: 410, page: 'expired' },
};

/** Answers one request to the unsubscribe endpoint with a page. */
export async function handleUnsubscribeRequest(
  request: UnsubscribeHttpRequest,
  deps: UnsubscribeHttpDeps,
): Promise<UnsubscribeHttpResponse> {
  const language: Language = request.query.lang === 'es' ? 'es' : 'en';
  const { branding } = brandingFor(deps.config, request.query.lib);
  const page = (statusCode: number, which: UnsubscribePage, extra: Record<string, string> = {}): UnsubscribeHttpResponse => ({
    statusCode,
    headers: { ...PAGE_HEADERS, ...extra },
    body: renderUnsubscribePage(which, language, branding),
  });
  const token = request.query.token ?? '';
  try {
    if (request.method === 'GET') {
      const checked = await deps.unsubscribe.view(token);
      if (!checked.valid) return page(REJECTED[checked.reason].statusCode, REJECTED[checked.reason].page);
      return page(200, 'confirm');
    }
    if (request.method === 'POST') {
      const outcome = await deps.unsubscribe.confirm(token);
      if (outcome === 'opted-out' || outcome === 'already-off') return page(200, 'done');
      return page(REJECTED[outcome].statusCode, REJECTED[outcome].page);
    }
    return page(405, 'invalid', { allow: 'GET, POST' });
  } catch (error) {
    // Not swallowed: the 503 tells the mailbox provider (or the patron) to try again; nothing was written.
    deps.logger.error('unsubscribe failed', { method: request.method, ...safeErrorFields(error) });
    return page(503, 'unavailable', { 'retry-after': '120' });
  }
}
