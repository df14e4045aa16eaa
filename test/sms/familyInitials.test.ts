/**
 * Labels by first initial on a number a family shares, through the real handlers on DynamoDB Local
 * and the SMS sink: the ILS registers each patron with an initial, the library labels by initial,
 * and RENEW ALL and ITEMS answer one line per patron. Two patrons with the same initial are told
 * apart by their cards; a patron without one (or whose initial was cleared) is labelled by card; a
 * changed initial labels the next reply. The stored profile holds the letter, never a name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import type { OutboundDetail } from '#shared/events/contract.ts';
import { patronReport } from '#shared/patrons/patronReport.ts';
import {
  inboundSms,
  itemCheckedOut,
  loanRenewed,
  patronRegistered,
  phoneNumber,
  preferencesChanged,
  testConfig,
  uid,
} from '#test/helpers/factories.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

const config: ConsortiumConfig = { ...testConfig, sms: { ...testConfig.sms, commands: { patronLabel: 'initial' } } };

describe('Flow: a family on one number, labelled by first initial', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({ config });
  });
  afterAll(async () => {
    await pipeline.stop();
  });

  const textsTo = (number: string) => pipeline.sms.messages.filter((sms) => sms.to === number).map((sms) => sms.body);
  const ils = async (...events: { detailType: string; detail: unknown }[]) => {
    expect((await pipeline.publish(...events)).batchItemFailures).toEqual([]);
    await pipeline.deliverNotices();
  };
  const text = async (from: string, body: string) => {
    expect((await pipeline.inbound(inboundSms(from, body))).batchItemFailures).toEqual([]);
    await pipeline.deliverNotices();
    return textsTo(from).at(-1);
  };

  it('labels each line by initial, adds the card to two with the same initial, and the card alone for a patron without one', async () => {
    const number = phoneNumber();
    const family = [
      patronRegistered({ patronId: 'RIV-001111', initial: 'j', contact: { phone: number } }),
      patronRegistered({ patronId: 'RIV-002222', initial: 'J', contact: { phone: number } }),
      patronRegistered({ patronId: 'RIV-003333', initial: 'm', contact: { phone: number } }),
      patronRegistered({ patronId: 'RIV-004444', contact: { phone: number } }),
    ];
    const loans = family.map((patron) => itemCheckedOut(patron.patronId));
    await ils(...family.map((detail) => ({ detailType: 'PatronRegistered', detail })));
    await ils(...loans.map((detail) => ({ detailType: 'ItemCheckedOut', detail })));

    const profile = await pipeline.patrons.get('RIV-001111');
    expect(profile?.initial?.value).toBe('J');
    // The patron data report shows it with the profile.
    const report = await patronReport(pipeline.table, 'RIV-003333', new Date('2026-11-04T15:00:00Z'), undefined);
    expect(report.profile?.initial).toEqual(expect.objectContaining({ value: 'M' }));

    expect(await text(number, 'ITEMS')).toBe(
      'Riverside Library: J. #1111: 1 item, due Thu Nov 5. J. #2222: 1 item, due Thu Nov 5. M.: 1 item, due Thu Nov 5. ' +
        '#4444: 1 item, due Thu Nov 5. Reply RENEW to renew.',
    );

    await text(number, 'RENEW');
    const requests = pipeline.outbound.published
      .filter((event) => event.detailType === 'RenewalRequested')
      .map((event) => event.detail as OutboundDetail<'RenewalRequested'>);
    expect(requests).toHaveLength(4);
    // The ILS answers without request ids; one refusal with it.
    await ils(...loans.slice(0, 3).map((loan) => ({ detailType: 'LoanRenewed', detail: loanRenewed(loan) })), {
      detailType: 'RenewalRefused',
      detail: {
        eventId: uid('rf'),
        occurredAt: '2026-11-04T10:01:00-05:00',
        loanId: loans[3]!.loanId,
        requestId: requests[0]!.requestId,
        reason: 'on-hold',
      },
    });
    expect(textsTo(number).at(-1)).toBe(
      'Riverside Library: J. #1111: renewed 1, due Thu Nov 19. J. #2222: renewed 1, due Thu Nov 19. M.: renewed 1, due Thu Nov 19. ' +
        '#4444: not renewed 1.',
    );
  });

  it('follows a changed or cleared initial in the next reply; an older change does not bring the old one back', async () => {
    const number = phoneNumber();
    const anna = patronRegistered({ patronId: 'MAP-005555', initial: 'A', contact: { phone: number } });
    const bo = patronRegistered({ patronId: 'MAP-006666', initial: 'B', contact: { phone: number } });
    await ils({ detailType: 'PatronRegistered', detail: anna }, { detailType: 'PatronRegistered', detail: bo });
    await ils(
      ...[anna, bo].map((patron) => ({
        detailType: 'ItemCheckedOut',
        detail: itemCheckedOut(patron.patronId, { dueAt: '2026-11-20T23:59:00-05:00' }),
      })),
    );
    expect(await text(number, 'ITEMS')).toBe(
      'Riverside Library: A.: 1 item, due Fri Nov 20. B.: 1 item, due Fri Nov 20. Reply RENEW to renew.',
    );

    await ils(
      { detailType: 'PatronPreferencesChanged', detail: preferencesChanged(anna.patronId, { initial: 'Ñ' }) },
      { detailType: 'PatronPreferencesChanged', detail: preferencesChanged(bo.patronId, { initial: null }) },
    );
    // Older than both changes (registration was at 11-02 10:00, the changes at 11-03 10:00).
    await ils({
      detailType: 'PatronPreferencesChanged',
      detail: preferencesChanged(bo.patronId, { initial: 'Q' }, { occurredAt: '2026-11-02T12:00:00-05:00' }),
    });

    expect(await text(number, 'ITEMS')).toBe(
      'Riverside Library: Ñ.: 1 item, due Fri Nov 20. #6666: 1 item, due Fri Nov 20. Reply RENEW to renew.',
    );
  });
});
