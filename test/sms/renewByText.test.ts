/**
 * RENEW, RENEW ALL and ITEMS by text against DynamoDB Local and the SMS sink, the ILS played by the
 * test: each command in English and Spanish, families, refusals, a silent ILS, the reply caps, an
 * unknown number, and answers that arrive twice, late and out of order. The patron gets one correct
 * reply per request and nothing twice; no title or contact leaves in an outbound event.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundDetail } from '#shared/events/contract.ts';
import type { NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { inboundSms, itemCheckedOut, loanRenewed, patronRegistered, phoneNumber, uid } from '#test/helpers/factories.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

const TITLE = 'The Secret Garden of Marguerite';

describe('Flow: text commands RENEW, RENEW ALL and ITEMS', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  const textsTo = (number: string) => pipeline.sms.messages.filter((sms) => sms.to === number).map((sms) => sms.body);
  const text = async (from: string, body: string, id?: string) => {
    expect((await pipeline.inbound(inboundSms(from, body, id))).batchItemFailures).toEqual([]);
    await pipeline.deliverNotices();
  };
  const ils = async (...events: { detailType: string; detail: unknown }[]) => {
    expect((await pipeline.publish(...events)).batchItemFailures).toEqual([]);
    await pipeline.deliverNotices();
  };
  const requests = () =>
    pipeline.outbound.published
      .filter((event) => event.detailType === 'RenewalRequested')
      .map((event) => event.detail as OutboundDetail<'RenewalRequested'>);
  const renewed = (loanId: string, patronId: string, requestId: string, dueAt: string) => ({
    detailType: 'LoanRenewed',
    detail: loanRenewed({ loanId, patronId }, { dueAt, requestId }),
  });
  const refused = (loanId: string, requestId: string, reason: string) => ({
    detailType: 'RenewalRefused',
    detail: { eventId: uid('rf'), occurredAt: '2026-11-04T10:01:00-05:00', loanId, requestId, reason },
  });

  /** A registered, opted-in patron with loans due on the given days; the confirmation text cleared. */
  async function patronWith(dueDays: string[], overrides: Parameters<typeof patronRegistered>[0] = {}) {
    const patron = patronRegistered(overrides);
    const loans = dueDays.map((dueAt) => itemCheckedOut(patron.patronId, { dueAt, title: TITLE }));
    await ils({ detailType: 'PatronRegistered', detail: patron }, ...loans.map((loan) => ({ detailType: 'ItemCheckedOut', detail: loan })));
    pipeline.sms.messages.length = 0;
    return { patron, loans, number: patron.contact.phone! };
  }

  it('RENEW asks the ILS for the loans due within 3 days only and replies once with the new due date; a duplicate or late answer sends nothing more', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-06T23:59:00-05:00', '2026-11-20T23:59:00-05:00']);

    await text(number, 'renew');

    expect(requests()).toEqual([
      {
        requestId: expect.stringMatching(/^sms-/),
        patronId: patron.patronId,
        loanIds: [loans[0]!.loanId],
        requestedAt: '2026-11-04T15:00:00.000Z',
      },
    ]);
    expect(textsTo(number)).toEqual([]);
    const requestId = requests()[0]!.requestId;
    const answer = renewed(loans[0]!.loanId, patron.patronId, requestId, '2026-11-20T23:59:00-05:00');
    await ils(answer);
    expect(textsTo(number)).toEqual(['Riverside Library: Renewed 1, due Fri Nov 20.']);

    // The same answer again, then the deadline: nothing more.
    await ils(answer);
    await pipeline.runRenewalDeadlines();
    await pipeline.deliverNotices();
    expect(textsTo(number)).toHaveLength(1);
  });

  it('RENOVAR TODO for a family: every opted-in patron on the number, one line each by card suffix, refusals in plain words, in Spanish', async () => {
    const number = phoneNumber();
    const first = await patronWith(['2026-11-06T23:59:00-05:00', '2026-11-25T23:59:00-05:00'], {
      contact: { phone: number },
      patronId: 'P-fam-1111',
    });
    const second = await patronWith(['2026-11-28T23:59:00-05:00'], { contact: { phone: number }, patronId: 'P-fam-2222' });
    const optedOut = await patronWith(['2026-11-05T23:59:00-05:00'], {
      contact: { phone: number },
      patronId: 'P-fam-3333',
      consent: { sms: false, email: true, checkoutHistory: false },
    });

    await text(number, 'Renovar todo');

    const asked = requests();
    expect(asked.map((request) => [request.patronId, request.loanIds.length])).toEqual([
      ['P-fam-1111', 2],
      ['P-fam-2222', 1],
    ]);
    expect(asked.flatMap((request) => request.loanIds)).not.toContain(optedOut.loans[0]!.loanId);
    const requestId = asked[0]!.requestId;
    // Answers out of order and one twice.
    await ils(refused(second.loans[0]!.loanId, requestId, 'on-hold'));
    await ils(refused(second.loans[0]!.loanId, requestId, 'on-hold'));
    await ils(renewed(first.loans[1]!.loanId, 'P-fam-1111', requestId, '2026-12-16T23:59:00-05:00'));
    expect(textsTo(number)).toEqual([]);
    await ils(refused(first.loans[0]!.loanId, requestId, 'too-many-renewals'));

    expect(textsTo(number)).toEqual([
      'Riverside Library: #1111: renovados 1, vencen mié 16 dic; no renovados 1 (limite de renovaciones). #2222: no renovados 1 (otra persona lo espera).',
    ]);
  });

  it('a silent ILS: at the deadline the patron hears that nothing was renewed and how to renew otherwise; the late answer changes the due date but sends nothing', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    await text(number, 'RENEW');
    expect(pipeline.renewalDeadlines).toHaveLength(1);

    await pipeline.runRenewalDeadlines();
    await pipeline.deliverNotices();
    expect(textsTo(number)).toEqual([
      'Riverside Library: The library system did not answer, nothing was renewed. Renew at (845) 555-0111.',
    ]);

    await ils(renewed(loans[0]!.loanId, patron.patronId, requests()[0]!.requestId, '2026-11-19T23:59:00-05:00'));
    expect(textsTo(number)).toHaveLength(1);
    await text(number, 'ITEMS');
    expect(textsTo(number)[1]).toBe('Riverside Library: 1 item, due Thu Nov 19. Reply RENEW to renew.');
  });

  it('a request closed late keeps its reply for the notifier as long again from the close: a reply redriven after the first expiry is still sent', async () => {
    const { number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    await text(number, 'RENEW');
    const [requestId] = pipeline.renewalDeadlines;
    const record = async () => (await scanAll(pipeline.table)).find((item) => item.pk === `RENEWAL#${requestId}` && item.sk === 'REQUEST');
    // Made on 2026-11-04 15:00Z: kept deadLetterDays (4) + 5 days, to 2026-11-13 15:00Z.
    expect((await record())?.expiresAt).toBe(Date.parse('2026-11-13T15:00:00Z') / 1000);

    // Its deadline comes back from a dead-letter redrive 8 days on; the reply then waits in the notifier's
    // dead-letter queue for 8 days more, past the request's first expiry.
    pipeline.clock.set('2026-11-12T15:00:00Z');
    await pipeline.runRenewalDeadlines();
    expect((await record())?.expiresAt).toBe(Date.parse('2026-11-21T15:00:00Z') / 1000);
    const replies = (pipeline.queue.take() as NoticeRequest[]).filter((request) => request.kind === 'renewal-reply');
    expect(replies).toHaveLength(1);
    pipeline.clock.set('2026-11-20T15:00:00Z');
    await pipeline.notifier.deliver(replies[0]!);

    expect(textsTo(number)).toEqual([
      'Riverside Library: The library system did not answer, nothing was renewed. Renew at (845) 555-0111.',
    ]);
  });

  it('two RENEWs in the same minute are two requests with one reply each; a redelivered RENEW is the same request', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00', '2026-11-06T23:59:00-05:00']);
    const id = randomUUID();
    await text(number, 'RENEW', id);
    await text(number, 'RENEW', id);
    await text(number, 'renew');

    const asked = requests();
    expect(new Set(asked.map((request) => request.requestId)).size).toBe(2);
    for (const request of asked) {
      for (const loanId of request.loanIds) await ils(renewed(loanId, patron.patronId, request.requestId, '2026-11-19T23:59:00-05:00'));
    }
    expect(loans.map((loan) => loan.loanId).sort()).toEqual([...asked[0]!.loanIds].sort());
    expect(textsTo(number)).toEqual(['Riverside Library: Renewed 2, due Thu Nov 19.', 'Riverside Library: Renewed 2, due Thu Nov 19.']);
  });

  it('ITEMS and PRESTAMOS answer at once with counts and due dates, no title unless the library enables titles in SMS', async () => {
    const { number } = await patronWith(['2026-11-06T23:59:00-05:00', '2026-11-06T23:59:00-05:00', '2026-11-20T23:59:00-05:00']);
    await text(number, 'Items');
    await text(number, 'PRÉSTAMOS');
    expect(textsTo(number)).toEqual([
      'Riverside Library: 3 items, due Fri Nov 6 (2), Fri Nov 20. Reply RENEW to renew.',
      'Riverside Library: 3 prestamos, vence vie 6 nov (2), vie 20 nov. Responda RENOVAR para renovar.',
    ]);
    expect(textsTo(number).join(' ')).not.toContain('Secret');
  });

  it('RENEW with nothing due says so, and a number that matches no patron gets the HELP text once a day', async () => {
    const { number } = await patronWith(['2026-11-20T23:59:00-05:00']);
    await text(number, 'RENEW');
    expect(textsTo(number)).toEqual(['Riverside Library: Nothing is due in the next 3 days. Reply RENEW ALL to renew all, ITEMS to list.']);
    expect(requests()).toEqual([]);

    const stranger = phoneNumber();
    await text(stranger, 'RENEW');
    await text(stranger, 'ITEMS');
    expect(textsTo(stranger)).toEqual([expect.stringContaining('HV Libraries: Library notices by text. Help: (845) 555-0100.')]);
  });

  it('a number whose patrons opted out may not use commands, and the reply caps count command replies: a capped RENEW asks the ILS nothing', async () => {
    const { number: quiet } = await patronWith(['2026-11-05T23:59:00-05:00'], {
      consent: { sms: false, email: true, checkoutHistory: false },
    });
    await text(quiet, 'RENEW');
    await text(quiet, 'ITEMS');
    expect(textsTo(quiet)).toEqual([]);
    expect(requests()).toEqual([]);

    const { number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    for (let index = 0; index < 5; index++) await text(number, 'ITEMS');
    await text(number, 'RENEW');
    expect(textsTo(number)).toHaveLength(5);
    expect(requests()).toEqual([]);
  });

  it('no title or contact leaves in an outbound event', async () => {
    const { patron, loans, number } = await patronWith(['2026-11-05T23:59:00-05:00']);
    await text(number, 'RENEW');
    await ils(renewed(loans[0]!.loanId, patron.patronId, requests()[0]!.requestId, '2026-11-19T23:59:00-05:00'));
    const published = JSON.stringify(pipeline.outbound.published);
    expect(pipeline.outbound.published.map((event) => event.detailType)).toContain('RenewalRequested');
    for (const secret of [TITLE, number, number.slice(2), patron.contact.email!]) expect(published).not.toContain(secret);
  });
});
