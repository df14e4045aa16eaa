/**
 * The notifier queue carries ids only. The sandbox runs the real handlers with the real SQS client, so
 * the message bodies captured at its SQS endpoint are exactly what the circulation side, the table
 * stream, fan-outs and sweeps put on the queue: every notice kind is produced, and no body holds a
 * title, a fine's reason, a phone number or an email address. The notices themselves still name the
 * titles: the notifier reads them from the table when it sends. A subject gone by then sends nothing.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Outbox } from '#sandbox/sandbox.ts';
import { dayIn, processClock, zonedInstant } from '#shared/clock.ts';
import { NOTICE_KINDS, type NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { addDays } from '#shared/sweep/sweepKeys.ts';
import { holdReady, patronRegistered, testConfig, uid } from '#test/helpers/factories.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

const JSON_TYPE = { 'content-type': 'application/json' };
const zone = testConfig.timeZone;

describe('Notifier queue: ids only, in a sandbox run of every notice kind', () => {
  let running: TestSandbox | undefined;
  const bodies: string[] = [];

  beforeAll(async () => {
    running = await startTestSandbox();
    const { sandbox } = running;
    // Every SQS request the handlers make reaches the sandbox here: keep the notifier queue's bodies.
    const sqs = sandbox.sqs.bind(sandbox);
    sandbox.sqs = (action, input) => {
      if (input.QueueUrl?.endsWith('/bookdrop-notices')) {
        if (input.MessageBody !== undefined) bodies.push(input.MessageBody);
        for (const entry of input.Entries ?? []) bodies.push(entry.MessageBody);
      }
      return sqs(action, input);
    };
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('carries no title, fine reason, phone or email in any message, and the notices still name the titles', async () => {
    const { sandbox, api, events } = running!;
    const put = async (detailType: string, detail: unknown) => {
      const result = await events.send(
        new PutEventsCommand({
          Entries: [
            { EventBusName: sandbox.eventBusName, Source: 'library.circulation', DetailType: detailType, Detail: JSON.stringify(detail) },
          ],
        }),
      );
      expect(result.FailedEntryCount).toBe(0);
    };
    // The sandbox runs on the process clock, moved to noon library time when it started.
    const today = dayIn(zone, processClock.now());
    const at = (day: string, time: string) => zonedInstant(zone, day, time).toISOString();
    const patron = patronRegistered({ occurredAt: at(addDays(today, -20), '10:00') });
    const titles = { hold: `Hold ${uid('title')}`, soon: `Soon ${uid('title')}`, late: `Late ${uid('title')}` };
    const reason = `Damaged: ${uid('title')}`;
    const checkout = (title: string, dueDay: string) => ({
      eventId: uid('evt'),
      occurredAt: at(addDays(today, -15), '10:00'),
      loanId: uid('L'),
      patronId: patron.patronId,
      itemId: uid('I'),
      title,
      materialType: 'book',
      branch: 'riverside-main',
      dueAt: at(dueDay, '23:59'),
    });

    await put('PatronRegistered', patron);
    await put(
      'HoldReady',
      holdReady(patron.patronId, { title: titles.hold, occurredAt: at(today, '09:00'), pickupBy: at(addDays(today, 2), '20:00') }),
    );
    // Tomorrow's sweep: due in 3 days (due-soon), due today (overdue 1 day after), pick-up in 1 day (hold-expiring).
    await put('ItemCheckedOut', checkout(titles.soon, addDays(today, 4)));
    await put('ItemCheckedOut', checkout(titles.late, today));
    await put('FineAssessed', {
      eventId: uid('evt'),
      occurredAt: at(today, '09:30'),
      fineId: uid('F'),
      patronId: patron.patronId,
      amount: '2.50',
      currency: 'USD',
      reason,
    });
    await put('ServiceUpdatePublished', {
      eventId: uid('evt'),
      occurredAt: at(today, '09:40'),
      message: { en: 'All branches close early on Friday.' },
    });
    await put('PrivacyPolicyUpdated', {
      eventId: uid('evt'),
      occurredAt: at(today, '09:50'),
      policyVersion: uid('policy'),
      summary: { en: 'We keep less data now.' },
    });
    const moved = await fetch(`${api}/sandbox/clock`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ now: at(addDays(today, 1), '12:00') }),
    });
    expect(moved.status).toBe(200);
    // The patron texts RENEW: the sandbox's ILS renews both loans, and the reply goes through the notifier queue.
    const inbound = {
      originationNumber: patron.contact.phone,
      destinationNumber: '+18445550100',
      messageKeyword: 'K',
      messageBody: 'RENEW',
    };
    const renew = await fetch(`${api}/sandbox/sms/inbound`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ ...inbound, inboundMessageId: uid('sms'), previousPublishedMessageId: uid('sms') }),
    });
    expect(renew.status).toBe(200);

    const requests = bodies
      .map((body) => JSON.parse(body) as Record<string, unknown>)
      .filter((message): message is NoticeRequest => message.type === 'notice');
    const mine = requests.filter((request) => request.patronId === patron.patronId);
    expect(new Set(mine.map((request) => request.kind))).toEqual(new Set(NOTICE_KINDS));
    const personal = [...Object.values(titles), reason, patron.contact.phone!, patron.contact.phone!.slice(2), patron.contact.email!];
    for (const body of bodies) for (const value of personal) expect(body).not.toContain(value);
    // The renewal reply's words (with a family's labels) stay on the request's record: its request is ids only.
    const replies = mine.filter((request) => request.kind === 'renewal-reply');
    expect(replies).toHaveLength(1);
    expect(
      Object.keys(replies[0]!).filter((key) => !['type', 'kind', 'patronId', 'subjectId', 'subjectVersion', 'causationId'].includes(key)),
    ).toEqual([]);
    const outbox = (await (await fetch(`${api}/sandbox/outbox`)).json()) as Outbox;
    expect(outbox.sms.filter((sms) => sms.to === patron.contact.phone && sms.body.includes('Renewed'))).toHaveLength(1);
    const emails = outbox.email.filter((email) => email.to === patron.contact.email).map((email) => email.text);
    for (const title of Object.values(titles)) expect(emails.some((text) => text.includes(title))).toBe(true);
    expect(emails.some((text) => text.includes(reason))).toBe(true);
  });
});

describe('Notifier: a subject gone at send time', () => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it('sends nothing for a hold closed after its request was queued, and counts it instead of failing', async () => {
    pipeline = await startPipeline();
    const patron = patronRegistered();
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.deliverNotices();
    const sentBefore = pipeline.sms.messages.length;
    const hold = holdReady(patron.patronId);
    await pipeline.publish({ detailType: 'HoldReady', detail: hold });
    const queued = pipeline.queue.take();
    await pipeline.publish({
      detailType: 'HoldClosed',
      detail: {
        eventId: uid('evt'),
        occurredAt: '2026-11-04T10:00:00-05:00',
        holdId: hold.holdId,
        patronId: patron.patronId,
        reason: 'cancelled',
      },
    });

    const [request] = queued;
    if (request === undefined || !('kind' in request)) throw new Error('the hold asked for no notice');
    expect(await pipeline.notifier.deliver(request)).toEqual({ sms: 'subject-gone', email: 'subject-gone' });
    expect(pipeline.sms.messages).toHaveLength(sentBefore);
  });

  it('sends nothing for a digest whose loans were all returned, and only the open loans of a partly returned one', async () => {
    pipeline = await startPipeline();
    const patron = patronRegistered();
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.deliverNotices();
    const loan = (title: string) => ({
      eventId: uid('evt'),
      occurredAt: '2026-10-20T14:00:00-04:00',
      loanId: uid('L'),
      patronId: patron.patronId,
      itemId: uid('I'),
      title,
      materialType: 'book',
      branch: 'riverside-main',
      dueAt: '2026-11-07T23:59:00-05:00',
    });
    const [kept, returned] = [loan('Kindred'), loan('Dawn')];
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: kept }, { detailType: 'ItemCheckedOut', detail: returned });
    const request = {
      type: 'notice',
      kind: 'due-soon',
      patronId: patron.patronId,
      subjectId: '2026-11-07',
      subjectVersion: 'due-soon-3',
      causationId: 'test',
    } as const;
    await pipeline.publish({
      detailType: 'ItemReturned',
      detail: { eventId: uid('evt'), occurredAt: '2026-11-04T09:00:00-05:00', loanId: returned.loanId, patronId: patron.patronId },
    });

    const partly = await pipeline.notifier.deliver({ ...request, loanIds: [kept.loanId, returned.loanId] });
    const none = await pipeline.notifier.deliver({ ...request, subjectVersion: 'due-soon-3b', loanIds: [returned.loanId] });

    expect(partly).toEqual({ sms: 'sent', email: 'sent' });
    expect(none).toEqual({ sms: 'subject-gone', email: 'subject-gone' });
    expect(pipeline.sms.messages.filter((sms) => sms.to === patron.contact.phone).at(-1)?.body).toContain('1 item is due');
  });
});
