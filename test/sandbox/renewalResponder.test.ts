/**
 * The sandbox plays the ILS for renewals by text, through its public API: RENEW answered by the
 * configured responder (refuse some), and a silent ILS answered at the deadline once the clock moves.
 */
import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patronRegistered, uid } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

describe('Sandbox: the ILS answers renewals by text', () => {
  let test: TestSandbox;
  beforeAll(async () => {
    test = await startTestSandbox();
  });
  afterAll(async () => {
    await test.stop();
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${test.api}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const textsTo = async (number: string) =>
    ((await (await fetch(`${test.api}/sandbox/outbox`)).json()) as { sms: { to: string; body: string }[] }).sms
      .filter((sms) => sms.to === number)
      .map((sms) => sms.body);

  async function patronWithLoans(loanIds: string[]) {
    const patron = patronRegistered();
    const now = new Date(((await (await fetch(`${test.api}/sandbox/status`)).json()) as { now: string }).now);
    const dueAt = new Date(now.getTime() + 86_400_000).toISOString();
    const entries = [
      { Source: 'library.circulation', DetailType: 'PatronRegistered', Detail: JSON.stringify(patron) },
      ...loanIds.map((loanId) => ({
        Source: 'library.circulation',
        DetailType: 'ItemCheckedOut',
        Detail: JSON.stringify({
          eventId: uid('co'),
          occurredAt: now.toISOString(),
          loanId,
          patronId: patron.patronId,
          itemId: uid('I'),
          title: 'Kindred',
          branch: 'riverside-main',
          dueAt,
        }),
      })),
    ];
    expect((await test.events.send(new PutEventsCommand({ Entries: entries }))).FailedEntryCount).toBe(0);
    return patron.contact.phone!;
  }
  const sms = (from: string, body: string) => ({
    originationNumber: from,
    destinationNumber: '+18445550100',
    messageKeyword: 'K',
    messageBody: body,
    inboundMessageId: randomUUID(),
    previousPublishedMessageId: randomUUID(),
  });

  it('refuses the loans it is told to and renews the rest; the patron gets one reply', async () => {
    const [refused, kept] = [uid('L'), uid('L')];
    const number = await patronWithLoans([refused, kept]);
    expect((await post('/sandbox/ils/renewals', { mode: 'refuse-some', refuse: { [refused]: 'on-hold' }, renewDays: 14 })).status).toBe(
      200,
    );
    const before = (await textsTo(number)).length;
    expect((await post('/sandbox/sms/inbound', sms(number, 'RENEW'))).status).toBe(200);
    const replies = (await textsTo(number)).slice(before);
    expect(replies).toEqual([
      expect.stringMatching(/^Riverside Library: Renewed 1, due .+; not renewed 1 \(someone is waiting for it\)\.$/),
    ]);
  });

  it('renews without echoing the request id, as many ILSs do: the patron still gets the renewal reply, not the timeout', async () => {
    const loanId = uid('L');
    const number = await patronWithLoans([loanId]);
    expect((await post('/sandbox/ils/renewals', { mode: 'renew-all', echoRequestId: false })).body).toEqual({
      mode: 'renew-all',
      echoRequestId: false,
    });
    const before = (await textsTo(number)).length;
    await post('/sandbox/sms/inbound', sms(number, 'RENEW'));
    const now = ((await (await fetch(`${test.api}/sandbox/status`)).json()) as { now: string }).now;
    await post('/sandbox/clock', { now: new Date(Date.parse(now) + 180_000).toISOString() });
    expect((await textsTo(number)).slice(before)).toEqual([expect.stringMatching(/^Riverside Library: Renewed 1, due .+\.$/)]);
  });

  it('stays silent when told to: the reply comes at the deadline, when the clock moves past it', async () => {
    const number = await patronWithLoans([uid('L')]);
    expect((await post('/sandbox/ils/renewals', { mode: 'silent' })).status).toBe(200);
    expect((await post('/sandbox/ils/renewals', { mode: 'never' })).status).toBe(400);
    const before = (await textsTo(number)).length;
    await post('/sandbox/sms/inbound', sms(number, 'renovar'));
    expect((await textsTo(number)).slice(before)).toEqual([]);
    const now = ((await (await fetch(`${test.api}/sandbox/status`)).json()) as { now: string }).now;
    await post('/sandbox/clock', { now: new Date(Date.parse(now) + 180_000).toISOString() });
    expect((await textsTo(number)).slice(before)).toEqual([
      'Riverside Library: El sistema de la biblioteca no respondio, no se renovo nada. Renueve al (845) 555-0111.',
    ]);
  });
});
