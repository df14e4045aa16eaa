/**
 * DynamoDB adapter for patron profiles and the consent ledger.
 *
 * A profile is written with optimistic concurrency (`version`); the ledger entries of the same change
 * go in the same transaction, so a consent change and its proof are stored together or not at all.
 * Ledger keys are deterministic (time, topic, evidence id): a replayed change writes the same entry.
 * The bulk import writes ledger entries without a transaction (half their write units), then the
 * profiles on their conditions, so a profile is never ahead of its proof.
 */
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { BookdropError, ConcurrentUpdateError } from '#shared/errors.ts';
import { expiryAfterDays, processClock, type Clock } from '#shared/clock.ts';
import {
  backoff,
  capacityOf,
  failedConditions,
  isConditionFailure,
  isExpired,
  queryAll,
  retryThrottled,
  type TableContext,
} from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { audienceShard } from '#shared/patrons/audienceIndex.ts';
import type { ConsentLedgerEntry, PatronProfile } from '#shared/patrons/patronProfile.ts';
import { PATRON_RECORD, audiencePartition, ledgerKey, patronIdOf, patronKey, patronPartition } from '#shared/table/keys.ts';

export { patronKey };

/** The audience index keys of an open account: a shard by patron id, and `<library>#<patronId>`. */
export function audienceOf(patronId: string, library: string | undefined): { audience: string; audienceKey: string } {
  return { audience: audiencePartition(audienceShard(patronId)), audienceKey: `${library ?? '-'}#${patronId}` };
}

/**
 * When an entry expires: its retention counts from the change itself, except for an imported choice
 * so old that it would be born expired: that entry is kept for the retention period from the import.
 */
function ledgerExpiry(entry: ConsentLedgerEntry, days: number, now: Date): number {
  const fromChange = expiryAfterDays(new Date(entry.at), days);
  return entry.source === 'import' && fromChange * 1000 <= now.getTime() ? expiryAfterDays(now, days) : fromChange;
}

export interface PatronStore {
  get(patronId: string): Promise<PatronProfile | undefined>;
  /** Stores `profile` if the stored version is still `profile.version`; appends `ledger` in the same transaction. */
  save(profile: PatronProfile, ledger: readonly ConsentLedgerEntry[]): Promise<void>;
  ledger(patronId: string, now: Date): Promise<ConsentLedgerEntry[]>;
  /**
   * Deletes the patron's records except the profile tombstone, the consent ledger (kept as proof for
   * its retention) and what `keep` spares (open fines). Paginated and idempotent: a retry resumes.
   * Returns how many items it deleted.
   */
  purgeRecords(patronId: string, keep: (sortKey: string) => boolean): Promise<number>;
  /** Ids of the patrons whose phone has this blind index (a family may share a number). */
  idsByPhoneIndex(phoneIndex: string): Promise<string[]>;
}

/** Reads and writes many patrons per request: the bulk import's port. */
export interface BulkPatronStore {
  getMany(patronIds: readonly string[]): Promise<{ profiles: Map<string, PatronProfile>; readUnits: number }>;
  /**
   * Stores the changes of up to 100 patrons: every ledger entry first, then each profile if its stored
   * version is still the one read. Returns the ids of the patrons whose profile changed since it was read
   * (their ledger entries are written, their profile is not).
   */
  saveMany(
    changes: readonly { profile: PatronProfile; ledger: readonly ConsentLedgerEntry[] }[],
  ): Promise<{ conflicts: string[]; writeUnits: number }>;
  /** Deletes ledger entries (those a conflicting patron's second merge no longer makes); returns the write units. */
  deleteLedger(entries: readonly ConsentLedgerEntry[]): Promise<number>;
}

/** Sort-key prefixes that outlive an account closure. */
const KEPT_ON_CLOSURE = [PATRON_RECORD.profile, PATRON_RECORD.consent];
const BATCH_WRITE_LIMIT = 25;
/** DynamoDB's limits on one BatchGetItem and one TransactWriteItems request. */
export const BATCH_GET_LIMIT = 100;
export const TRANSACT_ITEM_LIMIT = 100;
const MAX_UNPROCESSED_ROUNDS = 8;
/** Requests one {@link DynamoPatronStore.saveMany} call has in flight at once. */
const WRITES_AT_ONCE = 8;

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** Runs `task` on every element, at most `limit` at once; rejects with the first failure. */
async function eachAtMost<T>(elements: readonly T[], limit: number, task: (element: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < elements.length) await task(elements[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, elements.length) }, worker));
}

type ProfileItem = Omit<PatronProfile, 'version'> & { pk: string; sk: string; version: number; phoneIndex?: string };

function toProfile(item: ProfileItem): PatronProfile {
  return {
    patronId: item.patronId,
    library: item.library,
    language: item.language,
    initial: item.initial,
    policyVersion: item.policyVersion,
    consent: item.consent ?? {},
    contacts: item.contacts ?? {},
    suppression: item.suppression ?? {},
    closedAt: item.closedAt,
    version: item.version,
  };
}

