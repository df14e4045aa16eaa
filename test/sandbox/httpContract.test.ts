/**
 * The sandbox API as faithful as its contract: EventBridge's PutEvents limits and error codes through
 * the real `@aws-sdk/client-eventbridge`, bodies decoded as whole UTF-8, a 413 without a connection
 * reset, the Host and content-type guards, and concurrent requests that each return only once their
 * own work is done.
 */
import { request } from 'node:http';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbox } from '#sandbox/sandbox.ts';
import { FUTURE_PICKUP_BY, holdReady, patronRegistered } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

describe('Sandbox: PutEvents limits and HTTP guards', () => {
  let running: TestSandbox;
  let port: number;
  let api: string;
  /** No retries: each request the test makes reaches the sandbox once. */
  let events: EventBridgeClient;

  beforeAll(async () => {
    running = await startTestSandbox();
    ({ port, api } = running);
    events = new EventBridgeClient({
      endpoint: api,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    events?.destroy();
    await running?.stop();
  });

  const entry = (overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
    Source: 'library.circulation',
    DetailType: 'PatronRegistered',
    Detail: JSON.stringify(patronRegistered()),
    ...overrides,
  });
  const published = async () =>
    ((await (await fetch(`${api}/sandbox/events`)).json()) as { events: { time: string; detail: Record<string, unknown> }[] }).events;
  const json = { 'content-type': 'application/json' };

  describe('PutEvents', () => {
    it('refuses 11 entries as a ValidationException and accepts 10', async () => {
      await expect(events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) }))).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('between 1 and 10'),
      });
      const ten = await events.send(new PutEventsCommand({ Entries: Array.from({ length: 10 }, () => entry()) }));
      expect(ten.FailedEntryCount).toBe(0);
    });

    it('counts 256 KB in UTF-8 bytes, as AWS does: fewer characters than the limit can still be too large', async () => {
      const overhead = Buffer.byteLength('library.noticesNoticeSent{"t":""}');
      const text = (bytes: number) => 'é'.repeat(Math.floor(bytes / 2));
      const fits = entry({
        Source: 'library.notices',
        DetailType: 'NoticeSent',
        Detail: JSON.stringify({ t: text(256 * 1024 - overhead) }),
      });
      const over = entry({
        Source: 'library.notices',
        DetailType: 'NoticeSent',
        Detail: JSON.stringify({ t: text(256 * 1024 - overhead + 2) }),
      });

      expect((await events.send(new PutEventsCommand({ Entries: [fits] }))).FailedEntryCount).toBe(0);
      await expect(events.send(new PutEventsCommand({ Entries: [over] }))).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('Total size of the entries in the request is over the limit'),
      });
    });

    it('refuses a DetailType of 129 characters as a ValidationException', async () => {
      await expect(events.send(new PutEventsCommand({ Entries: [entry({ DetailType: 'D'.repeat(129) })] }))).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('detailType'),
      });
    });

    it('fails only the entries that break a rule: aws.* source, Detail not an object, Detail nested too deep', async () => {
      const deep = JSON.stringify({ a: 1 }).replace('1', `${'['.repeat(1500)}${']'.repeat(1500)}`);
      const result = await events.send(
        new PutEventsCommand({
          Entries: [
            entry({ Source: 'aws.s3' }),
            entry({ Detail: '[1,2,3]' }),
            entry({ Source: 'partner.test', DetailType: 'Anything', Detail: deep }),
            entry(),
          ],
        }),
      );

      expect(result.FailedEntryCount).toBe(3);
      expect(result.Entries?.[0]).toMatchObject({ ErrorCode: 'NotAuthorizedForSourceException' });
      expect(result.Entries?.[1]).toMatchObject({ ErrorCode: 'MalformedDetail', ErrorMessage: expect.stringContaining('JSON object') });
      expect(result.Entries?.[2]).toMatchObject({ ErrorCode: 'MalformedDetail', ErrorMessage: expect.stringContaining('nested deeper') });
      expect(result.Entries?.[3]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('reads Time as the SDK sends it (epoch seconds)', async () => {
      const noticeId = `time-${Date.now()}`;
      await events.send(
        new PutEventsCommand({
          Entries: [
            entry({
              Source: 'library.notices',
              DetailType: 'NoticeSent',
              Detail: JSON.stringify({ noticeId }),
              Time: new Date('2026-11-20T10:00:00Z'),
            }),
          ],
        }),
      );
      expect((await published()).find((event) => event.detail.noticeId === noticeId)?.time).toBe('2026-11-20T10:00:00Z');
    });

    it('fails an entry whose Time is not a timestamp, and only that entry', async () => {
      const rewriting = new EventBridgeClient({
        endpoint: api,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        maxAttempts: 1,
      });
      // The SDK cannot send a bad Time: rewrite the serialized body (same length, so the signature's length holds).
      rewriting.middlewareStack.add(
        (next) => async (args) => {
          const http = args.request as { body: string | Uint8Array };
          const body = typeof http.body === 'string' ? http.body : Buffer.from(http.body).toString('utf8');
          http.body = body.replace(/"Time":\d{10}/, '"Time":"yesterda"');
          return next(args);
        },
        { step: 'finalizeRequest' },
      );
      const result = await rewriting.send(new PutEventsCommand({ Entries: [entry({ Time: new Date('2026-11-20T10:00:00Z') }), entry()] }));
      rewriting.destroy();

      expect(result.FailedEntryCount).toBe(1);
      expect(result.Entries?.[0]).toMatchObject({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('Time') });
      expect(result.Entries?.[1]?.EventId).toBeDefined();
    });

    it('decodes a body over 64 KB with non-ASCII text as whole UTF-8', async () => {
      const text = 'Ñandú 𝄞 café '.repeat(8000);
      const noticeId = `utf8-${Date.now()}`;
      await events.send(
        new PutEventsCommand({
          Entries: [entry({ Source: 'library.notices', DetailType: 'NoticeSent', Detail: JSON.stringify({ noticeId, text }) })],
        }),
      );
      const event = (await published()).find((candidate) => candidate.detail.noticeId === noticeId);
      expect(event?.detail.text).toBe(text);
    });

    it('answers concurrent requests each once its own work is done: every hold notice is in the outbox when its request returns', async () => {
      const patrons = Array.from({ length: 8 }, () => patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } }));
      await events.send(new PutEventsCommand({ Entries: patrons.map((patron) => entry({ Detail: JSON.stringify(patron) })) }));

      const seen = await Promise.all(
        patrons.map(async (patron) => {
          await events.send(
            new PutEventsCommand({
              Entries: [
                entry({ DetailType: 'HoldReady', Detail: JSON.stringify(holdReady(patron.patronId, { pickupBy: FUTURE_PICKUP_BY })) }),
              ],
            }),
          );
          const outbox = (await (await fetch(`${api}/sandbox/outbox`)).json()) as Outbox;
          return outbox.sms.filter((sms) => sms.to === patron.contact.phone && sms.body.includes('hold is ready')).length;
        }),
      );

      expect(seen).toEqual(patrons.map(() => 1));
    });
  });

  describe('HTTP guards', () => {
    it('answers 413 to a body over 1 MiB without resetting the connection', async () => {
      const response = await fetch(`${api}/sandbox/clock`, { method: 'POST', headers: json, body: 'x'.repeat(2 * 1024 * 1024) });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ __type: 'RequestEntityTooLarge' });
    });

    it('refuses a POST without a JSON content type (a cross-site form) with 415, before doing anything', async () => {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const response = await fetch(`${api}/sandbox/clock`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: 'now=2099-01-01T00:00:00Z',
        });
        expect(response.status).toBe(415);
      }
      const status = (await (await fetch(`${api}/sandbox/status`)).json()) as { now: string };
      expect(status.now < '2099').toBe(true);
    });

    it('accepts application/json with a charset (the SDK calls above use the AWS JSON protocol types)', async () => {
      const response = await fetch(`${api}/sandbox/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ now: new Date().toISOString() }),
      });
      expect(response.status).toBe(200);
    });

    it('refuses a request whose Host is not its own address (DNS rebinding) with 403', async () => {
      const statusFor = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/sandbox/status', headers: { host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });

      expect(await statusFor(`rebind.attacker.example:${port}`)).toBe(403);
      expect(await statusFor('127.0.0.1')).toBe(403);
      expect(await statusFor(`localhost:${port}`)).toBe(200);
      expect(await statusFor(`127.0.0.1:${port}`)).toBe(200);
    });
  });
});
