/**
 * Issue-level SMS behaviour end to end through the sandbox's HTTP API: every documented keyword
 * example through `POST /sandbox/sms/inbound` and the outbox, the reply caps, a broadcast held by
 * quiet hours and sent in the morning within the text rules and with its opt-out instruction, and a
 * service update refused at the event when nothing of it is left in GSM-7.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SegmentedMessage } from 'sms-segments-calculator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zonedInstant } from '#shared/clock.ts';
import { addDays } from '#shared/sweep/sweepKeys.ts';
import type { Outbox, Sandbox } from '#sandbox/sandbox.ts';
import { patronRegistered, phoneNumber, testConfig, uid } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

const REPLIES = {
  'opt-out': 'Riverside Library: You are unsubscribed from library texts and will get no more. Reply START to resubscribe, HELP for help.',
  'opt-in':
    'Riverside Library: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.',
  help: 'Riverside Library: Library notices by text. Help: (845) 555-0111. Msg frequency varies. Msg & data rates may apply. Reply STOP to cancel.',
  unknown: 'Riverside Library: This number does not read replies. Reply HELP for help or STOP to cancel texts.',
} as const;

type KeywordClass = keyof typeof REPLIES;

/** The examples the issue named, and one of each other class. */
const END_TO_END = [
  'REVOKE',
  'opt–out',
  'ＳＴＯＰ',
  'S T O P',
  'BAJA',
  'Alto',
  'cancelar',
  'Please stop texting me',
  'no more texts',
  'unsubscribe me',
  'help me',
  'AYUDA',
  'start please',
  'yesterday',
  'Thanks!',
];

function documentedExamples(): [string, KeywordClass][] {
  const doc = readFileSync(new URL('../../docs/sms.md', import.meta.url), 'utf8');
  const table = doc.slice(doc.indexOf('<!-- keyword-examples:start -->'), doc.indexOf('<!-- keyword-examples:end -->'));
  return [...table.matchAll(/^\| `(".*")` \| ([a-z-]+) \|$/gm)].map((row) => [JSON.parse(row[1] ?? '') as string, row[2] as KeywordClass]);
}

