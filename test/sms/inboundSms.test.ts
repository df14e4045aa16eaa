/**
 * Two-way SMS against DynamoDB Local and the SMS sink, with the exact inbound payload shape.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdReady, patronRegistered, phoneNumber, preferencesChanged } from '#test/helpers/factories.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

const DESTINATION = '+18445550100';

function inbound(from: string, body: string, id = randomUUID()) {
  return {
    originationNumber: from,
    destinationNumber: DESTINATION,
    messageKeyword: `KEYWORD_${DESTINATION.slice(1)}`,
    messageBody: body,
    inboundMessageId: id,
    previousPublishedMessageId: randomUUID(),
  };
}

const STOP_REPLY =
  'Riverside Library: You are unsubscribed from library texts and will get no more. Reply START to resubscribe, HELP for help.';
const OPT_IN_TEXT =
  'Riverside Library: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.';

describe('Flow: two-way SMS', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  const textsTo = (number: string) => pipeline.sms.messages.filter((sms) => sms.to === number).map((sms) => sms.body);

  async function registered(overrides: Parameters<typeof patronRegistered>[0] = {}) {
    const patron = patronRegistered(overrides);
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.deliverNotices();
    pipeline.sms.messages.length = 0;
    return patron;
  }

  it('STOP opts out every patron sharing the number, with ledger proof, an event and one confirmation', async () => {
    const family = phoneNumber();
    const parent = await registered({ contact: { phone: family } });
    const child = await registered({ contact: { phone: family }, library: 'maplewood' });
    const message = inbound(family, 'Stop!');

    const response = await pipeline.inbound(message);
    await pipeline.deliverNotices();

    expect(response.batchItemFailures).toEqual([]);
    for (const patron of [parent, child]) {
      const profile = await pipeline.patrons.get(patron.patronId);
      expect(profile?.consent.sms).toMatchObject({ optedIn: false, source: 'sms-keyword', evidenceId: message.inboundMessageId });
      const ledger = await pipeline.patrons.ledger(patron.patronId, new Date('2027-01-01'));
      expect(ledger.at(-1)).toMatchObject({ topic: 'sms', optedIn: false, source: 'sms-keyword', evidenceId: message.inboundMessageId });
    }
    expect(
      pipeline.outbound.published.filter((event) => event.detailType === 'PatronConsentChanged' && event.detail.source === 'sms-keyword'),
    ).toHaveLength(2);
    // The family spans two member libraries: the reply speaks for the consortium.
    expect(textsTo(family)).toEqual([
      'HV Libraries: You are unsubscribed from library texts and will get no more. Reply START to resubscribe, HELP for help.',
    ]);
  });

  it('has one effect when the same inbound message is delivered again', async () => {
    const patron = await registered();
    const message = inbound(patron.contact.phone!, 'STOP');
    await pipeline.inbound(message);
    await pipeline.inbound(message, message);
    await pipeline.deliverNotices();
    expect(textsTo(patron.contact.phone!)).toEqual([STOP_REPLY]);
    expect(
      (await pipeline.patrons.ledger(patron.patronId, new Date('2027-01-01'))).filter((entry) => entry.source === 'sms-keyword'),
    ).toHaveLength(1);
  });

  it('confirms a STOP from a number it does not know, and changes nothing', async () => {
    const stranger = phoneNumber();
    const before = (await scanAll(pipeline.table)).filter((item) => item.kind === 'patron').length;
    await pipeline.inbound(inbound(stranger, 'unsubscribe'));
    expect(textsTo(stranger)).toEqual([
      'HV Libraries: You are unsubscribed from library texts and will get no more. Reply START to resubscribe, HELP for help.',
    ]);
    expect((await scanAll(pipeline.table)).filter((item) => item.kind === 'patron').length).toBe(before);
  });

  it('START re-opts in only those who opted out by keyword, and confirms with the carrier-required text', async () => {
    const family = phoneNumber();
    const byKeyword = await registered({ contact: { phone: family } });
    const byStaff = await registered({ contact: { phone: family } });
    await pipeline.inbound(inbound(family, 'STOP'));
    await pipeline.publish({
      detailType: 'PatronPreferencesChanged',
      detail: preferencesChanged(byStaff.patronId, { consent: { sms: false } }, { source: 'staff', occurredAt: '2026-11-04T15:01:00Z' }),
    });
    pipeline.sms.messages.length = 0;
    pipeline.sms.optedOut.add(family);
    pipeline.clock.set('2026-11-04T16:00:00Z');

    await pipeline.inbound(inbound(family, 'start'));
    await pipeline.deliverNotices();

    expect((await pipeline.patrons.get(byKeyword.patronId))?.consent.sms).toMatchObject({ optedIn: true, source: 'sms-keyword' });
    expect((await pipeline.patrons.get(byStaff.patronId))?.consent.sms).toMatchObject({ optedIn: false, source: 'staff' });
    // Taken off the SNS opt-out list, so the confirmation reaches the phone; the stream adds no second one.
    expect(pipeline.sms.optedOut.has(family)).toBe(false);
    expect(textsTo(family)).toEqual([OPT_IN_TEXT]);
  });

  it('records a refused SNS opt-in (once per 30 days) as a clear outcome, not a failure', async () => {
    const patron = await registered();
    const number = patron.contact.phone!;
    pipeline.sms.optedOut.add(number);
    await pipeline.inbound(inbound(number, 'STOP'));
    pipeline.clock.set('2026-11-04T16:00:00Z');
    await pipeline.inbound(inbound(number, 'START'));
    pipeline.clock.set('2026-11-05T16:00:00Z');
    await pipeline.inbound(inbound(number, 'STOP'));
    pipeline.sms.optedOut.add(number);
    pipeline.clock.set('2026-11-06T16:00:00Z');
    const refused = inbound(number, 'START');
    const response = await pipeline.inbound(refused);

    expect(response.batchItemFailures).toEqual([]);
    const log = (await scanAll(pipeline.table)).find((item) => item.pk === `INBOUND#${refused.inboundMessageId}`);
    expect(log).toMatchObject({ keyword: 'opt-in', optOutList: 'refused', status: 'done', changed: 1 });
    expect((await pipeline.patrons.get(patron.patronId))?.consent.sms?.optedIn).toBe(true);
    expect(JSON.stringify(log)).not.toContain(number);
  });

  it('answers HELP with the member library name and support number', async () => {
    const patron = await registered({ library: 'maplewood', language: 'es' });
    await pipeline.inbound(inbound(patron.contact.phone!, 'help'));
    expect(textsTo(patron.contact.phone!)).toEqual([
      'Maplewood Library: Avisos de la biblioteca por SMS. Ayuda: (845) 555-0122. Frecuencia variable. Pueden aplicar tarifas de msj y datos. STOP cancelar.',
    ]);
  });

  it('answers unknown text with at most one short hint per number per day, and keeps only the keyword class', async () => {
    const patron = await registered();
    const first = inbound(patron.contact.phone!, 'Is the library open on Sunday?');
    await pipeline.inbound(first);
    await pipeline.inbound(inbound(patron.contact.phone!, 'hello??'));
    expect(textsTo(patron.contact.phone!)).toEqual([
      'Riverside Library: This number does not read replies. Reply HELP for help or STOP to cancel texts.',
    ]);
    const log = (await scanAll(pipeline.table)).find((item) => item.pk === `INBOUND#${first.inboundMessageId}`);
    expect(log).toMatchObject({ keyword: 'unknown', status: 'done' });
    expect(typeof log?.expiresAt).toBe('number');
    expect(JSON.stringify(log)).not.toContain('Sunday');
  });

  it('sends nothing queued for a number after its STOP is committed', async () => {
    const patron = await registered();
    await pipeline.publish(
      { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
      { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
    );
    expect(pipeline.queue.requests).toHaveLength(2);

    await pipeline.inbound(inbound(patron.contact.phone!, 'STOP'));
    await pipeline.deliverNotices();

    expect(textsTo(patron.contact.phone!)).toEqual([STOP_REPLY]);
  });

  it('rejects a payload without an inbound message id, naming the field, never the number', async () => {
    const number = phoneNumber();
    const response = await pipeline.inbound({ ...inbound(number, 'STOP'), inboundMessageId: '' });
    expect(response.batchItemFailures).toHaveLength(1);
    expect(textsTo(number)).toEqual([]);
  });
});
