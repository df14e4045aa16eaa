/**
 * The signed webhook in-process: an in-memory replay guard, a recording publisher, the real
 * validation (the DynamoDB replay guard is proved through the sandbox, test/sandbox/ilsBridgesSandbox.test.ts). Replayed and stale requests are refused; each event gets its own result; no
 * contact value reaches a log line or a response.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '#shared/clock.ts';
import type { CirculationEvent } from '#shared/events/contract.ts';
import type { CirculationPublisher, PublishResult } from '#shared/ilsBridge/circulationPublisher.ts';
import { IlsWebhook } from '#shared/ilsBridge/webhook.ts';
import { signRequest } from '#shared/ilsBridge/webhookSignature.ts';
import { logger, metrics } from '#shared/observability.ts';
import { captureLogs } from '#test/helpers/captureLogs.ts';
import { holdReady, patronRegistered } from '#test/helpers/factories.ts';
import { MemoryReplayGuard } from '#test/helpers/memoryStores.ts';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const SECRET = 's'.repeat(48);
const clock = fixedClock('2026-11-04T15:00:00Z');
const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

class RecordingPublisher implements CirculationPublisher {
  public readonly published: CirculationEvent[] = [];
  public async publish(events: readonly CirculationEvent[]): Promise<PublishResult[]> {
    this.published.push(...events);
    return events.map((event) => ({ EventId: `bus-${event.detail.eventId}` }));
  }
}

describe('Class: IlsWebhook', () => {
  let webhook: IlsWebhook;
  let publisher: RecordingPublisher;
  let logs: ReturnType<typeof captureLogs> | undefined;

  beforeAll(async () => {
    // The unit project shares modules between files: the logger may exist already, at another level.
    logger.setLogLevel('DEBUG');
    publisher = new RecordingPublisher();
    webhook = new IlsWebhook({
      secrets: async () => ({ current: SECRET }),
      replay: new MemoryReplayGuard(),
      publisher,
      clock,
      source: 'library.circulation',
      logger,
      metrics,
    });
  });

  afterEach(() => logs?.restore());
  afterAll(() => logger.setLogLevel('WARN'));

  const post = (entries: unknown[], options: { timestamp?: number; secret?: string } = {}) => {
    const body = JSON.stringify({ entries });
    const headers = signRequest(options.secret ?? SECRET, body, options.timestamp ?? nowSeconds());
    return { method: 'POST', headers, body };
  };

  it('validates each event as on the bus, publishes the valid ones and answers per event like PutEvents', async () => {
    const patron = patronRegistered();
    const hold = holdReady(patron.patronId);
    const bad = { ...holdReady(patron.patronId), pickupBy: 'next Tuesday' };
    logs = captureLogs();

    const response = await webhook.handle(
      post([
        { 'detail-type': 'PatronRegistered', detail: patron },
        { 'detail-type': 'HoldReady', detail: bad },
        { 'detail-type': 'HoldReady', detail: hold },
        { 'detail-type': 'LoanForgiven', detail: hold },
      ]),
    );

    expect(response).toEqual({
      status: 200,
      body: {
        FailedEntryCount: 2,
        Entries: [
          { EventId: `bus-${patron.eventId}` },
          { ErrorCode: 'InvalidArgument', ErrorMessage: 'invalid event: detail.pickupBy must be an ISO 8601 date-time with offset' },
          { EventId: `bus-${hold.eventId}` },
          { ErrorCode: 'InvalidArgument', ErrorMessage: 'invalid event: event.detail-type is not a detail-type of contract v1' },
        ],
      },
    });
    expect(publisher.published.map((event) => event.detail.eventId)).toEqual([patron.eventId, hold.eventId]);
    const text = logs.text();
    expect(text).toContain('ILS webhook batch');
    for (const secret of [patron.contact.phone!, patron.contact.email!, hold.title]) {
      expect(text).not.toContain(secret);
      expect(JSON.stringify(response)).not.toContain(secret);
    }
  });

  it('refuses the same signed request a second time, and accepts it re-signed', async () => {
    const request = post([{ 'detail-type': 'HoldReady', detail: holdReady('P-replay') }]);
    const before = publisher.published.length;

    const first = await webhook.handle(request);
    const replay = await webhook.handle(request);
    clock.set(new Date(clock.now().getTime() + 1000));
    const resigned = await webhook.handle(post(JSON.parse(request.body).entries));

    expect(first.status).toBe(200);
    expect(replay).toEqual({
      status: 409,
      body: {
        __type: 'Replayed',
        message: 'this signed request was already received: send each request once, with a new timestamp and signature',
      },
    });
    expect(resigned.status).toBe(200);
    expect(publisher.published.length).toBe(before + 2);
  });

  it('refuses a stale request, a request signed with another secret, and an unsigned one, publishing nothing', async () => {
    const entries = [{ 'detail-type': 'HoldReady', detail: holdReady('P-stale') }];
    const before = publisher.published.length;

    const stale = await webhook.handle(post(entries, { timestamp: nowSeconds() - 301 }));
    const forged = await webhook.handle(post(entries, { secret: 'f'.repeat(48) }));
    const unsigned = await webhook.handle({ method: 'POST', headers: {}, body: JSON.stringify({ entries }) });

    expect([stale.status, forged.status, unsigned.status]).toEqual([401, 401, 401]);
    expect(stale.body).toEqual({ __type: 'Unauthorized', message: expect.stringContaining('too far from now') });
    expect(forged.body).toEqual({ __type: 'Unauthorized', message: expect.stringContaining('does not match') });
    expect(unsigned.body).toEqual({ __type: 'Unauthorized', message: 'the X-Bookdrop-Signature header is missing' });
    expect(publisher.published.length).toBe(before);
  });

  it('refuses a batch of more than ten events or a body that is not the batch shape', async () => {
    const eleven = Array.from({ length: 11 }, () => ({ 'detail-type': 'HoldReady', detail: holdReady('P-many') }));

    expect((await webhook.handle(post(eleven))).body).toEqual({
      __type: 'ValidationException',
      message: 'body.entries must be an array of 1 to 10 events',
    });
    expect((await webhook.handle(post(['HoldReady']))).body).toEqual({
      __type: 'ValidationException',
      message: 'body.entries.0 must be an object with "detail-type" and "detail"',
    });
    expect((await webhook.handle({ ...post([]), method: 'GET' })).status).toBe(405);
  });
});