describe('Sandbox: two-way SMS, caps, quiet hours and text rules', () => {
  let running: TestSandbox;
  let sandbox: Sandbox;
  let api: string;
  let events: EventBridgeClient;
  let noon: string;

  beforeAll(async () => {
    running = await startTestSandbox();
    ({ sandbox, api, events } = running);
    noon = running.noon!;
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
  const textsTo = async (number: string) =>
    ((await (await fetch(`${api}/sandbox/outbox`)).json()) as Outbox).sms.filter((sms) => sms.to === number).map((sms) => sms.body);
  const reply = async (from: string, messageBody: string) => {
    const response = await fetch(`${api}/sandbox/sms/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        originationNumber: from,
        destinationNumber: '+18445550100',
        messageKeyword: 'KEYWORD_18445550100',
        messageBody,
        inboundMessageId: randomUUID(),
      }),
    });
    expect(response.status).toBe(200);
  };
  const smsConsent = async (patronId: string) =>
    ((await (await fetch(`${api}/sandbox/patrons/${patronId}`)).json()) as { profile: { consent: { sms?: { optedIn: boolean } } } }).profile
      .consent.sms?.optedIn;
  const register = async () => {
    const patron = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
    expect((await put('PatronRegistered', patron)).FailedEntryCount).toBe(0);
    return { patronId: patron.patronId, number: patron.contact.phone! };
  };

  it("answers the issue's keyword examples (rows of the documented table) as their class, and opts out or in as they say", {
    timeout: 60_000,
  }, async () => {
    // Every row is a unit test (test/sms/keywords.test.ts); these run end to end (each takes about a second here).
    const documented = new Map(documentedExamples());
    const examples = END_TO_END.map((message): [string, KeywordClass] => [message, documented.get(message) ?? 'unknown']);
    expect(examples.every(([message]) => documented.has(message))).toBe(true);
    expect(new Set(examples.map(([, keywordClass]) => keywordClass)).size).toBe(4);
    const patrons = Array.from({ length: examples.length }, () =>
      patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } }),
    );
    for (let start = 0; start < patrons.length; start += 10) {
      const batch = patrons.slice(start, start + 10);
      const result = await events.send(
        new PutEventsCommand({
          Entries: batch.map((patron) => ({
            EventBusName: sandbox.eventBusName,
            Source: 'library.circulation',
            DetailType: 'PatronRegistered',
            Detail: JSON.stringify(patron),
          })),
        }),
      );
      expect(result.FailedEntryCount).toBe(0);
    }
    for (const [index, [message, keywordClass]] of examples.entries()) {
      const { patronId, contact } = patrons[index]!;
      const number = contact.phone!;
      if (keywordClass === 'opt-in') await reply(number, 'STOP');
      const before = (await textsTo(number)).length;

      await reply(number, message);

      expect((await textsTo(number)).slice(before), `${JSON.stringify(message)} → ${keywordClass}`).toEqual([REPLIES[keywordClass]]);
      if (keywordClass === 'opt-out' || keywordClass === 'opt-in')
        expect(await smsConsent(patronId), JSON.stringify(message)).toBe(keywordClass === 'opt-in');
    }
  });

  it('caps replies: 5 a day to a number whatever it sends, one STOP confirmation, one reply to a foreign number', {
    timeout: 60_000,
  }, async () => {
    const { number } = await register();
    const before = (await textsTo(number)).length;
    for (const body of ['HELP', 'info', 'Thanks!', 'AYUDA', 'help me', 'HELP', 'HELP']) await reply(number, body);
    expect((await textsTo(number)).slice(before)).toEqual([REPLIES.help, REPLIES.help, REPLIES.unknown, REPLIES.help, REPLIES.help]);

    const { number: other } = await register();
    const first = (await textsTo(other)).length;
    for (const body of ['STOP', 'stop', 'STOP!!']) await reply(other, body);
    expect((await textsTo(other)).slice(first)).toEqual([REPLIES['opt-out']]);

    const foreign = '+447700900123';
    for (const body of ['STOP', 'HELP', 'START', 'STOP']) await reply(foreign, body);
    expect(await textsTo(foreign)).toEqual([REPLIES['opt-out'].replace('Riverside Library', 'HV Libraries')]);

    const stranger = phoneNumber();
    for (const body of ['HELP', 'HELP', 'HELP']) await reply(stranger, body);
    expect(await textsTo(stranger)).toHaveLength(3);
  });

  it('refuses at the event a service update with nothing left in GSM-7, naming the field', async () => {
    const result = await put('ServiceUpdatePublished', { eventId: uid('su'), occurredAt: noon, message: { en: '🎉🎉🎉' } });
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.ErrorMessage).toBe(
      'invalid event: detail.message.en must keep a letter or digit when written in the GSM-7 alphabet of SMS (not only emoji or symbols)',
    );
  });

  it('holds a broadcast at night and sends it at 08:00 on one line, GSM-7, one segment, with the opt-out instruction', {
    timeout: 60_000,
  }, async () => {
    const { number } = await register();
    const day = noon.slice(0, 10);
    const night = zonedInstant(testConfig.timeZone, day, '22:30').toISOString();
    await fetch(`${api}/sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ now: night }),
    });
    const before = (await textsTo(number)).length;
    const message = '📢 “Story time” is back!!\nKırmızı Işık…  Nỗi buồn.. 図書館 — see you\u00a0soon';
    expect(
      (await put('ServiceUpdatePublished', { eventId: uid('su'), occurredAt: night, library: 'riverside', message: { en: message } }))
        .FailedEntryCount,
    ).toBe(0);
    expect((await textsTo(number)).slice(before)).toEqual([]);

    await fetch(`${api}/sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ now: zonedInstant(testConfig.timeZone, addDays(day, 1), '08:00').toISOString() }),
    });

    const [text, ...more] = (await textsTo(number)).slice(before);
    expect(more).toEqual([]);
    expect(text).toBe("Riverside Library: 'Story time' is back!! Kirmizi Isik. Noi buon. TuShuGuan - see you soon. Reply STOP to opt out.");
    expect(new SegmentedMessage(text ?? '').encodingName).toBe('GSM-7');
    expect(new SegmentedMessage(text ?? '').segmentsCount).toBe(1);
  });
});
