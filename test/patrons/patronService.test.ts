/**
 * Patron profiles against DynamoDB Local: contacts encrypted at rest, consent per channel with a
 * ledger, and the same final state whatever the order or repetition of events.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  applyPreferences,
  applyRegistration,
  applySuppression,
  emptyProfile,
  type ConsentLedgerEntry,
  type PatronProfile,
} from '#shared/patrons/patronProfile.ts';
import { expiryAfterDays, fixedClock } from '#shared/clock.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import type { DetailOf } from '#shared/events/contract.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { emailAddress, patronRegistered, phoneNumber, preferencesChanged, testConfig } from '#test/helpers/factories.ts';
import { freshTable, localKeys, scanAll } from '#test/helpers/localAws.ts';

type PatronEvent =
  | { type: 'PatronRegistered'; detail: DetailOf<'PatronRegistered'> }
  | { type: 'PatronPreferencesChanged'; detail: DetailOf<'PatronPreferencesChanged'> };

describe('Class: PatronService', () => {
  let table: TableContext;
  let store: DynamoPatronStore;
  let service: PatronService;
  const keys = localKeys();

  beforeEach(async () => {
    table = await freshTable();
    store = new DynamoPatronStore(table, testConfig.retention.consentLedgerDays);
    service = new PatronService({ patrons: store, encrypter: keys.crypto, phoneIndex: keys.phoneIndex });
  });

  const apply = (event: PatronEvent) =>
    event.type === 'PatronRegistered'
      ? service.update(event.detail.patronId, (profile) => applyRegistration(profile, event.detail))
      : service.update(event.detail.patronId, (profile) => applyPreferences(profile, event.detail));

  /** The state that matters, without storage bookkeeping. */
  const essence = (profile: PatronProfile | undefined) => ({
    library: profile?.library?.value,
    language: profile?.language?.value,
    policyVersion: profile?.policyVersion?.value,
    consent: Object.fromEntries(
      Object.entries(profile?.consent ?? {}).map(([topic, state]) => [
        topic,
        { optedIn: state.optedIn, source: state.source, at: state.at },
      ]),
    ),
    contacts: Object.fromEntries(
      Object.entries(profile?.contacts ?? {}).map(([channel, contact]) => [channel, contact.cipher === null ? null : 'set']),
    ),
  });

  it("keeps an imported choice too old to keep for the retention period from the service clock's day; a recent one from its own day", async () => {
    const now = '2026-11-04T15:00:00.000Z';
    const clocked = new DynamoPatronStore(table, 30, fixedClock(now));
    const entry = (at: string, evidenceId: string): ConsentLedgerEntry => ({
      patronId: 'P-imported',
      topic: 'sms',
      optedIn: true,
      effective: true,
      source: 'import',
      at,
      policyVersion: undefined,
      evidenceId,
    });
    await clocked.save(emptyProfile('P-imported'), [entry('2019-01-01T00:00:00.000Z', 'old'), entry('2026-11-01T00:00:00.000Z', 'recent')]);
    const ledger = (await scanAll(table)).filter((item) => item.kind === 'consent-ledger');
    const expiry = (evidenceId: string) => ledger.find((item) => item.evidenceId === evidenceId)?.[TABLE.ttlAttribute];
    expect(expiry('old')).toBe(expiryAfterDays(new Date(now), 30));
    expect(expiry('recent')).toBe(expiryAfterDays(new Date('2026-11-01T00:00:00.000Z'), 30));
  });

  it('stores no phone number or email address in plaintext anywhere in the table', async () => {
    const registration = patronRegistered();
    await apply({ type: 'PatronRegistered', detail: registration });
    const newPhone = phoneNumber();
    await apply({ type: 'PatronPreferencesChanged', detail: preferencesChanged(registration.patronId, { contact: { phone: newPhone } }) });

    const dump = JSON.stringify(await scanAll(table));
    for (const secret of [registration.contact.phone!, registration.contact.email!, newPhone, newPhone.slice(2)]) {
      expect(dump).not.toContain(secret);
    }
    const profile = await store.get(registration.patronId);
    const cipher = profile?.contacts.sms?.cipher;
    expect(cipher).toBeTypeOf('string');
    expect(await keys.crypto.decrypt(cipher!, { patronId: registration.patronId, channel: 'sms' })).toBe(newPhone);
  });

  it('binds a ciphertext to its patron and channel', async () => {
    const registration = patronRegistered();
    await apply({ type: 'PatronRegistered', detail: registration });
    const cipher = (await store.get(registration.patronId))?.contacts.email?.cipher;
    await expect(keys.crypto.decrypt(cipher!, { patronId: 'someone-else', channel: 'email' })).rejects.toThrow(
      'contact ciphertext is bound to another patron or channel',
    );
    await expect(keys.crypto.decrypt(cipher!, { patronId: registration.patronId, channel: 'sms' })).rejects.toThrow();
  });

  it('indexes the phone number by keyed hash, and drops the index when the phone is cleared', async () => {
    const registration = patronRegistered();
    await apply({ type: 'PatronRegistered', detail: registration });
    const items = await scanAll(table);
    expect(items.find((item) => item.sk === 'PROFILE')?.phoneIndex).toBe(await keys.phoneIndex.indexOf(registration.contact.phone!));

    const cleared = preferencesChanged(registration.patronId, { contact: { phone: null } });
    await apply({ type: 'PatronPreferencesChanged', detail: cleared });
    const after = await scanAll(table);
    expect(after.find((item) => item.sk === 'PROFILE')?.phoneIndex).toBeUndefined();
    expect((await store.get(registration.patronId))?.contacts.sms).toEqual({
      cipher: null,
      at: '2026-11-03T15:00:00.000Z',
      evidenceId: cleared.eventId,
    });
  });

  it('stores a choice and a lifted suppression of one channel from one event (two ledger items, one transaction)', async () => {
    const registration = patronRegistered();
    await apply({ type: 'PatronRegistered', detail: registration });
    const bounce = {
      at: '2026-11-02T20:00:00.000Z',
      source: 'email-feedback' as const,
      policyVersion: undefined,
      evidenceId: 'ses-feedback-1',
    };
    await service.update(registration.patronId, (profile) => applySuppression(profile, 'email', 'hard-bounce', bounce));
    // One event opts email out and gives a new address (which lifts the suppression): both go to the ledger.
    const change = preferencesChanged(
      registration.patronId,
      { consent: { email: false }, contact: { email: emailAddress() } },
      { source: 'staff' },
    );
    await apply({ type: 'PatronPreferencesChanged', detail: change });
    const ledger = (await store.ledger(registration.patronId, new Date('2026-11-04T00:00:00Z'))).filter(
      (entry) => entry.evidenceId === change.eventId,
    );
    expect(ledger.map(({ topic, optedIn, suppressed }) => ({ topic, optedIn, suppressed }))).toEqual(
      expect.arrayContaining([
        { topic: 'email', optedIn: false, suppressed: undefined },
        { topic: 'email', optedIn: false, suppressed: false },
      ]),
    );
    expect(ledger).toHaveLength(2);
    expect((await store.get(registration.patronId))?.suppression.email).toBeUndefined();
  });

  it('ends in the in-order state for every order of registration and preference changes, with duplicates', async () => {
    const patronId = 'P-orders';
    const registration = patronRegistered({
      patronId,
      occurredAt: '2026-11-01T09:00:00-05:00',
      consent: { sms: true, email: true, checkoutHistory: false },
    });
    const smsOff = preferencesChanged(patronId, { consent: { sms: false } }, { occurredAt: '2026-11-02T09:00:00-05:00', source: 'staff' });
    const newEmail = preferencesChanged(
      patronId,
      { contact: { email: emailAddress() }, language: 'es', consent: { checkoutHistory: true } },
      { occurredAt: '2026-11-03T09:00:00-05:00' },
    );
    const events: PatronEvent[] = [
      { type: 'PatronRegistered', detail: registration },
      { type: 'PatronPreferencesChanged', detail: smsOff },
      { type: 'PatronPreferencesChanged', detail: newEmail },
    ];
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
      [2, 2, 1, 0, 1, 0],
    ];
    const results = [];
    for (const order of orders) {
      const id = `${patronId}-${order.join('')}`;
      for (const index of order) {
        const event = events[index]!;
        await apply({ ...event, detail: { ...event.detail, patronId: id } } as PatronEvent);
      }
      results.push({
        essence: essence(await store.get(id)),
        ledger: (await store.ledger(id, new Date('2026-12-01'))).map(({ patronId: _p, ...entry }) => entry),
      });
    }
    expect(results[0]?.essence).toEqual({
      library: 'riverside',
      language: 'es',
      policyVersion: '2026-09',
      consent: {
        sms: { optedIn: false, source: 'staff', at: '2026-11-02T14:00:00.000Z' },
        email: { optedIn: true, source: 'registration', at: '2026-11-01T14:00:00.000Z' },
        checkoutHistory: { optedIn: true, source: 'catalog', at: '2026-11-03T14:00:00.000Z' },
      },
      contacts: { sms: 'set', email: 'set' },
    });
    for (const result of results) expect(result.essence).toEqual(results[0]?.essence);
  });

  it('writes a ledger entry per change of consent, with source, time, policy version and evidence, and no contact', async () => {
    const registration = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
    await apply({ type: 'PatronRegistered', detail: registration });
    const optOut = preferencesChanged(
      registration.patronId,
      { consent: { sms: false, email: false } },
      { source: 'staff', policyVersion: '2026-10' },
    );
    await apply({ type: 'PatronPreferencesChanged', detail: optOut });
    await apply({ type: 'PatronPreferencesChanged', detail: optOut });

    const ledger = await store.ledger(registration.patronId, new Date('2026-12-01'));
    expect(
      ledger.map(({ topic, optedIn, source, policyVersion, evidenceId }) => ({ topic, optedIn, source, policyVersion, evidenceId })),
    ).toEqual([
      { topic: 'checkoutHistory', optedIn: false, source: 'registration', policyVersion: '2026-09', evidenceId: registration.eventId },
      { topic: 'email', optedIn: false, source: 'registration', policyVersion: '2026-09', evidenceId: registration.eventId },
      { topic: 'sms', optedIn: true, source: 'registration', policyVersion: '2026-09', evidenceId: registration.eventId },
      { topic: 'sms', optedIn: false, source: 'staff', policyVersion: '2026-10', evidenceId: optOut.eventId },
    ]);
    const ledgerItems = (await scanAll(table)).filter((item) => item.kind === 'consent-ledger');
    expect(JSON.stringify(ledgerItems)).not.toContain(registration.contact.phone!);
    // Entries expire after the configured retention (five years by default).
    const first = ledgerItems.find((item) => item.evidenceId === registration.eventId && item.topic === 'sms');
    expect(first?.expiresAt).toBe(Date.parse('2026-11-02T15:00:00Z') / 1000 + 1825 * 86_400);
  });

  it('retries after a concurrent update and keeps both changes', async () => {
    const registration = patronRegistered();
    await apply({ type: 'PatronRegistered', detail: registration });
    const a = preferencesChanged(registration.patronId, { consent: { sms: false } }, { occurredAt: '2026-11-05T10:00:00Z' });
    const b = preferencesChanged(registration.patronId, { language: 'es' }, { occurredAt: '2026-11-05T11:00:00Z' });
    await Promise.all([apply({ type: 'PatronPreferencesChanged', detail: a }), apply({ type: 'PatronPreferencesChanged', detail: b })]);
    const profile = await store.get(registration.patronId);
    expect(profile?.consent.sms?.optedIn).toBe(false);
    expect(profile?.language?.value).toBe('es');
    expect(profile?.version).toBe(3);
  });
});
