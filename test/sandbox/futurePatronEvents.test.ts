/**
 * A patron event dated far ahead of Bookdrop's clock (an ILS with a wrong clock or year) must not
 * outrank the patron's own STOP, which Bookdrop stamps with its clock: end to end through the
 * sandbox, as an ILS and a patron would.
 */
import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patronRegistered, preferencesChanged } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

describe('Sandbox: patron events dated ahead of the clock', () => {
  let running: TestSandbox;

  beforeAll(async () => {
    running = await startTestSandbox();
  });

  afterAll(async () => {
    await running?.stop();
  });

  const put = async (detailType: string, detail: unknown) => {
    const { Entries } = await running.events.send(
      new PutEventsCommand({ Entries: [{ Source: 'library.circulation', DetailType: detailType, Detail: JSON.stringify(detail) }] }),
    );
    return Entries?.[0];
  };
  const smsConsent = async (patronId: string) =>
    ((await (await fetch(`${running.api}/sandbox/patrons/${patronId}`)).json()) as { profile: { consent: { sms?: { optedIn: boolean } } } })
      .profile.consent.sms?.optedIn;

  it("refuses a preference change dated years ahead, so the patron's STOP still opts them out", { timeout: 60_000 }, async () => {
    const patron = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
    expect(await put('PatronRegistered', patron)).not.toHaveProperty('ErrorCode');
    const ahead = preferencesChanged(patron.patronId, { consent: { sms: true } }, { occurredAt: '9999-12-31T23:59:59Z', source: 'staff' });
    // Refused at once, as the consumer refuses it into the dead-letter queue in AWS.
    expect(await put('PatronPreferencesChanged', ahead)).toEqual({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: "invalid event: detail.occurredAt must not be more than 5 minutes ahead of Bookdrop's clock (check the ILS's clock)",
    });

    const response = await fetch(`${running.api}/sandbox/sms/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        originationNumber: patron.contact.phone,
        destinationNumber: '+18445550100',
        messageKeyword: 'KEYWORD_18445550100',
        messageBody: 'STOP',
        inboundMessageId: randomUUID(),
      }),
    });
    expect(response.status).toBe(200);
    expect(await smsConsent(patron.patronId)).toBe(false);
  });
});
