/**
 * The circulation service against in-memory fakes of its ports: how events become loans,
 * statistics, history and notice requests, with no emulator. The DynamoDB adapters have their own
 * tests against DynamoDB Local.
 */
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { CirculationService } from '#shared/circulation/circulationService.ts';
import { fixedClock } from '#shared/clock.ts';
import { EsdkContactCrypto, LocalPhoneBlindIndex, localContactKeyring } from '#shared/contacts/contactCrypto.ts';
import type { CirculationEvent } from '#shared/events/contract.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { RenewalTracker } from '#shared/sms/renewalRequests.ts';
import { FUTURE_PICKUP_BY, holdReady, patronRegistered, preferencesChanged, testConfig } from '#test/helpers/factories.ts';
import {
  MemoryCirculationStore,
  MemoryHoldStore,
  MemoryNoticeQueue,
  MemoryPatronStore,
  MemoryPolicyStore,
  MemoryRenewalStore,
} from '#test/helpers/memoryStores.ts';
import type { BookdropMetrics } from '#shared/observability.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('Class: CirculationService (in-memory ports)', () => {
  let loans: MemoryCirculationStore;
  let queue: MemoryNoticeQueue;
  let service: CirculationService;
  let patrons: MemoryPatronStore;

  beforeEach(() => {
    patrons = new MemoryPatronStore();
    loans = new MemoryCirculationStore();
    queue = new MemoryNoticeQueue();
    const crypto = new EsdkContactCrypto(localContactKeyring(randomBytes(32)));
    service = new CirculationService({
      config: testConfig,
      clock: fixedClock('2026-11-05T15:00:00Z'),
      patrons,
      loans,
      patronService: new PatronService({ patrons, encrypter: crypto, phoneIndex: new LocalPhoneBlindIndex(randomBytes(32)) }),
      holds: new MemoryHoldStore(loans.closedHolds),
      policies: new MemoryPolicyStore(),
      noticeQueue: queue,
      renewals: new RenewalTracker({
        config: testConfig,
        clock: fixedClock('2026-11-05T15:00:00Z'),
        store: new MemoryRenewalStore(),
        notices: queue,
      }),
      logger: silent,
      metrics: { addMetric: () => undefined } as unknown as BookdropMetrics,
    });
  });

  const apply = (...events: CirculationEvent[]) => events.reduce((done, event) => done.then(() => service.apply(event)), Promise.resolve());

  const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: true } });
  const at = '2026-11-05T10:00:00-05:00';
  const checkout: CirculationEvent = {
    detailType: 'ItemCheckedOut',
    detail: {
      eventId: 'co-1',
      occurredAt: at,
      loanId: 'L-1',
      patronId: patron.patronId,
      itemId: 'I-1',
      title: 'T',
      materialType: 'book',
      branch: 'B',
      dueAt: '2026-11-26T23:00:00Z',
    },
  };
  const renewal: CirculationEvent = {
    detailType: 'LoanRenewed',
    detail: { eventId: 'rn-1', occurredAt: at, loanId: 'L-1', patronId: patron.patronId, dueAt: '2026-12-03T23:00:00Z' },
  };
  const returned: CirculationEvent = {
    detailType: 'ItemReturned',
    detail: { eventId: 'rt-1', occurredAt: at, loanId: 'L-1', patronId: patron.patronId },
  };

  it('counts a checkout that arrives after its own renewal and return on the same day once per event, in one item', async () => {
    await apply({ detailType: 'PatronRegistered', detail: patron }, returned, renewal, checkout, checkout);
    expect(Object.fromEntries(loans.statistics)).toEqual({ '2026-11-05#B#book': { returns: 1, renewals: 1, checkouts: 1 } });
    expect(loans.history).toEqual([expect.objectContaining({ loanId: 'L-1', itemId: 'I-1' })]);
    expect(loans.loans.get('L-1')?.state.loan).toBeUndefined();
  });

  it('retries a loan change after a concurrent update and applies it once', async () => {
    await apply({ detailType: 'PatronRegistered', detail: patron });
    loans.conflicts = 2;
    await apply(checkout);
    expect(Object.fromEntries(loans.statistics)).toEqual({ '2026-11-05#B#book': { checkouts: 1 } });
    expect(loans.loans.get('L-1')?.state.loan).toMatchObject({ itemId: 'I-1', status: 'active' });
  });

  it('asks for a hold-ready notice once the hold is stored, and none for a closed hold', async () => {
    const ready = holdReady(patron.patronId);
    await apply({ detailType: 'HoldReady', detail: ready });
    expect(queue.requests).toEqual([expect.objectContaining({ kind: 'hold-ready', patronId: patron.patronId, subjectId: ready.holdId })]);
    queue.take();
    const closedHold = holdReady(patron.patronId);
    await apply({
      detailType: 'HoldClosed',
      detail: { eventId: 'hc', occurredAt: at, holdId: closedHold.holdId, patronId: patron.patronId, reason: 'cancelled' },
    });
    await apply({ detailType: 'HoldReady', detail: closedHold });
    expect(queue.requests).toEqual([]);
  });

  it("asks again for a ready hold's notice when the patron's registration is applied after the hold", async () => {
    const early = patronRegistered();
    const ready = holdReady(early.patronId);
    const closedHold = holdReady(early.patronId);
    // Past its pick-up date (the service clock reads 2026-11-05): asked for too; the notifier, reading the
    // hold when it sends, sends nothing for it (test/circulation/eventOrder.property.test.ts shows both orders).
    const lapsed = holdReady(early.patronId, { pickupBy: '2026-11-04T20:00:00-05:00' });
    await apply(
      { detailType: 'HoldReady', detail: lapsed },
      { detailType: 'HoldReady', detail: ready },
      { detailType: 'HoldReady', detail: closedHold },
      {
        detailType: 'HoldClosed',
        detail: { eventId: 'hc-2', occurredAt: at, holdId: closedHold.holdId, patronId: early.patronId, reason: 'picked-up' },
      },
    );
    queue.take();
    await apply({ detailType: 'PatronRegistered', detail: early });
    const asked = [
      { kind: 'hold-ready', patronId: early.patronId, subjectId: lapsed.holdId, subjectVersion: '2026-11-05T01:00:00.000Z' },
      { kind: 'hold-ready', patronId: early.patronId, subjectId: ready.holdId, subjectVersion: '2026-11-12T01:00:00.000Z' },
    ];
    const holdRequests = () =>
      queue.requests.filter((request) => request.kind === 'hold-ready').sort((a, b) => a.subjectVersion.localeCompare(b.subjectVersion));
    // The closed hold is not asked for; the others are, keyed as the HoldReady's own requests.
    expect(holdRequests()).toEqual(asked.map((request) => expect.objectContaining(request)));
    queue.take();
    // A redelivered registration asks again (a retry after a failed enqueue must); the notice key dedupes.
    await apply({ detailType: 'PatronRegistered', detail: early });
    expect(holdRequests()).toEqual(asked.map((request) => expect.objectContaining(request)));
  });

  it('refuses a patron event dated more than 5 minutes ahead of its clock, naming the field; a hold dated ahead is applied', async () => {
    await apply({ detailType: 'PatronRegistered', detail: patron });
    const emailOn = (occurredAt: string): CirculationEvent => ({
      detailType: 'PatronPreferencesChanged',
      detail: preferencesChanged(patron.patronId, { consent: { email: true } }, { occurredAt }),
    });

    await expect(service.apply(emailOn('2026-11-05T15:05:01Z'))).rejects.toMatchObject({
      name: 'EventValidationError',
      message: "invalid event: detail.occurredAt must not be more than 5 minutes ahead of Bookdrop's clock (check the ILS's clock)",
    });
    expect((await patrons.get(patron.patronId))?.consent.email?.optedIn).toBe(false);
    await service.apply(emailOn('2026-11-05T15:05:00Z'));
    expect((await patrons.get(patron.patronId))?.consent.email?.optedIn).toBe(true);
    await service.apply({
      detailType: 'HoldReady',
      detail: holdReady(patron.patronId, { occurredAt: '2030-01-01T00:00:00Z', pickupBy: FUTURE_PICKUP_BY }),
    });
  });
});