export class DynamoPatronStore implements PatronStore, BulkPatronStore {
  public constructor(
    private readonly table: TableContext,
    private readonly consentLedgerDays: number,
    /** The service clock: an imported choice too old to keep is kept from the import's day. */
    private readonly clock: Clock = processClock,
  ) {}

  public async get(patronId: string): Promise<PatronProfile | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: patronKey(patronId), ConsistentRead: true }),
    );
    return Item ? toProfile(Item as ProfileItem) : undefined;
  }

  /**
   * Stored profiles of up to {@link BATCH_GET_LIMIT} patrons (strongly consistent), retrying what
   * DynamoDB leaves unprocessed. Patrons without a profile are absent from the map.
   */
  public async getMany(patronIds: readonly string[]): Promise<{ profiles: Map<string, PatronProfile>; readUnits: number }> {
    const profiles = new Map<string, PatronProfile>();
    let readUnits = 0;
    let keys: Record<string, unknown>[] = patronIds.map((patronId) => ({ ...patronKey(patronId) }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      if (attempt > MAX_UNPROCESSED_ROUNDS)
        throw new BookdropError('DynamoDB left profile reads unprocessed', { context: { left: keys.length } });
      const request = { [this.table.tableName]: { Keys: keys, ConsistentRead: true } };
      const result = await retryThrottled(() =>
        this.table.doc.send(new BatchGetCommand({ RequestItems: request, ReturnConsumedCapacity: 'TOTAL' })),
      );
      readUnits += capacityOf(result.ConsumedCapacity);
      for (const item of result.Responses?.[this.table.tableName] ?? []) {
        const profile = toProfile(item as ProfileItem);
        profiles.set(profile.patronId, profile);
      }
      keys = result.UnprocessedKeys?.[this.table.tableName]?.Keys ?? [];
    }
    return { profiles, readUnits };
  }

  public async save(profile: PatronProfile, ledger: readonly ConsentLedgerEntry[]): Promise<void> {
    try {
      await this.table.doc.send(new TransactWriteCommand({ TransactItems: this.changeItems(profile, ledger) }));
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConcurrentUpdateError('patron profile changed concurrently', {
          cause: error,
          context: { patronId: profile.patronId },
        });
      }
      throw error;
    }
  }

  /**
   * Stores several patrons' changes: their ledger entries in BatchWriteItem requests of 25 (no
   * transaction: a transaction bills every item twice), then their profiles, each on its version
   * condition, in one transaction of up to {@link TRANSACT_ITEM_LIMIT} puts (one request instead of
   * one per patron). When a condition fails, the transaction writes nothing: the other profiles are
   * then put one by one, on the same conditions. Throttling and unprocessed items are retried with
   * backoff. A ledger entry stored before its profile is harmless: its key is deterministic, so the
   * merge after a conflict writes the same entry again, and the importer deletes those it no longer makes.
   */
  public async saveMany(
    changes: readonly { profile: PatronProfile; ledger: readonly ConsentLedgerEntry[] }[],
  ): Promise<{ conflicts: string[]; writeUnits: number }> {
    if (changes.length > TRANSACT_ITEM_LIMIT)
      throw new BookdropError('too many profiles for one transaction', { context: { profiles: changes.length } });
    const ledger = changes.flatMap((change) => change.ledger.map((entry) => ({ PutRequest: { Item: this.ledgerItem(entry) } })));
    let writeUnits = await this.writeBatches(ledger);
    if (changes.length === 0) return { conflicts: [], writeUnits };
    const owners = changes.map(({ profile }) => profile.patronId);
    try {
      const result = await retryThrottled(() =>
        this.table.doc.send(
          new TransactWriteCommand({
            TransactItems: changes.map(({ profile }) => ({ Put: { TableName: this.table.tableName, ...this.profilePut(profile) } })),
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      return { conflicts: [], writeUnits: writeUnits + capacityOf(result.ConsumedCapacity) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const failed = failedConditions(error, owners);
      const conflicts = [...failed];
      await eachAtMost(
        changes.filter(({ profile }) => !failed.has(profile.patronId)),
        WRITES_AT_ONCE,
        async ({ profile }) => {
          try {
            const result = await retryThrottled(() =>
              this.table.doc.send(
                new PutCommand({ TableName: this.table.tableName, ...this.profilePut(profile), ReturnConsumedCapacity: 'TOTAL' }),
              ),
            );
            writeUnits += capacityOf(result.ConsumedCapacity ? [result.ConsumedCapacity] : []);
          } catch (putError) {
            if (!isConditionFailure(putError)) throw putError;
            conflicts.push(profile.patronId);
          }
        },
      );
      return { conflicts, writeUnits };
    }
  }

  public deleteLedger(entries: readonly ConsentLedgerEntry[]): Promise<number> {
    return this.writeBatches(entries.map((entry) => ({ DeleteRequest: { Key: { ...ledgerKey(entry.patronId, entry) } } })));
  }

  /**
   * Sends `requests` in BatchWriteItem requests of 25, {@link WRITES_AT_ONCE} at once, retrying
   * throttling and what DynamoDB leaves unprocessed; returns the write units consumed.
   */
  private async writeBatches(requests: readonly WriteRequest[]): Promise<number> {
    const batches: WriteRequest[][] = [];
    for (let start = 0; start < requests.length; start += BATCH_WRITE_LIMIT) batches.push(requests.slice(start, start + BATCH_WRITE_LIMIT));
    let writeUnits = 0;
    await eachAtMost(batches, WRITES_AT_ONCE, async (batch) => {
      let left = batch;
      for (let attempt = 0; left.length > 0; attempt++) {
        if (attempt > 0) await backoff(attempt);
        if (attempt > MAX_UNPROCESSED_ROUNDS)
          throw new BookdropError('DynamoDB left writes unprocessed', { context: { left: left.length } });
        const items = left;
        const result = await retryThrottled(() =>
          this.table.doc.send(new BatchWriteCommand({ RequestItems: { [this.table.tableName]: items }, ReturnConsumedCapacity: 'TOTAL' })),
        );
        writeUnits += capacityOf(result.ConsumedCapacity);
        left = (result.UnprocessedItems?.[this.table.tableName] ?? []) as WriteRequest[];
      }
    });
    return writeUnits;
  }

  /** The transaction items of one change: the profile (conditioned on the version read) and its ledger entries. */
  private changeItems(profile: PatronProfile, ledger: readonly ConsentLedgerEntry[]) {
    return [
      { Put: { TableName: this.table.tableName, ...this.profilePut(profile) } },
      ...ledger.map((entry) => ({ Put: { TableName: this.table.tableName, Item: this.ledgerItem(entry) } })),
    ];
  }

  /** The put of a profile at its next version, on the condition that the stored version is still the one read. */
  private profilePut(profile: PatronProfile) {
    const item = {
      ...patronKey(profile.patronId),
      kind: 'patron',
      ...profile,
      version: profile.version + 1,
      phoneIndex: profile.contacts.sms?.index,
      // Open accounts are in the audience of fan-out notices; a closed one drops out of the index.
      ...(profile.closedAt ? {} : audienceOf(profile.patronId, profile.library?.value)),
      // A closed account's tombstone lives as long as its ledger, then expires with it.
      ...(profile.closedAt ? { [TABLE.ttlAttribute]: expiryAfterDays(new Date(profile.closedAt), this.consentLedgerDays) } : {}),
    } as ProfileItem;
    const condition =
      profile.version === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': profile.version },
          };
    return { Item: item, ...condition };
  }

  private ledgerItem(entry: ConsentLedgerEntry): Record<string, unknown> {
    return {
      ...ledgerKey(entry.patronId, entry),
      kind: 'consent-ledger',
      ...entry,
      [TABLE.ttlAttribute]: ledgerExpiry(entry, this.consentLedgerDays, this.clock.now()),
    };
  }

  public async ledger(patronId: string, now: Date): Promise<ConsentLedgerEntry[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': patronPartition(patronId), ':prefix': PATRON_RECORD.consent },
      ConsistentRead: true,
    });
    return items
      .filter((item) => !isExpired(item, now))
      .map((item) => {
        const {
          patronId: id,
          topic,
          optedIn,
          suppressed,
          effective,
          source,
          at,
          policyVersion,
          evidenceId,
        } = item as unknown as ConsentLedgerEntry;
        return {
          patronId: id,
          topic,
          optedIn,
          ...(suppressed === undefined ? {} : { suppressed }),
          effective: effective !== false,
          source,
          at,
          policyVersion,
          evidenceId,
        };
      });
  }

  public async purgeRecords(patronId: string, keep: (sortKey: string) => boolean): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.doc.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': patronPartition(patronId) },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: startKey,
        }),
      );
      const doomed = (page.Items ?? []).filter((item) => {
        const sk = String(item.sk);
        return !KEPT_ON_CLOSURE.some((prefix) => sk.startsWith(prefix)) && !keep(sk);
      });
      await this.writeBatches(doomed.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })));
      deleted += doomed.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  public async idsByPhoneIndex(phoneIndex: string): Promise<string[]> {
    const items = await queryAll(this.table, {
      IndexName: TABLE.indexes.byPhone.name,
      KeyConditionExpression: '#index = :index',
      ExpressionAttributeNames: { '#index': TABLE.indexes.byPhone.partitionKey },
      ExpressionAttributeValues: { ':index': phoneIndex },
    });
    return items.map((item) => patronIdOf(String(item.pk)));
  }
}
