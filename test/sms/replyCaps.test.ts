/**
 * Reply caps against DynamoDB Local and the SMS sink: at most 5 automatic replies a day to a number
 * whatever it sends, one STOP confirmation a day, one reply a day to a number outside the configured
 * countries; counted by the number's blind index, never the number.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { patronRegistered, phoneNumber } from '#test/helpers/factories.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

const inbound = (from: string, body: string) => ({
  originationNumber: from,
  destinationNumber: '+18445550100',
  messageKeyword: 'KEYWORD_18445550100',
  messageBody: body,
  inboundMessageId: randomUUID(),
  previousPublishedMessageId: randomUUID(),
});

describe('Flow: SMS reply caps', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  const textsTo = (number: string) => pipeline.sms.messages.filter((sms) => sms.to === number).map((sms) => sms.body);
  const send = async (from: string, ...bodies: string[]) => {
    for (const body of bodies) expect((await pipeline.inbound(inbound(from, body))).batchItemFailures).toEqual([]);
  };

  it('answers a number at most 5 times a day whatever it sends, still acts on its STOP, and answers again the next day', async () => {
    const patron = patronRegistered();
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.deliverNotices();
    pipeline.sms.messages.length = 0;
    const number = patron.contact.phone!;

    await send(number, 'HELP', 'help', 'HELP me', 'info', 'AYUDA', 'HELP', 'help!', 'STOP');

    expect(textsTo(number)).toHaveLength(5);
    expect(textsTo(number).every((body) => body.includes('Help: (845) 555-0111'))).toBe(true);
    // The cap limits replies, never the opt-out itself.
    expect((await pipeline.patrons.get(patron.patronId))?.consent.sms).toMatchObject({ optedIn: false, source: 'sms-keyword' });
    const counter = (await scanAll(pipeline.table)).find((item) => item.kind === 'sms-replies');
    expect(counter).toMatchObject({ sk: '2026-11-04', replies: 5 });
    expect(JSON.stringify(counter)).not.toContain(number.slice(1));

    pipeline.clock.set('2026-11-05T15:00:00Z');
    await send(number, 'HELP');
    expect(textsTo(number)).toHaveLength(6);
  });

  it('confirms a repeated STOP once a day', async () => {
    const patron = patronRegistered();
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.deliverNotices();
    pipeline.sms.messages.length = 0;
    const number = patron.contact.phone!;

    await send(number, 'STOP', 'stop', 'STOP!!', 'unsubscribe');
    expect(textsTo(number)).toEqual([
      'Riverside Library: You are unsubscribed from library texts and will get no more. Reply START to resubscribe, HELP for help.',
    ]);
    // Other replies still come, within the day's cap.
    await send(number, 'HELP');
    expect(textsTo(number)).toHaveLength(2);
    pipeline.clock.set('2026-11-05T15:00:00Z');
    await send(number, 'STOP');
    expect(textsTo(number)).toHaveLength(3);
  });

  it('answers a number outside the configured countries once a day, and an unknown +1 number up to the cap', async () => {
    const foreign = '+447700900123';
    await send(foreign, 'STOP', 'STOP', 'HELP', 'START');
    expect(textsTo(foreign)).toEqual([
      'HV Libraries: You are unsubscribed from library texts and will get no more. Reply START to resubscribe, HELP for help.',
    ]);

    const stranger = phoneNumber();
    await send(stranger, 'HELP', 'HELP', 'HELP');
    expect(textsTo(stranger)).toHaveLength(3);
  });

  it('counts a redelivered message once', async () => {
    const number = phoneNumber();
    const message = inbound(number, 'HELP');
    await pipeline.inbound(message);
    await pipeline.inbound(message);
    await send(number, 'HELP', 'HELP', 'HELP', 'HELP', 'HELP');
    expect(textsTo(number)).toHaveLength(5);
  });
});
