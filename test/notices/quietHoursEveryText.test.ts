/**
 * Quiet hours hold every library-initiated text, broadcasts included: the opt-in confirmation, a
 * hold notice and a service update made at 22:30 in New York wait until 08:00; their emails go at
 * once; a patron's own STOP is answered at once.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { holdReady, patronRegistered, uid } from '#test/helpers/factories.ts';
import { emailsTo } from '#test/helpers/localAws.ts';
import { startPipeline } from '#test/helpers/pipeline.ts';

describe('Flow: quiet hours for every library-initiated SMS', () => {
  it('holds the opt-in confirmation, a hold notice and a broadcast until morning, sends the emails, and answers STOP at once', async () => {
    const pipeline = await startPipeline();
    try {
      // 22:30 in New York: inside the default quiet hours (21:00 to 08:00).
      pipeline.clock.set('2026-11-22T03:30:00Z');
      const patron = patronRegistered();
      const number = patron.contact.phone!;
      await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
      await pipeline.publish({
        detailType: 'HoldReady',
        detail: holdReady(patron.patronId, { occurredAt: '2026-11-21T22:20:00-05:00', pickupBy: '2026-11-28T20:00:00-05:00' }),
      });
      await pipeline.publish({
        detailType: 'ServiceUpdatePublished',
        detail: {
          eventId: uid('su'),
          occurredAt: '2026-11-21T22:25:00-05:00',
          library: 'riverside',
          message: { en: 'All branches close at noon on Nov 26.' },
        },
      });
      await pipeline.deliverNotices();

      expect(pipeline.sms.messages.filter((sms) => sms.to === number)).toEqual([]);
      expect((await emailsTo(patron.contact.email!)).map((email) => email.subject).sort()).toEqual([
        'News from Riverside Public Library',
        'Your hold is ready at North Branch',
      ]);
      const held = pipeline.queue.delayed.filter((message) => 'patronId' in message && message.patronId === patron.patronId);
      expect(held.map((message) => ('kind' in message ? message.kind : '')).sort()).toEqual(['hold-ready', 'service-update', 'sms-opt-in']);
      expect(held.every((message) => 'notBefore' in message && message.notBefore === '2026-11-22T13:00:00.000Z')).toBe(true);

      // 08:00: the three texts go, once each, every one with the opt-out instruction.
      pipeline.clock.set('2026-11-22T13:00:00Z');
      pipeline.queue.release();
      await pipeline.deliverNotices();
      const morning = pipeline.sms.messages.filter((sms) => sms.to === number).map((sms) => sms.body);
      expect(morning).toHaveLength(3);
      expect(morning).toContain('Riverside Library: All branches close at noon on Nov 26. Reply STOP to opt out.');
      expect(morning.every((body) => /STOP to (opt out|cancel)\.$/.test(body))).toBe(true);

      // 23:00 the same day: the patron's own STOP is answered at once.
      pipeline.clock.set('2026-11-23T04:00:00Z');
      await pipeline.inbound({
        originationNumber: number,
        destinationNumber: '+18445550100',
        messageBody: 'Please stop texting me',
        inboundMessageId: randomUUID(),
      });
      expect(pipeline.sms.messages.filter((sms) => sms.to === number).at(-1)?.body).toBe(
        'Riverside Library: You are unsubscribed from library texts and will get no more. Reply START to resubscribe, HELP for help.',
      );
    } finally {
      await pipeline.stop();
    }
  });
});
