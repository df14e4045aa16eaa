/**
 * The bridges' AWS adapters and Lambda wiring, where no local AWS stand-in runs (S3, EventBridge
 * batches, API Gateway events, S3 notifications): aws-sdk-client-mock and plain events.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createWebhookHandler } from '#functions/ils-webhook/app.ts';
import { objectKeys } from '#functions/ils-reports/app.ts';
import { fixedClock } from '#shared/clock.ts';
import type { CirculationEvent } from '#shared/events/contract.ts';
import { EventBridgeCirculationPublisher } from '#shared/ilsBridge/circulationPublisher.ts';
import { S3ReportStore } from '#shared/ilsBridge/s3ReportStore.ts';
import { IlsWebhook } from '#shared/ilsBridge/webhook.ts';
import { parseWebhookSecrets } from '#shared/ilsBridge/webhookSecrets.ts';
import { signRequest } from '#shared/ilsBridge/webhookSignature.ts';
import { logger, metrics } from '#shared/observability.ts';
import { holdReady } from '#test/helpers/factories.ts';

/** The part of an SDK stream body the store uses. */
const body = (text: string) => ({ transformToString: async () => text }) as never;

describe('Class: S3ReportStore', () => {
  const s3 = mockClient(S3Client);
  const store = new S3ReportStore(new S3Client({ region: 'us-east-1' }), 'drop-bucket');
  beforeEach(() => s3.reset());

  it('reads a report file with its drop time, a mapping as JSON, and nothing for a key that is gone', async () => {
    const dropped = new Date('2026-11-04T13:00:00Z');
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
    s3.on(GetObjectCommand, { Key: 'incoming/koha-fines/a.csv' }).resolves({ Body: body('x,y\n'), LastModified: dropped });
    s3.on(GetObjectCommand, { Key: 'mappings/koha-fines.json' }).resolves({ Body: body('{"report":"fines"}'), LastModified: dropped });

    expect(await store.read('incoming/koha-fines/a.csv')).toEqual({ text: 'x,y\n', droppedAt: dropped });
    expect(await store.mapping('koha-fines')).toEqual({ report: 'fines' });
    expect(await store.read('incoming/koha-fines/b.csv')).toBeUndefined();
    expect(await store.mapping('nowhere')).toBeUndefined();
  });

  it('writes the rejection report beside the mapping name and deletes the file', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});

    await store.reject({
      file: 'incoming/koha-fines/fines-20261104.csv',
      mapping: 'koha-fines',
      rejectedAt: '2026-11-04T15:00:00.000Z',
      issues: [{ line: 2, column: 'amount', rule: 'is required' }],
    });
    await store.remove('incoming/koha-fines/fines-20261104.csv');

    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual(
      expect.objectContaining({ Bucket: 'drop-bucket', Key: 'rejections/koha-fines/fines-20261104.json', ContentType: 'application/json' }),
    );
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'drop-bucket',
      Key: 'incoming/koha-fines/fines-20261104.csv',
    });
  });
});

describe('Class: EventBridgeCirculationPublisher', () => {
  it('puts events ten at a time with the circulation source and answers per event, in order', async () => {
    const eventBridge = mockClient(EventBridgeClient);
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((entry, index) =>
        index === 1
          ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }
          : { EventId: `id-${JSON.parse(entry.Detail).eventId}` },
      ),
    }));
    const events: CirculationEvent[] = Array.from({ length: 12 }, (_, i) => ({
      detailType: 'HoldReady',
      detail: holdReady('P1', { eventId: `e${i}` }),
    }));

    const results = await new EventBridgeCirculationPublisher(
      new EventBridgeClient({ region: 'us-east-1' }),
      'bus',
      'library.circulation',
    ).publish(events);

    expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]).toEqual(
      expect.objectContaining({ EventBusName: 'bus', Source: 'library.circulation', DetailType: 'HoldReady' }),
    );
    expect(results.map((result) => ('EventId' in result ? result.EventId : result.ErrorCode))).toEqual([
      'id-e0',
      'ThrottlingException',
      'id-e2',
      'id-e3',
      'id-e4',
      'id-e5',
      'id-e6',
      'id-e7',
      'id-e8',
      'id-e9',
      'id-e10',
      'ThrottlingException',
    ]);
    eventBridge.restore();
  });
});

describe('Function: objectKeys', () => {
  it('takes the created objects under incoming/, URL-decoded, and ignores test events and other prefixes', () => {
    const message = {
      Records: [
        { eventName: 'ObjectCreated:Put', s3: { object: { key: 'incoming/koha-current-loans/current+loans+2026-11-04.csv' } } },
        { eventName: 'ObjectCreated:CompleteMultipartUpload', s3: { object: { key: 'incoming/koha-fines/fines%C3%A9.csv' } } },
        { eventName: 'ObjectRemoved:Delete', s3: { object: { key: 'incoming/koha-fines/old.csv' } } },
        { eventName: 'ObjectCreated:Put', s3: { object: { key: 'rejections/koha-fines/x.json' } } },
      ],
    };

    expect(objectKeys(JSON.stringify(message))).toEqual([
      'incoming/koha-current-loans/current loans 2026-11-04.csv',
      'incoming/koha-fines/finesé.csv',
    ]);
    expect(objectKeys(JSON.stringify({ Event: 's3:TestEvent' }))).toEqual([]);
    expect(() => objectKeys('not json')).toThrow('must be an S3 event notification');
  });
});

describe('Function: createWebhookHandler', () => {
  it('answers an API Gateway HTTP API event, base64 bodies and mixed-case headers included', async () => {
    const secret = 'k'.repeat(40);
    const clock = fixedClock('2026-11-04T15:00:00Z');
    const webhook = new IlsWebhook({
      secrets: async () => ({ current: secret }),
      replay: { firstUse: async () => true },
      publisher: { publish: async (events) => events.map((event) => ({ EventId: `bus-${event.detail.eventId}` })) },
      clock,
      source: 'library.circulation',
      logger,
      metrics,
    });
    const hold = holdReady('P1');
    const raw = JSON.stringify({ entries: [{ 'detail-type': 'HoldReady', detail: hold }] });
    const signed = signRequest(secret, raw, Math.floor(clock.now().getTime() / 1000));
    const event = {
      body: Buffer.from(raw).toString('base64'),
      isBase64Encoded: true,
      headers: { 'X-Bookdrop-Timestamp': signed['x-bookdrop-timestamp'], 'X-Bookdrop-Signature': signed['x-bookdrop-signature'] },
      requestContext: { http: { method: 'POST' } },
    } as unknown as APIGatewayProxyEventV2;

    const response = await createWebhookHandler(webhook)(event, {} as Context);

    expect(response).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: `bus-${hold.eventId}` }] }),
    });
  });
});

describe('Function: parseWebhookSecrets', () => {
  it('accepts {current, previous?} of 32 characters or more and names the field otherwise, never the value', () => {
    expect(parseWebhookSecrets({ current: 'a'.repeat(32) })).toEqual({ current: 'a'.repeat(32) });
    expect(() => parseWebhookSecrets({ current: 'tooshort-secret' })).toThrow('secret.current must be at least 32 characters');
    expect(() => parseWebhookSecrets({ current: 'tooshort-secret' })).not.toThrow(/tooshort/);
  });
});
