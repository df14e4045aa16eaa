/**
 * The unsubscribe endpoint's function against DynamoDB Local and the local SES, in the test pipeline:
 * the email's headers and link, the opt-out (ledger source `email-unsubscribe`, token id as evidence),
 * the outbound event from the table stream, idempotency, and the pages for every refusal.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildUnsubscribe, createUnsubscribeHandler } from '#functions/unsubscribe/app.ts';
import { unsubscribeManifest } from '#functions/unsubscribe/manifest.ts';
import { lambdaContext } from '#sandbox/localQueues.ts';
import { logger } from '#shared/observability.ts';
import type { MacKey } from '#shared/unsubscribe/macKey.ts';
import { emailsTo, scanAll, TEST_UNSUBSCRIBE_URL } from '#test/helpers/localAws.ts';
import { holdReady, patronRegistered, testConfig } from '#test/helpers/factories.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

const START = '2026-11-04T15:00:00Z';

describe('Function: unsubscribe endpoint', () => {
  let pipeline: Pipeline;
  let request: (method: string, url: string, macKey?: MacKey) => Promise<APIGatewayProxyStructuredResultV2 & { body: string }>;

  beforeAll(async () => {
    pipeline = await startPipeline();
    expect(pipeline.clock.now().toISOString()).toBe(new Date(START).toISOString());
    request = async (method, url, macKey = pipeline.keys.unsubscribeKey) => {
      const unsubscribe = buildUnsubscribe({
        table: pipeline.grantChecked(unsubscribeManifest),
        config: testConfig,
        clock: pipeline.clock,
        macKey,
      });
      const handler = createUnsubscribeHandler({ unsubscribe, config: testConfig, logger });
      const query = Object.fromEntries(new URL(url).searchParams);
      const event = { requestContext: { http: { method } }, queryStringParameters: query } as unknown as APIGatewayProxyEventV2;
      return (await handler(event, lambdaContext('unsubscribe'))) as APIGatewayProxyStructuredResultV2 & { body: string };
    };
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  // Tests move the clock; each starts at the pipeline's own time.
  afterEach(() => pipeline.clock.set(START));

  /** A registered patron with one hold-ready email; returns the email's List-Unsubscribe URL. */
  async function patronWithEmail(language: 'en' | 'es' = 'en') {
    const patron = patronRegistered({ language });
    await pipeline.publish(
      { detailType: 'PatronRegistered', detail: patron },
      { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
    );
    await pipeline.deliverNotices();
    const [email] = await emailsTo(patron.contact.email!);
    const url = /^<(.+)>$/.exec(email?.headers?.find((header) => header.name === 'List-Unsubscribe')?.value ?? '')?.[1] ?? '';
    return { patron, email: email!, url };
  }

  const ledgerOf = async (patronId: string) =>
    (await pipeline.patrons.ledger(patronId, pipeline.clock.now())).filter((entry) => entry.topic === 'email');
  const emailConsentEvents = (patronId: string) =>
    pipeline.outbound.published.filter(
      (event) => event.detailType === 'PatronConsentChanged' && event.detail.patronId === patronId && event.detail.channel === 'email',
    );

  it('sends every email with the one-click headers and a visible link to the same signed URL', async () => {
    const { email, url } = await patronWithEmail('es');

    expect(url.startsWith(`${TEST_UNSUBSCRIBE_URL}?token=`)).toBe(true);
    expect(email.headers).toEqual([
      { name: 'List-Unsubscribe', value: `<${url}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(new URL(url).searchParams.get('lang')).toBe('es');
    expect(new URL(url).searchParams.get('lib')).toBe('riverside');
    expect(email.body.text).toContain(`Dejar de recibir estos correos: ${url}`);
    expect(email.body.html).toContain(`<a href="${url.replace(/&/g, '&#38;')}"`);
  });

  it('opts the email out on POST: ledger source email-unsubscribe with the token id, PatronConsentChanged, no next email', async () => {
    const { patron, url } = await patronWithEmail();
    // Noon in the library's zone: the next hold text is not held by quiet hours.
    pipeline.clock.set('2026-11-05T17:00:00Z');

    const response = await request('POST', url);
    await pipeline.deliverNotices();

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<h1>You will no longer get email notices</h1>');
    const entries = await ledgerOf(patron.patronId);
    expect(entries.at(-1)).toEqual({
      patronId: patron.patronId,
      topic: 'email',
      optedIn: false,
      effective: true,
      source: 'email-unsubscribe',
      at: '2026-11-05T17:00:00.000Z',
      policyVersion: patron.policyVersion,
      evidenceId: expect.stringMatching(/^unsub-/),
    });
    expect(emailConsentEvents(patron.patronId).map((event) => event.detail)).toEqual([
      expect.objectContaining({ optedIn: true, source: 'registration' }),
      { patronId: patron.patronId, channel: 'email', optedIn: false, source: 'email-unsubscribe', at: '2026-11-05T17:00:00.000Z' },
    ]);
    await pipeline.publish({ detailType: 'HoldReady', detail: holdReady(patron.patronId, { holdId: 'H-next', title: 'Kindred' }) });
    const [nextRequest] = pipeline.queue.take();
    if (nextRequest === undefined || !('kind' in nextRequest)) throw new Error('the hold asked for no notice');
    const next = await pipeline.notifier.deliver(nextRequest);
    expect(next).toEqual({ sms: 'sent', email: 'not-opted-in' });
    expect(await emailsTo(patron.contact.email!)).toHaveLength(1);
  });

  it('is idempotent: repeated and concurrent POSTs write one ledger entry and announce once', async () => {
    const { patron, url } = await patronWithEmail();

    const responses = await Promise.all([request('POST', url), request('POST', url)]);
    const later = await request('POST', url);
    await pipeline.deliverNotices();

    expect([...responses, later].map((response) => response.statusCode)).toEqual([200, 200, 200]);
    expect((await ledgerOf(patron.patronId)).filter((entry) => entry.source === 'email-unsubscribe')).toHaveLength(1);
    expect(
      emailConsentEvents(patron.patronId).filter((event) => 'source' in event.detail && event.detail.source === 'email-unsubscribe'),
    ).toHaveLength(1);
  });

  it('shows the confirm page on GET and changes nothing (mail scanners open links)', async () => {
    const { patron, url } = await patronWithEmail('es');

    const response = await request('GET', url);

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    expect(response.body).toContain('<html lang="es">');
    expect(response.body).toContain('<form method="post">');
    expect(response.body).toContain('Riverside Public Library');
    expect((await pipeline.patrons.get(patron.patronId))?.consent.email?.optedIn).toBe(true);
  });

  it('answers an expired link with its page (410) and a link of 364 days ago with the opt-out', async () => {
    const old = await patronWithEmail();
    const recent = await patronWithEmail();
    pipeline.clock.set('2027-11-04T00:00:00Z');
    const expired = await request('POST', old.url);
    pipeline.clock.set('2027-11-03T23:59:00Z');
    const stillValid = await request('POST', recent.url);

    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('<h1>This link has expired</h1>');
    expect(stillValid.statusCode).toBe(200);
    expect((await pipeline.patrons.get(recent.patron.patronId))?.consent.email?.optedIn).toBe(false);
  });

  it('answers a tampered link, a token of another key and no token with the invalid page (400), writing nothing', async () => {
    const { patron, url } = await patronWithEmail();
    const tampered = new URL(url);
    tampered.searchParams.set('token', `${tampered.searchParams.get('token')!.slice(0, -12)}AAAAAAAAAAAA`);
    const noToken = new URL(url);
    noToken.searchParams.delete('token');
    const otherKey = { generate: async () => new Uint8Array(32), verify: async () => false } satisfies MacKey;

    const responses = [
      await request('POST', tampered.toString()),
      await request('GET', noToken.toString()),
      await request('POST', url, otherKey),
    ];

    expect(responses.map((response) => response.statusCode)).toEqual([400, 400, 400]);
    for (const response of responses) expect(response.body).toContain('<h1>This link does not work</h1>');
    expect((await pipeline.patrons.get(patron.patronId))?.consent.email?.optedIn).toBe(true);
  });

  it('creates nothing for a valid token of a patron Bookdrop does not hold', async () => {
    const token = await pipeline.keys.unsubscribeTokens.issue('P-never-registered', 'email', pipeline.clock.now());
    const before = (await scanAll(pipeline.table)).length;

    const response = await request('POST', `${TEST_UNSUBSCRIBE_URL}?token=${token}`);

    expect(response.statusCode).toBe(200);
    expect(await pipeline.patrons.get('P-never-registered')).toBeUndefined();
    expect((await scanAll(pipeline.table)).length).toBe(before);
  });

  it('answers 503 with a retry page when the key service fails, and 405 to other methods', async () => {
    const { patron, url } = await patronWithEmail();
    const failing = {
      generate: async () => new Uint8Array(32),
      verify: () => Promise.reject(Object.assign(new Error('down'), { name: 'KMSInternalException' })),
    } satisfies MacKey;

    const failed = await request('POST', url, failing);
    const put = await request('PUT', url);

    expect(failed.statusCode).toBe(503);
    expect(failed.headers).toMatchObject({ 'retry-after': '120' });
    expect(failed.body).toContain('<h1>We could not save your choice</h1>');
    expect(put.statusCode).toBe(405);
    expect(put.headers).toMatchObject({ allow: 'GET, POST' });
    expect((await pipeline.patrons.get(patron.patronId))?.consent.email?.optedIn).toBe(true);
  });
});
