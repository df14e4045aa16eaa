/**
 * Delivery semantics against DynamoDB Local: one notice per key under a duplicate storm, never a
 * send after a committed opt-out (checked across interleavings), provider errors classified, and
 * fan-out of updates to every opted-in patron in pages.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '#sandbox/localQueues.ts';
import { createNotifierHandler } from '#functions/notifier/app.ts';
import type { NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { holdReady, patronRegistered, preferencesChanged, sqsEvent, uid } from '#test/helpers/factories.ts';
import { emailsTo, scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

describe('Notifier: delivery semantics', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  const holdTexts = (to: string) => pipeline.sms.messages.filter((sms) => sms.to === to && sms.body.includes('hold'));

  it('sends exactly one notice per key when each event is delivered 1 to 5 times, concurrently', async () => {
    const patrons = Array.from({ length: 6 }, () => patronRegistered({ consent: { sms: true, email: true, checkoutHistory: false } }));
    await pipeline.publish(...patrons.map((detail) => ({ detailType: 'PatronRegistered', detail })));
    await pipeline.deliverNotices();
    const holds = patrons.map((patron) => holdReady(patron.patronId));
    await pipeline.publish(...holds.map((detail) => ({ detailType: 'HoldReady', detail })));
    const requests = pipeline.queue.take() as NoticeRequest[];

    // Every request 1 to 5 times, in concurrent batches.
    const storm = requests.flatMap((request, index) => Array.from({ length: 1 + (index % 5) }, () => request));
    const notify = createNotifierHandler({
      notifier: pipeline.notifier,
      fanOut: pipeline.fanOut,
      sweep: pipeline.sweep,
      clock: pipeline.clock,
    });
    const batches = [];
    for (let start = 0; start < storm.length; start += 4) batches.push(storm.slice(start, start + 4));
    await Promise.all(batches.map((batch) => notify(sqsEvent(...batch), lambdaContext('notifier'))));

    for (const patron of patrons) {
      expect(holdTexts(patron.contact.phone!)).toHaveLength(1);
      expect((await emailsTo(patron.contact.email!)).filter((email) => email.subject.includes('hold'))).toHaveLength(1);
    }
  });

  it('delivers the same request twice in one batch once, and neither record is retried', async () => {
    const patron = patronRegistered({ consent: { sms: true, email: true, checkoutHistory: false } });
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.deliverNotices();
    await pipeline.publish({ detailType: 'HoldReady', detail: holdReady(patron.patronId) });
    const [request] = pipeline.queue.take() as NoticeRequest[];
    // The same notice from another cause (the registration asking again for a ready hold).
    const again = { ...request!, causationId: uid('evt') };
    const notify = createNotifierHandler({
      notifier: pipeline.notifier,
      fanOut: pipeline.fanOut,
      sweep: pipeline.sweep,
      clock: pipeline.clock,
    });

    const response = await notify(sqsEvent(request, again), lambdaContext('notifier'));

    expect(response.batchItemFailures).toEqual([]);
    expect(holdTexts(patron.contact.phone!)).toHaveLength(1);
    expect((await emailsTo(patron.contact.email!)).filter((email) => email.subject.includes('hold'))).toHaveLength(1);
  });

  it('does not let a request share a delivery in another batch that read consent before the patron registered', async () => {
    // The hold is applied before its patron's registration: its own request finds no consent. The
    // registration then asks again; that request arrives in a second batch while the first batch's
    // delivery (which read no consent) is still running, as the sandbox runs a queue's batches at once.
    const patron = patronRegistered({ consent: { sms: true, email: true, checkoutHistory: false } });
    await pipeline.publish({ detailType: 'HoldReady', detail: holdReady(patron.patronId) });
    const [first] = pipeline.queue.take() as NoticeRequest[];
    const patrons = (pipeline.notifier as unknown as { deps: { patrons: typeof pipeline.patrons } }).deps.patrons;
    const originalGet = patrons.get.bind(patrons);
    let readBeforeRegistration: () => void = () => undefined;
    const firstRead = new Promise<void>((resolve) => {
      readBeforeRegistration = resolve;
    });
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reads = 0;
    patrons.get = async (id: string) => {
      const profile = await originalGet(id);
      if (++reads === 1) {
        readBeforeRegistration();
        await released;
      }
      return profile;
    };
    const notify = createNotifierHandler({
      notifier: pipeline.notifier,
      fanOut: pipeline.fanOut,
      sweep: pipeline.sweep,
      clock: pipeline.clock,
    });

    try {
      const firstBatch = notify(sqsEvent(first), lambdaContext('notifier'));
      await firstRead;
      await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
      const again = (pipeline.queue.take() as NoticeRequest[]).filter((request) => request.kind === 'hold-ready');
      const secondBatch = await notify(sqsEvent(...again), lambdaContext('notifier'));
      release();

      expect(again).toHaveLength(1);
      expect(secondBatch.batchItemFailures).toEqual([]);
      expect((await firstBatch).batchItemFailures).toEqual([]);
    } finally {
      patrons.get = originalGet;
    }
    expect(holdTexts(patron.contact.phone!)).toHaveLength(1);
    expect((await emailsTo(patron.contact.email!)).filter((email) => email.subject.includes('hold'))).toHaveLength(1);
  });

  it('never sends after an opt-out is committed, in any interleaving of the opt-out and the send', async () => {
    // Interleavings: opt-out before the read, between read and claim, after the claim (before the
    // notifier reads consent again), after that second read (the send has started).
    for (const moment of ['before-read', 'after-read', 'after-claim', 'after-recheck'] as const) {
      const patron = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
      await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
      await pipeline.deliverNotices();
      await pipeline.publish({ detailType: 'HoldReady', detail: holdReady(patron.patronId) });
      const [request] = pipeline.queue.take() as NoticeRequest[];
      const optOut = () =>
        pipeline.publish({
          detailType: 'PatronPreferencesChanged',
          detail: preferencesChanged(
            patron.patronId,
            { consent: { sms: false } },
            { occurredAt: '2026-11-04T10:00:00-05:00', source: 'staff' },
          ),
        });
      // The notifier's own stores, so the opt-out lands exactly between its steps.
      const internals = (
        pipeline.notifier as unknown as {
          deps: { patrons: typeof pipeline.patrons; notices: { claim: (...args: unknown[]) => Promise<string> } };
        }
      ).deps;
      const patrons = internals.patrons;
      const originalGet = patrons.get.bind(patrons);
      const notices = internals.notices;
      const originalClaim = notices.claim.bind(notices);
      let optedOutAt: string | undefined;
      if (moment === 'before-read') await optOut();
      let reads = 0;
      if (moment === 'after-read' || moment === 'after-recheck') {
        patrons.get = async (id: string) => {
          const profile = await originalGet(id);
          reads++;
          if (reads === (moment === 'after-read' ? 1 : 2)) {
            await optOut();
            optedOutAt = moment;
          }
          return profile;
        };
      }
      if (moment === 'after-claim') {
        notices.claim = async (...args: unknown[]) => {
          const outcome = await originalClaim(...args);
          await optOut();
          optedOutAt = 'after-claim';
          return outcome;
        };
      }
      await pipeline.notifier.deliver(request!);
      patrons.get = originalGet;
      notices.claim = originalClaim;

      // Sent only when consent was read again after the claim, before the opt-out.
      expect(holdTexts(patron.contact.phone!), moment).toHaveLength(moment === 'after-recheck' ? 1 : 0);
      expect(optedOutAt ?? 'before-read').toBe(moment);
    }
  });

  it('retries throttling and 5xx through the queue, and ends permanent errors as NoticeFailed', async () => {
    const sns = new SNSClient({ region: 'us-east-1' });
    const mock = mockClient(sns);
    const local = await startPipeline({ snsClient: sns });
    try {
      const throttled = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
      const invalid = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
      const badNumber = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
      mock.on(PublishCommand).resolves({ MessageId: uid('sns') });
      mock.on(PublishCommand, { PhoneNumber: badNumber.contact.phone }).rejects(
        Object.assign(new Error(`Invalid parameter: PhoneNumber Reason: ${badNumber.contact.phone} is not valid to publish to`), {
          name: 'InvalidParameterException',
          $metadata: { httpStatusCode: 400 },
        }),
      );
      mock
        .on(PublishCommand, { PhoneNumber: throttled.contact.phone })
        .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException', $metadata: { httpStatusCode: 429 } }))
        .resolves({ MessageId: uid('sns') });
      mock
        .on(PublishCommand, { PhoneNumber: invalid.contact.phone })
        .rejects(Object.assign(new Error('Invalid parameter'), { name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } }));
      await local.publish(
        { detailType: 'PatronRegistered', detail: throttled },
        { detailType: 'PatronRegistered', detail: invalid },
        { detailType: 'PatronRegistered', detail: badNumber },
      );
      await local.publish(
        { detailType: 'HoldReady', detail: holdReady(throttled.patronId) },
        { detailType: 'HoldReady', detail: holdReady(invalid.patronId) },
      );
      const requests = local.queue.requests.filter((request) => request.kind === 'hold-ready');
      local.queue.take();
      const notify = createNotifierHandler({ notifier: local.notifier, fanOut: local.fanOut, sweep: local.sweep, clock: local.clock });

      const first = await notify(sqsEvent(...requests), lambdaContext('notifier'));
      expect(first.batchItemFailures).toHaveLength(1);
      const retry = await notify(sqsEvent(requests.find((request) => request.patronId === throttled.patronId)), lambdaContext('notifier'));
      expect(retry.batchItemFailures).toEqual([]);
      await local.deliverNotices();

      const items = await scanAll(local.table);
      const noticeOf = (patronId: string) =>
        items.find((item) => item.kind === 'notice' && item.patronId === patronId && item.noticeKind === 'hold-ready');
      expect(noticeOf(throttled.patronId)).toMatchObject({ status: 'sent' });
      expect(noticeOf(invalid.patronId)).toMatchObject({ status: 'failed', reason: 'sns:InvalidParameterException' });
      expect(local.outbound.published).toEqual(
        expect.arrayContaining([
          {
            detailType: 'NoticeSent',
            detail: expect.objectContaining({ patronId: throttled.patronId, kind: 'hold-ready', channel: 'sms' }),
          },
          {
            detailType: 'NoticeFailed',
            detail: expect.objectContaining({
              patronId: invalid.patronId,
              kind: 'hold-ready',
              channel: 'sms',
              reason: 'sns:InvalidParameterException',
            }),
          },
        ]),
      );
      // A number SNS refuses as invalid suppresses the SMS channel, recorded but not announced (not a v1 source).
      await local.deliverNotices();
      const profile = await local.patrons.get(badNumber.patronId);
      expect(profile?.suppression.sms).toMatchObject({ reason: 'invalid-number', source: 'delivery-feedback' });
      expect(profile?.consent.sms?.optedIn).toBe(true);
      const ledger = await local.patrons.ledger(badNumber.patronId, new Date('2027-01-01'));
      expect(ledger.at(-1)).toMatchObject({ topic: 'sms', suppressed: true, source: 'delivery-feedback' });
      expect(
        local.outbound.published.filter(
          (event) =>
            event.detailType === 'PatronConsentChanged' &&
            event.detail.patronId === badNumber.patronId &&
            event.detail.channel === 'sms' &&
            event.detail.optedIn === false,
        ),
      ).toEqual([]);
    } finally {
      await local.stop();
    }
  });

  it('fans a service update out to every opted-in patron of the library, in pages', async () => {
    await pipeline.stop();
    pipeline = await startPipeline({ fanOutPageSize: 5 });
    const library = 'maplewood';
    const count = 60;
    const members = Array.from({ length: count }, (_, index) =>
      patronRegistered({ library, consent: { sms: false, email: index % 10 !== 0, checkoutHistory: false } }),
    );
    const outsider = patronRegistered({ library: 'riverside', consent: { sms: false, email: true, checkoutHistory: false } });
    for (let start = 0; start < members.length; start += 10) {
      await pipeline.publish(...members.slice(start, start + 10).map((detail) => ({ detailType: 'PatronRegistered', detail })));
    }
    await pipeline.publish({ detailType: 'PatronRegistered', detail: outsider });
    await pipeline.deliverNotices();

    const update = {
      eventId: uid('evt'),
      occurredAt: '2026-11-20T12:00:00Z',
      library,
      message: { en: 'Central closes early on Friday.', es: 'Central cierra temprano el viernes.' },
    };
    await pipeline.publish({ detailType: 'ServiceUpdatePublished', detail: update });
    await pipeline.publish({ detailType: 'ServiceUpdatePublished', detail: update });
    await pipeline.deliverNotices();

    const notices = (await scanAll(pipeline.table)).filter((item) => item.kind === 'notice' && item.noticeKind === 'service-update');
    const optedIn = members.filter((_, index) => index % 10 !== 0);
    expect(notices).toHaveLength(optedIn.length);
    expect(new Set(notices.map((notice) => notice.patronId))).toEqual(new Set(optedIn.map((patron) => patron.patronId)));
    expect(await emailsTo(outsider.contact.email!)).toHaveLength(0);
    // 60 members over 8 shards in pages of 5: more pages than shards, each recorded once.
    const pages = (await scanAll(pipeline.table)).filter((item) => item.kind === 'job-page' && String(item.pk).startsWith('FANOUT#'));
    expect(pages.length).toBeGreaterThanOrEqual(60 / 5);
  }, 120_000);
});
