/**
 * The foundation slice: PatronRegistered then HoldReady gives exactly one SMS and one email, each
 * only if that channel is opted in, in the member library's name; a redelivered HoldReady gives
 * nothing more. Runs the real handlers against DynamoDB Local, the local SES and the SMS sink.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emailsTo } from '#test/helpers/localAws.ts';
import { holdReady, patronRegistered, preferencesChanged } from '#test/helpers/factories.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

/** The SMS opt-in confirmation every SMS opt-in triggers (carrier requirement). */
const isConfirmation = (body: string) => body.includes('Msg & data rates may apply') || body.includes('tarifas de msj y datos');

describe('Slice: PatronRegistered then HoldReady', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  it('sends one SMS and one email in the member library name', async () => {
    const patron = patronRegistered({ library: 'maplewood' });
    const hold = holdReady(patron.patronId, { pickupBranch: 'maplewood-central' });

    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron }, { detailType: 'HoldReady', detail: hold });
    const response = await pipeline.deliverNotices();

    expect(response.batchItemFailures).toEqual([]);
    // The notifier handles a batch's records concurrently: the two texts may go out in either order.
    expect(pipeline.sms.messages).toHaveLength(2);
    expect(pipeline.sms.messages.map(({ to, body }) => ({ to, body }))).toEqual(
      expect.arrayContaining([
        {
          to: patron.contact.phone,
          body: 'Maplewood Library: Your hold is ready at Central. Pick up by Wed Nov 11. Reply HELP for help, STOP to opt out.',
        },
        {
          to: patron.contact.phone,
          body: 'Maplewood Library: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.',
        },
      ]),
    );
    const emails = await emailsTo(patron.contact.email!);
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      from: '"Maplewood Free Library" <hello@maplewood.example.org>',
      subject: 'Your hold is ready at Central',
    });
    expect(emails[0]?.body.text).toContain('Your hold "The Left Hand of Darkness" is ready for pickup at Central.');
    expect(emails[0]?.body.html).toContain('<html lang="en">');
  });

  it('leaves the title out of the SMS', async () => {
    const patron = patronRegistered();
    await pipeline.publish(
      { detailType: 'PatronRegistered', detail: patron },
      { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
    );
    await pipeline.deliverNotices();
    expect(pipeline.sms.messages.map((sms) => sms.body).join('\n')).not.toContain('Left Hand');
  });

  it('sends nothing more when the same HoldReady arrives again, in a later batch or the same one', async () => {
    const patron = patronRegistered();
    const hold = holdReady(patron.patronId);
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron }, { detailType: 'HoldReady', detail: hold });
    await pipeline.deliverNotices();

    await pipeline.publish({ detailType: 'HoldReady', detail: hold }, { detailType: 'HoldReady', detail: hold });
    await pipeline.deliverNotices();

    expect(pipeline.sms.messages.filter((sms) => !isConfirmation(sms.body))).toHaveLength(1);
    expect(pipeline.sms.messages.filter((sms) => isConfirmation(sms.body))).toHaveLength(1);
    expect(await emailsTo(patron.contact.email!)).toHaveLength(1);
  });

  it('sends only on the channels the patron opted in to', async () => {
    const emailOnly = patronRegistered({ consent: { sms: false, email: true, checkoutHistory: false } });
    const smsOnly = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
    await pipeline.publish(
      { detailType: 'PatronRegistered', detail: emailOnly },
      { detailType: 'PatronRegistered', detail: smsOnly },
      { detailType: 'HoldReady', detail: holdReady(emailOnly.patronId) },
      { detailType: 'HoldReady', detail: holdReady(smsOnly.patronId) },
    );
    await pipeline.deliverNotices();

    expect(pipeline.sms.messages.filter((sms) => !isConfirmation(sms.body)).map((sms) => sms.to)).toEqual([smsOnly.contact.phone]);
    expect(await emailsTo(emailOnly.contact.email!)).toHaveLength(1);
    expect(await emailsTo(smsOnly.contact.email!)).toHaveLength(0);
  });

  it('sends nothing on a channel opted out before the notice is delivered', async () => {
    const patron = patronRegistered();
    await pipeline.publish(
      { detailType: 'PatronRegistered', detail: patron },
      { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
    );
    await pipeline.publish({
      detailType: 'PatronPreferencesChanged',
      detail: preferencesChanged(patron.patronId, { consent: { sms: false } }, { occurredAt: '2026-11-04T09:45:00-05:00' }),
    });
    await pipeline.deliverNotices();

    // Nothing at all: the opt-in confirmation was not sent either, the patron had opted out by then.
    expect(pipeline.sms.messages).toHaveLength(0);
    expect(await emailsTo(patron.contact.email!)).toHaveLength(1);
  });

  it('speaks Spanish to a patron who chose it, in one GSM-7 segment', async () => {
    const patron = patronRegistered({ language: 'es' });
    await pipeline.publish(
      { detailType: 'PatronRegistered', detail: patron },
      { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
    );
    await pipeline.deliverNotices();
    expect(pipeline.sms.messages.find((sms) => !isConfirmation(sms.body))?.body).toBe(
      'Riverside Library: Su reserva esta lista en North Branch. Recojala antes del mié 11 nov. Responda HELP para ayuda, STOP para cancelar.',
    );
    expect((await emailsTo(patron.contact.email!))[0]?.subject).toBe('Su reserva está lista en North Branch');
  });

  it('uses the consortium branding for a library the configuration does not know', async () => {
    const patron = patronRegistered({ library: 'newtown' });
    await pipeline.publish(
      { detailType: 'PatronRegistered', detail: patron },
      { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
    );
    const response = await pipeline.deliverNotices();
    expect(response.batchItemFailures).toEqual([]);
    expect(pipeline.sms.messages.length).toBeGreaterThan(0);
    expect(pipeline.sms.messages.every((sms) => sms.body.startsWith('HV Libraries: '))).toBe(true);
    expect((await emailsTo(patron.contact.email!))[0]?.from).toBe('"Hudson Valley Library Consortium" <notices@hvlc.example.org>');
  });

  it('sends nothing for a patron Bookdrop has no consent record for', async () => {
    await pipeline.publish({ detailType: 'HoldReady', detail: holdReady('P-unknown') });
    const response = await pipeline.deliverNotices();
    expect(response.batchItemFailures).toEqual([]);
    expect(pipeline.sms.messages).toHaveLength(0);
  });
});
