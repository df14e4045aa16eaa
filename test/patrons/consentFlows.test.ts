/**
 * Consent end to end, against DynamoDB Local and its stream: outbound PatronConsentChanged events,
 * the SMS opt-in confirmation, the ledger as proof, email suppression from SES feedback, account
 * closure, and the current privacy policy version.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consentHistory } from '#shared/patrons/patronProfile.ts';
import type { OutboundDetail } from '#shared/events/contract.ts';
import { emailAddress, holdReady, patronRegistered, preferencesChanged, uid } from '#test/helpers/factories.ts';
import { emailsTo, scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

const LATER = new Date('2026-12-31T00:00:00Z');

/** An SES event-publishing record, as the configuration set's SNS destination delivers it. */
function sesEvent(type: 'Bounce' | 'Complaint', noticeId: string, options: { bounceType?: string; at?: string } = {}) {
  const at = options.at ?? '2026-11-04T15:05:00.000Z';
  const mail = {
    timestamp: at,
    messageId: uid('ses'),
    source: 'notices@riverside.example.org',
    destination: ['x@example.net'],
    tags: { noticeId: [noticeId], kind: ['hold-ready'] },
  };
  return type === 'Bounce'
    ? {
        eventType: 'Bounce',
        bounce: {
          bounceType: options.bounceType ?? 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [],
          timestamp: at,
          feedbackId: uid('fb'),
        },
        mail,
      }
    : { eventType: 'Complaint', complaint: { complainedRecipients: [], timestamp: at, feedbackId: uid('fb') }, mail };
}

