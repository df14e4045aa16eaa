/**
 * The sandbox as an ILS sees it: the real `@aws-sdk/client-eventbridge` publishing to its HTTP API,
 * and the `/sandbox/*` requests of docs/sandbox.md.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbox, Sandbox } from '#sandbox/sandbox.ts';
import { FUTURE_PICKUP_BY, holdReady, patronRegistered, testConfig } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';
import { dayIn } from '#shared/clock.ts';

const JSON_TYPE = { 'content-type': 'application/json' };

describe('Sandbox: HTTP API', () => {
  let sandbox: Sandbox;
  let api: string;
  let events: EventBridgeClient;

  let running: TestSandbox | undefined;

  beforeAll(async () => {
    running = await startTestSandbox();
    // It runs at noon, library time (texts wait out quiet hours).
    ({ sandbox, api, events } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  const put = (detailType: string, detail: unknown) =>
    events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: sandbox.eventBusName, Source: 'library.circulation', DetailType: detailType, Detail: JSON.stringify(detail) },
        ],
      }),
    );
  const outbox = async () => (await (await fetch(`${api}/sandbox/outbox`)).json()) as Outbox;

  it('turns PutEvents of PatronRegistered and HoldReady into one hold SMS, one email and the opt-in text, and a repeat into nothing', async () => {
    const patron = patronRegistered();
    const hold = holdReady(patron.patronId, { pickupBy: FUTURE_PICKUP_BY });

    const registered = await put('PatronRegistered', patron);
    const ready = await put('HoldReady', hold);
    const first = await outbox();
    const again = await put('HoldReady', hold);
    const second = await outbox();

    expect(registered.FailedEntryCount).toBe(0);
    expect(ready.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.FailedEntryCount).toBe(0);
    expect(first.sms.filter((sms) => sms.to === patron.contact.phone).map((sms) => sms.body)).toEqual([
      'Riverside Library: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.',
      'Riverside Library: Your hold is ready at North Branch. Pick up by Wed Nov 10. Reply HELP for help, STOP to opt out.',
    ]);
    expect(first.email.filter((email) => email.to === patron.contact.email)).toEqual([
      expect.objectContaining({
        from: '"Riverside Public Library" <notices@riverside.example.org>',
        subject: 'Your hold is ready at North Branch',
        text: expect.stringContaining('The Left Hand of Darkness'),
        html: expect.stringContaining('<p>'),
        sentAt: expect.any(String),
      }),
    ]);
    expect(second).toEqual(first);
  });

  it('rejects a malformed event with a per-entry error naming the field, and changes nothing', async () => {
    const bad = patronRegistered({ contact: { phone: '867-5309' } });
    const before = await outbox();

    const result = await put('PatronRegistered', bad);

    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]).toEqual({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'invalid event: detail.contact.phone must be an E.164 phone number (+ and 8 to 15 digits)',
    });
    const report = (await (await fetch(`${api}/sandbox/patrons/${bad.patronId}`)).json()) as { profile: unknown; ledger: unknown[] };
    expect(report.profile).toBeNull();
    expect(report.ledger).toEqual([]);
    expect(await outbox()).toEqual(before);
  });

  it('answers a Detail that is not JSON as AWS does', async () => {
    const result = await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'library.circulation', DetailType: 'HoldReady', Detail: '{oops' }] }),
    );
    expect(result.Entries?.[0]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
  });

  it('reports what it holds about a patron, with contacts masked', async () => {
    const patron = patronRegistered({ contact: { phone: '+15555550123', email: 'maria.lopez@example.net' } });
    await put('PatronRegistered', patron);
    const report = (await (await fetch(`${api}/sandbox/patrons/${patron.patronId}`)).json()) as Record<string, unknown>;
    expect(report.contacts).toEqual({ sms: '+1••••••••23', email: 'm•••@example.net' });
    expect(report.ledger).toHaveLength(3);
    expect(JSON.stringify(report)).not.toContain('maria.lopez');
    expect(JSON.stringify(report)).not.toContain('5550123');
  });

  it('describes its endpoints, bus and tables', async () => {
    const status = (await (await fetch(`${api}/sandbox/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      eventBusName: 'bookdrop-sandbox',
      endpoints: { dynamodb: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), ses: expect.any(String), sms: expect.any(String) },
      tables: ['bookdrop-sandbox'],
    });
  });

  it('a checkout due in 10 days: due-soon 3 days before, the overdue sequence after, nothing once returned', async () => {
    const patron = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
    await put('PatronRegistered', patron);
    const start = new Date(Date.now() + 60_000);
    const dayAt = (days: number, hour: number) => {
      const date = new Date(start.getTime() + days * 86_400_000);
      return `${date.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00-05:00`;
    };
    const due = dayAt(10, 20);
    const loan = {
      eventId: `co-${patron.patronId}`,
      occurredAt: new Date().toISOString(),
      loanId: `L-${patron.patronId}`,
      patronId: patron.patronId,
      itemId: 'I-9',
      title: 'Lilith’s Brood',
      materialType: 'book',
      branch: 'riverside-main',
      dueAt: due,
    };
    await put('ItemCheckedOut', loan);
    const clock = (now: string) => fetch(`${api}/sandbox/clock`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ now }) });
    const texts = async () =>
      (await outbox()).sms.filter((sms) => sms.to === patron.contact.phone && !sms.body.includes('Msg & data')).map((sms) => sms.body);

    await clock(dayAt(7, 9));
    expect(await texts()).toHaveLength(1);
    expect((await texts())[0]).toMatch(/^Riverside Library: 1 item is due /);
    await clock(dayAt(11, 9));
    await clock(dayAt(17, 9));
    expect(await texts()).toHaveLength(3);
    expect((await texts()).slice(1).every((body) => body.includes('was due'))).toBe(true);
    await put('ItemReturned', {
      eventId: `rt-${patron.patronId}`,
      occurredAt: dayAt(18, 10),
      loanId: loan.loanId,
      patronId: patron.patronId,
    });
    await clock(dayAt(24, 9));
    expect(await texts()).toHaveLength(3);
    // Room for a loaded machine: a clock jump runs every daily sweep it crosses through DynamoDB Local.
  }, 180_000);

  it('moves the clock forward and expires what TTL would have deleted', async () => {
    const patron = patronRegistered();
    await put('PatronRegistered', patron);
    await put('HoldReady', holdReady(patron.patronId, { pickupBy: FUTURE_PICKUP_BY }));
    const response = await fetch(`${api}/sandbox/clock`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ now: '2031-12-01T12:00:00-05:00' }),
    });
    const body = (await response.json()) as { now: string; expired: Record<string, number> };
    expect(body.now).toBe('2031-12-01T17:00:00.000Z');
    expect(body.expired.notice).toBeGreaterThanOrEqual(2);
    expect(body.expired['consent-ledger']).toBeGreaterThanOrEqual(3);
    const report = (await (await fetch(`${api}/sandbox/patrons/${patron.patronId}`)).json()) as { notices: unknown[]; ledger: unknown[] };
    expect(report.notices).toEqual([]);
    expect(report.ledger).toEqual([]);
    // The expiries went through the table stream, marked as TTL deletions, into the purge journal.
    const journal = (await (await fetch(`${api}/sandbox/purge-journal`)).json()) as {
      entries: { day: string; recordKind: string; count: number }[];
    };
    // Journaled on the day the sandbox clock says TTL deleted them.
    const today = journal.entries.filter((entry) => entry.day === '2031-12-01');
    const counts = Object.fromEntries(today.map((entry) => [entry.recordKind, entry.count]));
    expect(counts.notice).toBe(body.expired.notice);
    expect(counts['consent-ledger']).toBe(body.expired['consent-ledger']);
    expect(JSON.stringify(journal)).not.toContain(patron.patronId);
    // Room for a loaded machine: a clock jump runs every daily sweep it crosses through DynamoDB Local.
  }, 180_000);

  it('counts loans in anonymous statistics and lists what it holds about the patron', async () => {
    const patron = patronRegistered();
    await put('PatronRegistered', patron);
    // At the sandbox's time (other tests move its clock forward; an open loan expires a year after its due date).
    const { now } = (await (await fetch(`${api}/sandbox/status`)).json()) as { now: string };
    const daysLater = (days: number) => new Date(Date.parse(now) + days * 86_400_000).toISOString();
    const loan = {
      eventId: `co-${patron.patronId}`,
      occurredAt: daysLater(0),
      loanId: `L-${patron.patronId}`,
      patronId: patron.patronId,
      itemId: 'I-1',
      title: 'Kindred',
      materialType: 'book',
      branch: 'maplewood-central',
      dueAt: daysLater(21),
    };
    await put('ItemCheckedOut', loan);
    const open = (await (await fetch(`${api}/sandbox/patrons/${patron.patronId}`)).json()) as { loans: unknown[] };
    expect(open.loans).toHaveLength(1);
    await put('ItemReturned', {
      eventId: `rt-${patron.patronId}`,
      occurredAt: daysLater(7),
      loanId: loan.loanId,
      patronId: patron.patronId,
    });
    const after = (await (await fetch(`${api}/sandbox/patrons/${patron.patronId}`)).json()) as { loans: unknown[]; history: unknown[] };
    expect(after.loans).toEqual([]);
    expect(after.history).toEqual([]);
    const { counts } = (await (await fetch(`${api}/sandbox/statistics`)).json()) as { counts: Record<string, unknown>[] };
    expect(counts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          day: dayIn(testConfig.timeZone, loan.occurredAt),
          branch: 'maplewood-central',
          materialType: 'book',
          checkouts: 1,
        }),
      ]),
    );
  });

  it('refuses a clock time without an offset', async () => {
    const response = await fetch(`${api}/sandbox/clock`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ now: '2031-12-01T12:00:00' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ __type: 'ValidationException', message: 'now must be an ISO 8601 date-time with offset' });
  });

  it('register, notice, reply STOP, another notice: the outbox has the first notice, the opt-out confirmation and nothing after', async () => {
    const patron = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
    await put('PatronRegistered', patron);
    // An earlier test moved the sandbox clock to late 2031: a pick-up date past its fallback expiry
    // would be a hold already gone when the notifier reads it.
    const pickupBy = FUTURE_PICKUP_BY;
    await put('HoldReady', holdReady(patron.patronId, { pickupBy }));

    const reply = await fetch(`${api}/sandbox/sms/inbound`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({
        originationNumber: patron.contact.phone,
        destinationNumber: '+18445550100',
        messageKeyword: 'KEYWORD_18445550100',
        messageBody: 'STOP',
        inboundMessageId: `in-${patron.patronId}`,
        previousPublishedMessageId: 'out-1',
      }),
    });
    await put('HoldReady', holdReady(patron.patronId, { pickupBy }));

    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ inboundMessageId: `in-${patron.patronId}`, processed: true });
    const texts = (await outbox()).sms.filter((sms) => sms.to === patron.contact.phone).map((sms) => sms.body);
    expect(texts).toEqual([
      'Riverside Library: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.',
      'Riverside Library: Your hold is ready at North Branch. Pick up by Wed Nov 10. Reply HELP for help, STOP to opt out.',
      'Riverside Library: You are unsubscribed from library texts and will get no more. Reply START to resubscribe, HELP for help.',
    ]);
  });

  it('refuses an inbound SMS that is not the two-way SMS payload, naming the field', async () => {
    const response = await fetch(`${api}/sandbox/sms/inbound`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ originationNumber: '555', messageBody: 'STOP' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string };
    expect(body.message).toContain('body.originationNumber must be an E.164 phone number');
    expect(body.message).toContain('body.inboundMessageId');
    expect(body.message).not.toContain('555');
  });

  it('refuses an inbound message id too long to key its log entry, naming the field, and writes nothing', async () => {
    const inboundMessageId = 'x'.repeat(3000);
    const response = await fetch(`${api}/sandbox/sms/inbound`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({
        originationNumber: '+15555550177',
        destinationNumber: '+18445550100',
        messageKeyword: 'KEYWORD_18445550100',
        messageBody: 'STOP',
        inboundMessageId,
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe(
      'invalid inbound SMS: body.inboundMessageId must be at most 256 characters',
    );
    expect((await sandbox.itemsOfKind('inbound-sms')).filter((item) => item.inboundMessageId === inboundMessageId)).toEqual([]);
  });
});
