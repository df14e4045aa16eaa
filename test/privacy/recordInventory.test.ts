/**
 * Drift test against what the code really stores: a whole patron life (registration, loans, holds,
 * fines, history, notices, SMS replies, sweeps, fan-out, policy update, account closing, a TTL
 * purge) runs through the real handlers on DynamoDB Local with retention settings unlike the
 * defaults; then every stored item must be a record kind of the inventory, carry only the attributes
 * the inventory lists, and expire exactly when the inventory (that is, the configuration) says. The
 * patron data report must list every record kind linked to a patron.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import type { DetailOf } from '#shared/events/contract.ts';
import { patronReport } from '#shared/patrons/patronReport.ts';
import { RECORD_KINDS, recordKindOfKey, retentionDays, type Expiry } from '#shared/privacy/recordInventory.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { patronRegistered, phoneNumber, testConfig, uid } from '#test/helpers/factories.ts';
import { freshTable, scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

/** Retention settings far apart from each other and from the fixed figures, so a swap shows. */
const config: ConsortiumConfig = {
  ...testConfig,
  retention: {
    deadLetterDays: 3,
    pointInTimeRecoveryDays: 9,
    checkoutHistoryDays: 400,
    noticeLogDays: 40,
    inboundSmsLogDays: 60,
    consentLedgerDays: 900,
    openLoanDays: 500,
    openHoldDays: 70,
    openFineDays: 800,
  },
};
const NOW = '2026-11-04T15:00:00Z';
const at = (hours: number) => new Date(Date.parse(NOW) + hours * 3_600_000).toISOString();
const DAY = 86_400;
/** Every expiry in the scenario is counted from a moment within a day of NOW (events, due and pick-up dates). */
const WINDOW = DAY;
/**
 * Record kinds this scenario does not produce, with the reason. Extend the scenario rather than this
 * list: the attribute and expiry checks below cover only what the scenario stores.
 */
const NOT_IN_SCENARIO: Record<string, string> = {
  'statistics-total':
    'written by the table stream when DynamoDB TTL deletes a per-event count (openLoanDays plus 180 days on), which this scenario does not reach; test/circulation/statisticsRollUp.test.ts covers it',
  'ils-snapshot-loan': 'written by the ILS report bridge, which this pipeline does not run (its own tests cover it)',
  'ils-feed': 'written by the ILS report bridge, which this pipeline does not run',
  'webhook-signature': 'written by the signed ILS webhook, which this pipeline does not run',
};
const KEY_ATTRIBUTES = new Set([TABLE.partitionKey, TABLE.sortKey, 'kind', TABLE.ttlAttribute]);

function inboundSms(from: string, body: string) {
  return {
    originationNumber: from,
    destinationNumber: '+18445550100',
    messageKeyword: 'KEYWORD_18445550100',
    messageBody: body,
    inboundMessageId: randomUUID(),
    previousPublishedMessageId: randomUUID(),
  };
}