describe('Flow: consent', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  const consentEvents = (patronId: string): OutboundDetail<'PatronConsentChanged'>[] =>
    pipeline.outbound.published.flatMap((event) =>
      event.detailType === 'PatronConsentChanged' && event.detail.patronId === patronId ? [event.detail] : [],
    );

  it('publishes PatronConsentChanged for every consent change, and confirms an SMS opt-in by text', async () => {
    const patron = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: true } });
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.publish({
      detailType: 'PatronPreferencesChanged',
      detail: preferencesChanged(patron.patronId, { consent: { email: true } }, { source: 'staff' }),
    });
    await pipeline.deliverNotices();

    expect(consentEvents(patron.patronId)).toEqual([
      { patronId: patron.patronId, channel: 'sms', optedIn: true, source: 'registration', at: '2026-11-02T15:00:00.000Z' },
      { patronId: patron.patronId, channel: 'email', optedIn: false, source: 'registration', at: '2026-11-02T15:00:00.000Z' },
      { patronId: patron.patronId, channel: 'email', optedIn: true, source: 'staff', at: '2026-11-03T15:00:00.000Z' },
    ]);
    expect(pipeline.sms.messages.map((sms) => sms.body)).toEqual([
      'Riverside Library: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.',
    ]);
    expect(JSON.stringify(pipeline.outbound.published)).not.toContain(patron.contact.phone!);
  });

  it('ends in the right state when a preference change arrives before its registration, and ignores duplicates', async () => {
    const patron = patronRegistered({ consent: { sms: true, email: true, checkoutHistory: false } });
    const optOut = preferencesChanged(patron.patronId, { consent: { sms: false } });
    await pipeline.publish({ detailType: 'PatronPreferencesChanged', detail: optOut });
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron }, { detailType: 'PatronRegistered', detail: patron });
    await pipeline.publish({ detailType: 'PatronPreferencesChanged', detail: optOut });
    await pipeline.deliverNotices();

    const profile = await pipeline.patrons.get(patron.patronId);
    expect(profile?.consent.sms).toMatchObject({ optedIn: false, source: 'catalog' });
    expect(profile?.consent.email).toMatchObject({ optedIn: true, source: 'registration' });
    // The SMS opt-out is the newest word: no confirmation text, ever.
    expect(pipeline.sms.messages).toEqual([]);
    const ledger = await pipeline.patrons.ledger(patron.patronId, LATER);
    // The late registration's SMS opt-in is history (not in force); the rest is the current state.
    expect(ledger.map(({ topic, optedIn, source, effective }) => ({ topic, optedIn, source, effective }))).toEqual([
      { topic: 'checkoutHistory', optedIn: false, source: 'registration', effective: true },
      { topic: 'email', optedIn: true, source: 'registration', effective: true },
      { topic: 'sms', optedIn: true, source: 'registration', effective: false },
      { topic: 'sms', optedIn: false, source: 'catalog', effective: true },
    ]);
    // Only changes in force are announced: the ILS never sees the stale opt-in.
    expect(consentEvents(patron.patronId).map(({ channel, optedIn }) => ({ channel, optedIn }))).toEqual([
      { channel: 'sms', optedIn: false },
      { channel: 'email', optedIn: true },
    ]);
  });

  it('rebuilds the consent history from the ledger, in the order things happened', async () => {
    const patron = patronRegistered({ consent: { sms: true, email: true, checkoutHistory: false } });
    const steps = [
      preferencesChanged(patron.patronId, { consent: { sms: false } }, { occurredAt: '2026-11-05T10:00:00Z', source: 'catalog' }),
      preferencesChanged(
        patron.patronId,
        { consent: { sms: true } },
        { occurredAt: '2026-11-06T10:00:00Z', source: 'staff', policyVersion: '2026-11' },
      ),
      preferencesChanged(patron.patronId, { consent: { sms: false } }, { occurredAt: '2026-11-07T10:00:00Z', source: 'catalog' }),
    ];
    // Bookdrop refuses patron events dated more than 5 minutes ahead of its clock: the clock moves first.
    pipeline.clock.set('2026-11-07T10:00:00Z');
    // Delivered out of order, one of them twice.
    for (const event of [steps[2]!, steps[0]!, patronRegistered({ ...patron }), steps[1]!, steps[0]!]) {
      await pipeline.publish({
        detailType: 'eventId' in event && 'changes' in event ? 'PatronPreferencesChanged' : 'PatronRegistered',
        detail: event,
      });
    }
    const history = consentHistory(await pipeline.patrons.ledger(patron.patronId, LATER));
    expect(history.sms?.map(({ at, optedIn, source }) => ({ at, optedIn, source }))).toEqual([
      { at: '2026-11-02T15:00:00.000Z', optedIn: true, source: 'registration' },
      { at: '2026-11-05T10:00:00.000Z', optedIn: false, source: 'catalog' },
      { at: '2026-11-06T10:00:00.000Z', optedIn: true, source: 'staff' },
      { at: '2026-11-07T10:00:00.000Z', optedIn: false, source: 'catalog' },
    ]);
    expect(history.sms?.[2]?.policyVersion).toBe('2026-11');
  });

  it('suppresses email after a permanent bounce, without rewriting the choice; a new address lifts it', async () => {
    const patron = patronRegistered({ consent: { sms: false, email: true, checkoutHistory: false } });
    await pipeline.publish(
      { detailType: 'PatronRegistered', detail: patron },
      { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
    );
    await pipeline.deliverNotices();
    const notice = (await scanAll(pipeline.table)).find((item) => item.kind === 'notice' && item.patronId === patron.patronId);

    const response = await pipeline.feedback(sesEvent('Bounce', String(notice?.noticeId)));
    await pipeline.publish({ detailType: 'HoldReady', detail: holdReady(patron.patronId) });
    await pipeline.deliverNotices();

    expect(response.batchItemFailures).toEqual([]);
    const profile = await pipeline.patrons.get(patron.patronId);
    expect(profile?.consent.email?.optedIn).toBe(true);
    expect(profile?.suppression.email).toMatchObject({ reason: 'hard-bounce', source: 'email-feedback' });
    expect(await emailsTo(patron.contact.email!)).toHaveLength(1);
    expect(consentEvents(patron.patronId).at(-1)).toMatchObject({ channel: 'email', optedIn: false, source: 'email-feedback' });

    const newAddress = emailAddress();
    // Bookdrop refuses patron events dated more than 5 minutes ahead of its clock: the clock moves first.
    pipeline.clock.set('2026-11-05T10:00:00Z');
    await pipeline.publish({
      detailType: 'PatronPreferencesChanged',
      detail: preferencesChanged(patron.patronId, { contact: { email: newAddress } }, { occurredAt: '2026-11-05T10:00:00Z' }),
    });
    await pipeline.publish({ detailType: 'HoldReady', detail: holdReady(patron.patronId) });
    await pipeline.deliverNotices();
    expect((await pipeline.patrons.get(patron.patronId))?.suppression.email).toBeUndefined();
    expect(await emailsTo(newAddress)).toHaveLength(1);
    const ledger = (await pipeline.patrons.ledger(patron.patronId, LATER)).filter((entry) => entry.topic === 'email');
    expect(ledger.map(({ suppressed, source }) => ({ suppressed, source }))).toEqual([
      { suppressed: undefined, source: 'registration' },
      { suppressed: true, source: 'email-feedback' },
      { suppressed: false, source: 'catalog' },
    ]);
  });

  it('suppresses email after a complaint, counts a transient bounce without suppressing, and ignores feedback for an old address', async () => {
    const complainer = patronRegistered();
    const soft = patronRegistered();
    const mover = patronRegistered();
    for (const patron of [complainer, soft, mover]) {
      await pipeline.publish(
        { detailType: 'PatronRegistered', detail: patron },
        { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
      );
    }
    await pipeline.deliverNotices();
    const noticeOf = async (patronId: string) =>
      String(
        (await scanAll(pipeline.table)).find((item) => item.kind === 'notice' && item.patronId === patronId && item.channel === 'email')
          ?.noticeId,
      );
    // Bookdrop refuses patron events dated more than 5 minutes ahead of its clock: the clock moves first.
    pipeline.clock.set('2026-11-04T15:10:00Z');
    await pipeline.publish({
      detailType: 'PatronPreferencesChanged',
      detail: preferencesChanged(mover.patronId, { contact: { email: emailAddress() } }, { occurredAt: '2026-11-04T15:10:00Z' }),
    });

    await pipeline.feedback(
      sesEvent('Complaint', await noticeOf(complainer.patronId)),
      sesEvent('Bounce', await noticeOf(soft.patronId), { bounceType: 'Transient' }),
      sesEvent('Bounce', await noticeOf(mover.patronId), { at: '2026-11-04T15:20:00.000Z' }),
      sesEvent('Bounce', 'not-a-bookdrop-notice'),
    );

    expect((await pipeline.patrons.get(complainer.patronId))?.suppression.email?.reason).toBe('complaint');
    expect((await pipeline.patrons.get(soft.patronId))?.suppression.email).toBeUndefined();
    const softNotice = (await scanAll(pipeline.table)).find(
      (item) => item.kind === 'notice' && item.patronId === soft.patronId && item.channel === 'email',
    );
    expect(softNotice?.transientBounces).toBe(1);
    expect((await pipeline.patrons.get(mover.patronId))?.suppression.email).toBeUndefined();
  });

  it('closes an account: contacts, holds and notices gone at once, ledger kept as proof, late events change nothing', async () => {
    const patron = patronRegistered();
    await pipeline.publish(
      { detailType: 'PatronRegistered', detail: patron },
      { detailType: 'HoldReady', detail: holdReady(patron.patronId) },
    );
    await pipeline.deliverNotices();
    const closed = { eventId: uid('evt'), occurredAt: '2026-11-10T12:00:00-05:00', patronId: patron.patronId };
    // Bookdrop refuses patron events dated more than 5 minutes ahead of its clock: the clock moves first.
    pipeline.clock.set('2026-11-10T17:00:00Z');

    await pipeline.publish({ detailType: 'PatronClosed', detail: closed });
    await pipeline.publish(
      { detailType: 'PatronClosed', detail: closed },
      {
        detailType: 'PatronPreferencesChanged',
        detail: preferencesChanged(patron.patronId, { consent: { sms: true }, contact: { phone: '+15555550999' } }),
      },
      { detailType: 'HoldReady', detail: holdReady(patron.patronId, { occurredAt: '2026-11-09T12:00:00-05:00' }) },
    );
    await pipeline.deliverNotices();

    const items = (await scanAll(pipeline.table)).filter((item) => item.pk === `PATRON#${patron.patronId}`);
    expect([...new Set(items.map((item) => String(item.kind)))].sort()).toEqual(['consent-ledger', 'patron']);
    const tombstone = items.find((item) => item.sk === 'PROFILE');
    expect(tombstone).toMatchObject({ closedAt: '2026-11-10T17:00:00.000Z', contacts: { sms: { cipher: null }, email: { cipher: null } } });
    expect(tombstone?.phoneIndex).toBeUndefined();
    expect(tombstone?.language).toBeUndefined();
    expect(typeof tombstone?.expiresAt).toBe('number');
    const closing = (await pipeline.patrons.ledger(patron.patronId, LATER)).filter((entry) => entry.source === 'account-closed');
    expect(closing.map((entry) => [entry.topic, entry.optedIn])).toEqual([
      ['email', false],
      ['sms', false],
    ]);
    expect(consentEvents(patron.patronId).filter((event) => event.source === 'account-closed')).toHaveLength(2);
  });

  it('records consent changes without a policy version under the current privacy policy', async () => {
    const patron = patronRegistered();
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    await pipeline.publish({
      detailType: 'PrivacyPolicyUpdated',
      detail: {
        eventId: uid('evt'),
        occurredAt: '2026-11-02T12:00:00Z',
        policyVersion: '2026-11',
        summary: { en: 'We now keep notice logs for 30 days.' },
      },
    });
    await pipeline.publish({
      detailType: 'PrivacyPolicyUpdated',
      detail: {
        eventId: uid('evt'),
        occurredAt: '2026-11-01T12:00:00Z',
        policyVersion: '2026-10',
        summary: { en: 'An older update, arriving late.' },
      },
    });
    await pipeline.publish({
      detailType: 'PatronPreferencesChanged',
      detail: preferencesChanged(patron.patronId, { consent: { email: false } }),
    });

    const ledger = await pipeline.patrons.ledger(patron.patronId, LATER);
    expect(ledger.find((entry) => entry.source === 'catalog')?.policyVersion).toBe('2026-11');
  });
});
