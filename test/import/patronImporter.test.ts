/**
 * The bulk import against DynamoDB Local: what it stores (consent with source `import`, encrypted
 * and indexed contacts), that it is idempotent, that it sends nothing while a later change behaves as
 * today, that a newer change in Bookdrop wins, and that throttling, a concurrent update and an
 * interrupted run all end in the same state as one clean run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRecords, type ImportRow } from '#shared/import/importRows.ts';
import { loadImportMapping } from '#shared/import/importMapping.ts';
import { readPatronFile } from '#shared/import/patronFile.ts';
import { PatronImporter, type ImportCounts } from '#shared/import/patronImporter.ts';
import { applyPreferences, applyRegistration, type ConsentLedgerEntry } from '#shared/patrons/patronProfile.ts';
import { DynamoPatronStore, type BulkPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { effectsOf } from '#shared/stream/tableChanges.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { freshTable, localKeys, scanAll } from '#test/helpers/localAws.ts';
import { patronRegistered, preferencesChanged, testConfig, uid } from '#test/helpers/factories.ts';

const HEADER = 'borrowernumber,branchcode,smsalertnumber,email,lang,sms_opt_in,email_opt_in,updated_on';
const AS_OF = '2026-11-01T12:00:00.000Z';
const keys = localKeys();

/** A Koha report of `count` patrons with fresh ids; every third has no email, every fifth opted out of SMS. */
function kohaRows(count: number, prefix = uid('K')): ImportRow[] {
  const lines = Array.from({ length: count }, (_, i) => {
    const phone = `(845) 555-${String(1000 + i).slice(-4)}`;
    const email = i % 3 === 0 ? '' : `${prefix}-${i}@example.net`;
    return `${prefix}-${i},${i % 2 === 0 ? 'RPL' : 'MPL'},${phone},${email},${i % 4 === 0 ? 'es-ES' : 'default'},${i % 5 === 0 ? 0 : 1},1,2024-03-01 10:00:00`;
  });
  const mapping = loadImportMapping('koha');
  const file = readPatronFile(Buffer.from([HEADER, ...lines].join('\n')), mapping);
  const checked = checkRecords(file.records, file.unreadable, mapping, { config: testConfig, defaultCountry: 'US', now: new Date(AS_OF) });
  expect(checked.refused).toEqual([]);
  return [...checked.rows];
}

function importerFor(
  table: TableContext,
  patrons: BulkPatronStore = new DynamoPatronStore(table, 1825),
  concurrency = 4,
  chunkSize?: number,
) {
  const store = new DynamoPatronStore(table, 1825);
  const service = new PatronService({ patrons: store, encrypter: keys.crypto, phoneIndex: keys.phoneIndex });
  return {
    store,
    service,
    importer: new PatronImporter({
      patrons,
      service,
      concurrency,
      ...(chunkSize === undefined ? {} : { chunkSize }),
      provenanceOf: (row) => ({
        at: row.consentAt ?? AS_OF,
        source: 'import',
        policyVersion: '2026-09',
        evidenceId: `import:test:${row.line}`,
      }),
    }),
  };
}

/** The table's items with each ciphertext replaced by its plaintext (ciphertexts are randomized). */
async function stateOf(table: TableContext): Promise<Record<string, unknown>[]> {
  const items = await scanAll(table);
  const plain = await Promise.all(
    items.map(async (item) => {
      const contacts = item.contacts as Record<'sms' | 'email', { cipher: string | null; at: string; index?: string }> | undefined;
      if (!contacts) return item;
      const opened: Record<string, unknown> = {};
      for (const [channel, contact] of Object.entries(contacts)) {
        const binding = { patronId: String(item.patronId), channel: channel as 'sms' | 'email' };
        opened[channel] = { ...contact, cipher: contact.cipher === null ? null : await keys.crypto.decrypt(contact.cipher, binding) };
      }
      return { ...item, contacts: opened };
    }),
  );
  return plain.sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
}

const ledgerOf = (items: Record<string, unknown>[]) =>
  items.filter((item) => item.kind === 'consent-ledger') as unknown as ConsentLedgerEntry[];