describe('Record inventory: what the code stores', () => {
  let pipeline: Pipeline;
  let items: Record<string, unknown>[];
  const patron = patronRegistered({
    occurredAt: at(-5),
    contact: { phone: phoneNumber(), email: 'r.ortiz@example.net' },
    consent: { sms: true, email: true, checkoutHistory: true },
  });
  const closing = patronRegistered({ occurredAt: at(-5), consent: { sms: false, email: true, checkoutHistory: false } });

  beforeAll(async () => {
    pipeline = await startPipeline({ config });
    const { patronId } = patron;
    const checkout = (loanId: string, dueAt: string): DetailOf<'ItemCheckedOut'> => ({
      ...{ eventId: uid('evt'), occurredAt: at(-4), loanId, patronId, itemId: uid('I') },
      ...{ title: 'Kindred', materialType: 'book', branch: 'riverside-main', dueAt },
    });
    const returned = (loanId: string) => ({ eventId: uid('evt'), occurredAt: at(-1), loanId, patronId });
    const fine = (fineId: string, loanId: string) => ({
      eventId: uid('evt'),
      occurredAt: at(-2),
      fineId,
      patronId,
      loanId,
      amount: '2.50',
      currency: 'USD',
      reason: 'overdue',
    });
    const hold = (holdId: string) => ({
      ...{ eventId: uid('evt'), occurredAt: at(-3), holdId, patronId },
      ...{ title: 'Parable of the Sower', pickupBranch: 'riverside-main', pickupBy: '2026-11-05T10:00:00Z' },
    });
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron }, { detailType: 'PatronRegistered', detail: closing });
    await pipeline.publish(
      { detailType: 'ItemCheckedOut', detail: checkout('L-open', '2026-11-04T23:59:00-05:00') },
      { detailType: 'ItemCheckedOut', detail: checkout('L-returned', '2026-11-04T23:59:00-05:00') },
      { detailType: 'ItemCheckedOut', detail: checkout('L-fined', '2026-11-03T23:59:00-05:00') },
      { detailType: 'HoldReady', detail: hold('H-open') },
      { detailType: 'HoldReady', detail: hold('H-closed') },
    );
    await pipeline.publish(
      { detailType: 'FineAssessed', detail: fine('F-open', 'L-fined') },
      { detailType: 'FineAssessed', detail: fine('F-paid', 'L-returned') },
    );
    await pipeline.publish(
      { detailType: 'ItemReturned', detail: returned('L-returned') },
      { detailType: 'ItemReturned', detail: returned('L-fined') },
    );
    await pipeline.publish(
      { detailType: 'HoldClosed', detail: { eventId: uid('evt'), occurredAt: at(-1), holdId: 'H-closed', patronId, reason: 'picked-up' } },
      { detailType: 'FineResolved', detail: { eventId: uid('evt'), occurredAt: at(-1), fineId: 'F-paid', patronId, resolution: 'paid' } },
      { detailType: 'PatronClosed', detail: { eventId: uid('evt'), occurredAt: at(-1), patronId: closing.patronId } },
      {
        detailType: 'PrivacyPolicyUpdated',
        detail: { eventId: uid('evt'), occurredAt: at(-1), policyVersion: '2026-11', summary: { en: 'We keep less.' } },
      },
      { detailType: 'ServiceUpdatePublished', detail: { eventId: uid('evt'), occurredAt: at(-1), message: { en: 'Closed on Thursday.' } } },
    );
    await pipeline.deliverNotices();
    await pipeline.runSweep('2026-11-04');
    await pipeline.inbound(
      inboundSms(patron.contact.phone!, 'HELP'),
      inboundSms(patron.contact.phone!, 'what time do you open'),
      inboundSms(patron.contact.phone!, 'RENEW'),
    );
    // DynamoDB TTL deletes a ledger entry of the closed account: the purge journal counts it.
    const closed = (await scanAll(pipeline.table)).filter((item) => item.pk === `PATRON#${closing.patronId}`);
    const ledger = closed.find((item) => item.kind === 'consent-ledger')!;
    pipeline.markTtlDeletion(String(ledger.pk), String(ledger.sk));
    await pipeline.table.doc.send(new DeleteCommand({ TableName: pipeline.table.tableName, Key: { pk: ledger.pk, sk: ledger.sk } }));
    await pipeline.deliverNotices();
    items = await scanAll(pipeline.table);
  }, 120_000);

  afterAll(async () => {
    await pipeline.stop();
  });

  const kindOf = (item: Record<string, unknown>) => recordKindOfKey(String(item.pk), String(item.sk));

  it('stores only record kinds of the inventory, each with the kind attribute the inventory names', () => {
    const unknown = items.filter((item) => kindOf(item) === undefined).map((item) => `${String(item.pk)} / ${String(item.sk)}`);
    expect(unknown).toEqual([]);
    const misnamed = items.filter((item) => kindOf(item)?.kind !== item.kind).map((item) => `${String(item.pk)}: ${String(item.kind)}`);
    expect(misnamed).toEqual([]);
  });

  it('produces every record kind of the inventory in this scenario (or says why not)', () => {
    const seen = new Set(items.map(kindOf));
    expect(RECORD_KINDS.filter((entry) => !seen.has(entry)).map((entry) => entry.kind)).toEqual(Object.keys(NOT_IN_SCENARIO));
  });

  it('writes no attribute the inventory does not list', () => {
    const extra = items.flatMap((item) => {
      const entry = kindOf(item)!;
      const listed = new Set([...entry.attributes.personal, ...entry.attributes.other]);
      return Object.keys(item)
        .filter((name) => !KEY_ATTRIBUTES.has(name) && !listed.has(name))
        .map((name) => `${entry.kind} (${entry.key.pk}): ${name}`);
    });
    expect([...new Set(extra)]).toEqual([]);
  });

  it('expires every record exactly as the inventory says, with the configured retention', () => {
    const clock = Date.parse(NOW) / 1000;
    const checked = new Set<Expiry>();
    for (const item of items) {
      const entry = kindOf(item)!;
      const expiresAt = item[TABLE.ttlAttribute];
      const expiries = entry.retention.expiries ?? [];
      if (expiries.length === 0) {
        expect(expiresAt, `${entry.kind} must not expire`).toBeUndefined();
        continue;
      }
      if (expiresAt === undefined) {
        // Only a record with an event that ends it may be waiting for that event instead.
        expect(entry.retention.until, `${entry.kind} must expire`).toBeDefined();
        continue;
      }
      const from = (expiry: Expiry) => Number(expiresAt) - retentionDays(expiry.days, config) * DAY;
      const matching = expiries.filter((expiry) => Math.abs(from(expiry) - clock) <= WINDOW);
      expect(matching.length, `${entry.kind} (${String(item.sk)}) expires at ${new Date(Number(expiresAt) * 1000).toISOString()}`).toBe(1);
      for (const expiry of matching) checked.add(expiry);
    }
    const configured = RECORD_KINDS.filter((entry) => !(entry.kind in NOT_IN_SCENARIO)).flatMap((entry) =>
      (entry.retention.expiries ?? []).filter((expiry) => 'setting' in expiry.days),
    );
    expect(configured.filter((expiry) => !checked.has(expiry)).map((expiry) => JSON.stringify(expiry.days))).toEqual([]);
  });

  it('lists every stored record of a patron in the patron data report, in its section', async () => {
    const report = await patronReport(pipeline.table, patron.patronId, new Date(NOW), pipeline.keys.crypto);
    expect(report.other).toEqual([]);
    const own = items.filter((item) => item.pk === `PATRON#${patron.patronId}`);
    for (const entry of RECORD_KINDS.filter((candidate) => candidate.link === 'patron')) {
      const stored = own.filter((item) => kindOf(item) === entry).length;
      expect(stored, `the scenario stores a ${entry.kind}`).toBeGreaterThan(0);
      const section = report[entry.reportSection!];
      const listed = Array.isArray(section) ? section.length : section === null ? 0 : 1;
      expect(listed, entry.kind).toBe(stored);
    }
  });
});

describe('Patron data report: coverage of the inventory', () => {
  it('lists a record of every kind linked to a patron in the section the inventory names, none in "other"', async () => {
    const table = await freshTable();
    const patronId = uid('P');
    const linked = RECORD_KINDS.filter((entry) => entry.link === 'patron');
    for (const [index, entry] of linked.entries()) {
      const fill = (pattern: string) => pattern.replace('<patronId>', patronId).replace(/<[^>]+>/g, `x${index}`);
      const item = { pk: fill(entry.key.pk), sk: fill(entry.key.sk), kind: entry.kind };
      await table.doc.send(new PutCommand({ TableName: table.tableName, Item: item }));
    }
    const report = await patronReport(table, patronId, new Date(NOW), undefined);
    expect(report.other).toEqual([]);
    for (const entry of linked) {
      const section = report[entry.reportSection!];
      const kinds = (Array.isArray(section) ? section : [section]).map((item) => item?.kind);
      expect(kinds, entry.kind).toEqual([entry.kind]);
    }
  });
});
