/**
 * The daily sweep against DynamoDB Local: due-soon digests, the overdue sequence, hold expiry,
 * renewals and returns between sweeps, a sweep run twice, daylight saving and midnight boundaries.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DetailOf } from '#shared/events/contract.ts';
import { patronRegistered, uid } from '#test/helpers/factories.ts';
import { emailsTo, scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

function checkout(patronId: string, dueAt: string, title = 'Parable of the Sower'): DetailOf<'ItemCheckedOut'> {
  return {
    eventId: uid('evt'),
    occurredAt: '2026-10-20T14:00:00-04:00',
    loanId: uid('L'),
    patronId,
    itemId: uid('I'),
    title,
    materialType: 'book',
    branch: 'riverside-main',
    dueAt,
  };
}

describe('Sweep: scheduled notices', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline({ sweepPageSize: 3 });
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  async function patron() {
    const registration = patronRegistered({ consent: { sms: true, email: true, checkoutHistory: false } });
    await pipeline.publish({ detailType: 'PatronRegistered', detail: registration });
    await pipeline.deliverNotices();
    return registration;
  }
  const texts = (to: string) =>
    pipeline.sms.messages.filter((sms) => sms.to === to && !sms.body.includes('Msg & data')).map((sms) => sms.body);
  const noticesOf = async (patronId: string, kind: string) =>
    (await scanAll(pipeline.table)).filter(
      (item) => item.kind === 'notice' && item.patronId === patronId && item.noticeKind === kind && item.channel === 'sms',
    );

  it('sends one due-soon digest per patron and day, listing every item, even across pages; a second run sends nothing', async () => {
    const reader = await patron();
    const neighbours = await Promise.all([patron(), patron()]);
    const loans = ['Kindred', 'Dawn', 'Wild Seed', 'Fledgling'].map((title) =>
      checkout(reader.patronId, '2026-11-24T23:59:00-05:00', title),
    );
    await pipeline.publish(...loans.map((detail) => ({ detailType: 'ItemCheckedOut', detail })));
    await pipeline.publish(
      ...neighbours.map((n) => ({ detailType: 'ItemCheckedOut', detail: checkout(n.patronId, '2026-11-24T12:00:00-05:00') })),
    );

    await pipeline.runSweep('2026-11-21');
    await pipeline.runSweep('2026-11-21');

    expect(texts(reader.contact.phone!)).toEqual([
      'Riverside Library: 4 items are due Tue Nov 24. Renew in the catalog or call 845-555-0111. Reply STOP to opt out.',
    ]);
    const email = (await emailsTo(reader.contact.email!)).find((message) => message.subject.includes('due'));
    for (const title of ['Kindred', 'Dawn', 'Wild Seed', 'Fledgling']) expect(email?.body.text).toContain(`- ${title}`);
    for (const n of neighbours) expect(texts(n.contact.phone!)).toHaveLength(1);
  });

  it('sends the overdue sequence (1, 7 and 14 days after), and nothing once the item is returned', async () => {
    const reader = await patron();
    const loan = checkout(reader.patronId, '2026-11-10T23:59:00-05:00');
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan });

    await pipeline.runSweep('2026-11-11');
    await pipeline.runSweep('2026-11-17');
    await pipeline.publish({
      detailType: 'ItemReturned',
      detail: { eventId: uid('evt'), occurredAt: '2026-11-18T10:00:00-05:00', loanId: loan.loanId, patronId: reader.patronId },
    });
    await pipeline.runSweep('2026-11-24');

    expect(texts(reader.contact.phone!)).toEqual([
      'Riverside Library: 1 item was due Tue Nov 10. Please return or renew. Help: 845-555-0111. STOP to opt out.',
      'Riverside Library: 1 item was due Tue Nov 10. Please return or renew. Help: 845-555-0111. STOP to opt out.',
    ]);
    expect(await noticesOf(reader.patronId, 'overdue')).toHaveLength(2);
  });

  it('reminds a renewed loan by its new due date only', async () => {
    const reader = await patron();
    const loan = checkout(reader.patronId, '2026-11-24T23:59:00-05:00');
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan });
    await pipeline.publish({
      detailType: 'LoanRenewed',
      detail: {
        eventId: uid('evt'),
        occurredAt: '2026-11-20T09:00:00-05:00',
        loanId: loan.loanId,
        patronId: reader.patronId,
        dueAt: '2026-12-15T23:59:00-05:00',
      },
    });

    await pipeline.runSweep('2026-11-21');
    await pipeline.runSweep('2026-12-12');

    expect(texts(reader.contact.phone!)).toEqual([
      'Riverside Library: 1 item is due Tue Dec 15. Renew in the catalog or call 845-555-0111. Reply STOP to opt out.',
    ]);
  });

  it('counts days in the library time zone across the end of daylight saving and at midnight', async () => {
    const reader = await patron();
    // DST ends in New York on Sunday 1 November 2026: the run on 30 October (EDT) targets 2 November (EST).
    await pipeline.publish({
      detailType: 'ItemCheckedOut',
      detail: checkout(reader.patronId, '2026-11-02T00:30:00-05:00', 'Just after midnight'),
    });
    // 23:59:59 on the 2nd belongs to the 2nd; 00:00 on the 3rd to the 3rd, in New York.
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: checkout(reader.patronId, '2026-11-03T04:59:59Z', 'Last second') });
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: checkout(reader.patronId, '2026-11-03T05:00:00Z', 'Next day') });

    await pipeline.runSweep('2026-10-30');
    await pipeline.runSweep('2026-10-31');

    expect(texts(reader.contact.phone!)).toEqual([
      'Riverside Library: 2 items are due Mon Nov 2. Renew in the catalog or call 845-555-0111. Reply STOP to opt out.',
      'Riverside Library: 1 item is due Tue Nov 3. Renew in the catalog or call 845-555-0111. Reply STOP to opt out.',
    ]);
  });

  it('warns of a hold about to expire, the day before its pickup deadline', async () => {
    const reader = await patron();
    await pipeline.publish({
      detailType: 'HoldReady',
      detail: {
        eventId: uid('evt'),
        occurredAt: '2026-11-04T10:00:00-05:00',
        holdId: uid('H'),
        patronId: reader.patronId,
        title: 'Octavia',
        pickupBranch: 'riverside-north',
        pickupBy: '2026-11-11T20:00:00-05:00',
      },
    });
    await pipeline.deliverNotices();
    await pipeline.runSweep('2026-11-10');
    expect(texts(reader.contact.phone!)).toContain(
      'Riverside Library: Your hold at North Branch expires Wed Nov 11. Pick it up by then or it goes to the next patron. STOP to opt out.',
    );
  });
});

describe('Sweep: quiet hours', () => {
  it('keeps a reminder text until quiet hours end, and sends the email at once', async () => {
    const pipeline = await startPipeline();
    try {
      const reader = patronRegistered({ consent: { sms: true, email: true, checkoutHistory: false } });
      await pipeline.publish({ detailType: 'PatronRegistered', detail: reader });
      await pipeline.deliverNotices();
      pipeline.sms.messages.length = 0;
      await pipeline.publish({ detailType: 'ItemCheckedOut', detail: checkout(reader.patronId, '2026-11-24T23:59:00-05:00') });

      // 22:30 in New York: inside the default quiet hours (21:00 to 08:00).
      pipeline.clock.set('2026-11-22T03:30:00Z');
      await pipeline.runSweep('2026-11-21');
      expect(pipeline.sms.messages).toEqual([]);
      expect((await emailsTo(reader.contact.email!)).filter((email) => email.subject.includes('due'))).toHaveLength(1);
      expect(pipeline.queue.delayed).toEqual([
        expect.objectContaining({ kind: 'due-soon', channels: ['sms'], notBefore: '2026-11-22T13:00:00.000Z' }),
      ]);

      // 08:00 the next morning: the text goes, once.
      pipeline.clock.set('2026-11-22T13:00:00Z');
      pipeline.queue.release();
      await pipeline.deliverNotices();
      expect(pipeline.sms.messages.map((sms) => sms.body)).toEqual([
        'Riverside Library: 1 item is due Tue Nov 24. Renew in the catalog or call 845-555-0111. Reply STOP to opt out.',
      ]);
      expect((await emailsTo(reader.contact.email!)).filter((email) => email.subject.includes('due'))).toHaveLength(1);
    } finally {
      await pipeline.stop();
    }
  });
});

describe('Sweep: timings per member library', () => {
  it('uses a member library own due-soon timing, and the consortium one for the others', async () => {
    const { testConfig } = await import('#test/helpers/factories.ts');
    const config = {
      ...testConfig,
      libraries: testConfig.libraries.map((lib) => (lib.id === 'maplewood' ? { ...lib, notices: { dueSoonDaysBefore: 2 } } : lib)),
    };
    const pipeline = await startPipeline({ config });
    try {
      const riverside = patronRegistered({ library: 'riverside', consent: { sms: true, email: false, checkoutHistory: false } });
      const maplewood = patronRegistered({ library: 'maplewood', consent: { sms: true, email: false, checkoutHistory: false } });
      await pipeline.publish({ detailType: 'PatronRegistered', detail: riverside }, { detailType: 'PatronRegistered', detail: maplewood });
      await pipeline.deliverNotices();
      pipeline.sms.messages.length = 0;
      await pipeline.publish(
        { detailType: 'ItemCheckedOut', detail: checkout(riverside.patronId, '2026-11-24T23:59:00-05:00') },
        {
          detailType: 'ItemCheckedOut',
          detail: { ...checkout(maplewood.patronId, '2026-11-24T23:59:00-05:00'), branch: 'maplewood-central' },
        },
      );

      await pipeline.runSweep('2026-11-21');
      expect(pipeline.sms.messages.map((sms) => sms.to)).toEqual([riverside.contact.phone]);
      await pipeline.runSweep('2026-11-22');
      expect(pipeline.sms.messages.map((sms) => sms.to)).toEqual([riverside.contact.phone, maplewood.contact.phone]);
    } finally {
      await pipeline.stop();
    }
  });
});