describe('Class: PatronImporter', () => {
  let rows: ImportRow[];
  let table: TableContext;
  let first: ImportCounts;

  beforeAll(async () => {
    // 250 patrons: 3 chunks of 100, the last one partly filled.
    rows = kohaRows(250);
    table = await freshTable();
    first = await importerFor(table).importer.run(rows, { startChunk: 0 });
  });

  it('stores each patron with consent from source import, encrypted contacts and the phone blind index', async () => {
    const { store } = importerFor(table);
    const [row] = rows;
    const profile = await store.get(row!.patronId);
    const ledger = await store.ledger(row!.patronId, new Date(AS_OF));

    expect(first).toMatchObject({ created: 250, updated: 0, unchanged: 0, retried: 0 });
    expect(profile?.consent.sms).toEqual({
      optedIn: false,
      at: '2024-03-01T15:00:00.000Z',
      source: 'import',
      policyVersion: '2026-09',
      evidenceId: 'import:test:2',
    });
    expect(profile?.library?.value).toBe('riverside');
    expect(profile?.language?.value).toBe('es');
    expect(profile?.contacts.sms?.cipher).not.toContain('555');
    expect(await keys.crypto.decrypt(profile!.contacts.sms!.cipher!, { patronId: row!.patronId, channel: 'sms' })).toBe('+18455551000');
    expect(profile?.contacts.email?.cipher).toBeNull();
    expect(await store.idsByPhoneIndex(await keys.phoneIndex.indexOf('+18455551000'))).toEqual([row!.patronId]);
    expect(ledger.map((entry) => [entry.topic, entry.optedIn, entry.source, entry.effective]).sort()).toEqual([
      ['email', true, 'import', true],
      ['sms', false, 'import', true],
    ]);
    expect(first.ledgerEntries).toBe(500);
  });

  it('changes nothing and writes no second ledger entry when the same rows are imported again', async () => {
    const before = await scanAll(table);

    const again = await importerFor(table).importer.run(rows, { startChunk: 0 });

    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 250, ledgerEntries: 0, writeUnits: 0 });
    expect(await scanAll(table)).toEqual(before);
  });

  it('sends nothing: its ledger entries ask the table stream for no text and no notice, only import-sourced announcements', async () => {
    const entries = ledgerOf(await scanAll(table));
    const effects = entries.map((entry) =>
      effectsOf({ eventName: 'INSERT', newImage: { ...entry, kind: 'consent-ledger' }, oldImage: undefined, expiredByTtl: false }),
    );

    expect(entries).toHaveLength(500);
    expect(effects.flatMap((effect) => effect.notices)).toEqual([]);
    expect(
      new Set(
        effects.flatMap((effect) =>
          effect.events.map((event) => `${event.detailType}:${'source' in event.detail ? event.detail.source : ''}`),
        ),
      ),
    ).toEqual(new Set(['PatronConsentChanged:import']));
  });

  it('lets a later change behave as today: an SMS opt-in from the catalog after the import is confirmed by text', async () => {
    const { service } = importerFor(table);
    const optedOut = rows[0]!;

    const result = await service.update(optedOut.patronId, (profile) =>
      applyPreferences(
        profile,
        preferencesChanged(optedOut.patronId, { consent: { sms: true } }, { occurredAt: '2026-11-10T10:00:00-05:00' }),
      ),
    );
    const effects = result.change.ledger.map((entry) =>
      effectsOf({ eventName: 'INSERT', newImage: { ...entry, kind: 'consent-ledger' }, oldImage: undefined, expiredByTtl: false }),
    );

    expect(effects.flatMap((effect) => effect.notices.map((notice) => notice.kind))).toEqual(['sms-opt-in']);
  });

  it('never overrides a newer choice made in Bookdrop, and records the older imported one as history', async () => {
    const fresh = await freshTable();
    const { service, store, importer } = importerFor(fresh);
    const [row] = kohaRows(1);
    const registration = patronRegistered({
      patronId: row!.patronId,
      occurredAt: '2026-06-01T10:00:00-04:00',
      consent: { sms: false, email: false, checkoutHistory: false },
    });
    await service.update(row!.patronId, (profile) => applyRegistration(profile, registration));

    const counts = await importer.run([row!], { startChunk: 0 });
    const profile = await store.get(row!.patronId);
    const ledger = await store.ledger(row!.patronId, new Date(AS_OF));

    expect(counts).toMatchObject({ created: 0, updated: 1 });
    expect(profile?.consent.email).toMatchObject({ optedIn: false, source: 'registration' });
    expect(await keys.crypto.decrypt(profile!.contacts.sms!.cipher!, { patronId: row!.patronId, channel: 'sms' })).toBe(
      registration.contact.phone,
    );
    const history = ledger.filter((entry) => entry.source === 'import').map((entry) => [entry.topic, entry.optedIn, entry.effective]);
    expect(history.sort()).toEqual([
      ['email', true, false],
      ['sms', false, false],
    ]);
  });

  it('keeps the ledger entry of a choice older than the ledger retention for the retention period from the import', async () => {
    const fresh = await freshTable();
    const { store, importer } = importerFor(fresh);
    const [row] = kohaRows(1);

    await importer.run([{ ...row!, consentAt: '2019-01-02T05:00:00.000Z' }], { startChunk: 0 });
    const ledger = await store.ledger(row!.patronId, new Date());

    expect(ledger.map((entry) => [entry.topic, entry.at]).sort()).toEqual([
      ['email', '2019-01-02T05:00:00.000Z'],
      ['sms', '2019-01-02T05:00:00.000Z'],
    ]);
  });

  it('retries throttled batch writes and profile transactions with backoff and ends in the state of an unthrottled run', async () => {
    const [throttled, clean] = [await freshTable(), await freshTable()];
    const batch = kohaRows(40);
    const refusals = new Map<string, number>();
    throttled.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? '';
        if ((command === 'BatchWriteItemCommand' || command === 'TransactWriteItemsCommand') && (refusals.get(command) ?? 0) < 3) {
          refusals.set(command, (refusals.get(command) ?? 0) + 1);
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ProvisionedThroughputExceededException',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectThrottling' },
    );

    const counts = await importerFor(throttled).importer.run(batch, { startChunk: 0 });
    await importerFor(clean).importer.run(batch, { startChunk: 0 });

    expect(Object.fromEntries(refusals)).toEqual({ BatchWriteItemCommand: 3, TransactWriteItemsCommand: 3 });
    expect(counts.created).toBe(40);
    expect(await stateOf(throttled)).toEqual(await stateOf(clean));
  });

  it('writes a chunk in few requests: one read, ledger entries in batches of 25, the profiles in one transaction', async () => {
    const fresh = await freshTable();
    const requests = new Map<string, number>();
    fresh.doc.middlewareStack.add(
      (next, context) => async (args) => {
        requests.set(context.commandName ?? '', (requests.get(context.commandName ?? '') ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );

    await importerFor(fresh).importer.run(kohaRows(50), { startChunk: 0 });

    expect(Object.fromEntries(requests)).toEqual({ BatchGetItemCommand: 1, BatchWriteItemCommand: 4, TransactWriteItemsCommand: 1 });
  });

  it('writes 10 units per patron: the profile and its two index entries in a transaction (2 x 4), two ledger entries outside it', async () => {
    const fresh = await freshTable();

    // One patron per chunk: DynamoDB Local reports a transaction's capacity only when it holds one item.
    const counts = await importerFor(fresh, undefined, 4, 1).importer.run(kohaRows(12), { startChunk: 0 });

    // A transaction bills its items twice, index entries included; the ledger entries, outside it, once.
    expect(counts.writeUnits / counts.created).toBe(10);
  });

  /** A store whose first write is raced by a registration of `patronId` that happened at `registeredAt`. */
  function racedBy(table: TableContext, patronId: string, registeredAt: string): BulkPatronStore {
    const real = new DynamoPatronStore(table, 1825);
    const { service: live } = importerFor(table);
    let raced = false;
    return {
      getMany: (ids) => real.getMany(ids),
      saveMany: async (changes) => {
        if (!raced) {
          raced = true;
          // A patron registers in Bookdrop between the import's read and its write.
          const registration = patronRegistered({ patronId, occurredAt: registeredAt });
          await live.update(patronId, (profile) => applyRegistration(profile, registration));
        }
        return real.saveMany(changes);
      },
      deleteLedger: (entries) => real.deleteLedger(entries),
    };
  }

  it('merges again, on its own, a patron whose profile changed since it was read; a newer choice stays in force', async () => {
    const fresh = await freshTable();
    const batch = kohaRows(5);
    const store = new DynamoPatronStore(fresh, 1825);

    const counts = await importerFor(fresh, racedBy(fresh, batch[2]!.patronId, '2026-06-01T10:00:00-04:00')).importer.run(batch, {
      startChunk: 0,
    });
    const ledger = await store.ledger(batch[2]!.patronId, new Date(AS_OF));

    expect(counts).toMatchObject({ retried: 1, created: 4, updated: 1 });
    expect((await store.get(batch[2]!.patronId))?.consent.sms?.source).toBe('registration');
    expect((await store.get(batch[3]!.patronId))?.consent.sms?.source).toBe('import');
    // The imported choices are history now: the entries of the first merge, rewritten as not in force.
    expect(
      ledger
        .filter((entry) => entry.source === 'import')
        .map((entry) => [entry.topic, entry.effective])
        .sort(),
    ).toEqual([
      ['email', false],
      ['sms', false],
    ]);
  });

  it('deletes the ledger entries of the first merge that the second no longer makes (an older change, the same choices)', async () => {
    const fresh = await freshTable();
    const batch = kohaRows(5);
    const store = new DynamoPatronStore(fresh, 1825);

    const counts = await importerFor(fresh, racedBy(fresh, batch[2]!.patronId, '2023-06-01T10:00:00-04:00')).importer.run(batch, {
      startChunk: 0,
    });
    const ledger = await store.ledger(batch[2]!.patronId, new Date(AS_OF));

    expect(counts).toMatchObject({ retried: 1, created: 4, updated: 1 });
    // The import is newer and agrees with the registration: it is in force, and no change of state is recorded.
    expect((await store.get(batch[2]!.patronId))?.consent.email).toMatchObject({ optedIn: true, source: 'import' });
    expect(ledger.map((entry) => entry.source)).toEqual(['registration', 'registration', 'registration']);
    expect(ledgerOf(await scanAll(fresh)).filter((entry) => entry.source === 'import')).toHaveLength(8);
  });

  it('resumes an interrupted run from its checkpoint and ends in the state of one clean run', async () => {
    const [interrupted, clean] = [await freshTable(), await freshTable()];
    const batch = kohaRows(130);
    const real = new DynamoPatronStore(interrupted, 1825);
    let reads = 0;
    const failing: BulkPatronStore = {
      getMany: async (ids) => {
        if (++reads === 4) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1'), { code: 'ECONNREFUSED' });
        return real.getMany(ids);
      },
      saveMany: (changes) => real.saveMany(changes),
      deleteLedger: (entries) => real.deleteLedger(entries),
    };
    const saved: { next: number; counts: ImportCounts }[] = [];

    await expect(
      importerFor(interrupted, failing, 2, 32).importer.run(batch, {
        startChunk: 0,
        onCheckpoint: async (next, counts) => void saved.push({ next, counts }),
      }),
    ).rejects.toThrow('ECONNREFUSED');
    const checkpoint = saved.at(-1)!;
    const resumed = await importerFor(interrupted, undefined, 4, 32).importer.run(batch, {
      startChunk: checkpoint.next,
      carried: checkpoint.counts,
    });
    await importerFor(clean).importer.run(batch, { startChunk: 0 });

    expect(checkpoint.next).toBeGreaterThan(0);
    expect(checkpoint.next).toBeLessThan(4);
    expect(resumed.created + resumed.unchanged).toBe(130);
    expect(await stateOf(interrupted)).toEqual(await stateOf(clean));
    expect(ledgerOf(await scanAll(interrupted))).toHaveLength(ledgerOf(await scanAll(clean)).length);
  });
});
