/**
 * DynamoDB adapter for loans, fines, hold closures and statistics.
 *
 * - `PATRON#<p>` / `LOAN#<loanId>`: an open loan (or one kept for an open fine): patron-linked.
 * - `LOANDONE#<hash(loanId)>` / `LOAN`: a returned loan's tombstone: no patron, item or title.
 * - `PATRON#<p>` / `FINE#<fineId>`: an unresolved fine; `FINEDONE#<hash>` / `FINE`: its tombstone.
 * - `HOLDDONE#<hash(holdId)>` / `HOLD`: a closed hold's tombstone.
 * - `PATRON#<p>` / `HISTORY#<returnedAt>#<loanId>`: checkout history (opted-in patrons only), TTL.
 * - `STATS#<day>` / `<branch>#<materialType>#<hash(eventId)>`: one anonymous count per counted event
 *   (its key makes a retry or a duplicate write the same item), summed when read (`sumStatistics`).
 *
 * A loan change writes its counts first, then its state with optimistic concurrency on the loan item
 * and the tombstone: write first, check after where one conditional write and one read do
 * (docs/ordering.md), else one transaction.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import { ConcurrentUpdateError } from '#shared/errors.ts';
import {
  emptyLoanState,
  sumStatistics,
  type HistoryEntry,
  type LoanState,
  type StatIncrement,
  type StatTotal,
} from '#shared/circulation/loans.ts';
import { failedConditions, isConditionFailure, isExpired, queryAll, writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { loanSweepKeys } from '#shared/sweep/sweepKeys.ts';
import {
  PATRON_RECORD,
  fineKey,
  fineTombstoneKey,
  historyKey,
  holdKey,
  holdTombstoneKey,
  loanKey,
  loanTombstoneKey,
  patronKey,
  patronPartition,
  statisticsCountKey,
  statisticsPartition,
} from '#shared/table/keys.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The condition of a write at `version` (0: the item must not exist). */
function versionCondition(version: number): {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  return version === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': version },
      };
}

/** The counts of a day (library time zone) per branch and material type, summed from its statistics items. */
export async function dayStatistics(table: TableContext, day: string): Promise<StatTotal[]> {
  const items = await queryAll(table, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': statisticsPartition(day) },
    ConsistentRead: true,
  });
  return sumStatistics(items);
}

/** How long tombstones remember a closed loan, fine or hold, to absorb late events. */
export const TOMBSTONE_DAYS = 90;

/**
 * Days beyond `openLoanDays` that a per-event statistics count is kept. It must outlive every record
 * whose list of counted events can absorb a repeat of its event: the open loan (its due date, at most
 * about 90 days out, plus `openLoanDays`) and the tombstone (the return, at most then, plus
 * {@link TOMBSTONE_DAYS}). A repeat after its count was folded into the day's total would be counted
 * again; one that late is also past every other record of the loan.
 */
export const STATISTICS_COUNT_EXTRA_DAYS = 90 + TOMBSTONE_DAYS;

/** A loan's stored state with the versions it was read at. */
export interface StoredLoan {
  readonly state: LoanState;
  readonly loanVersion: number;
  readonly tombstoneVersion: number;
  /**
   * A loan item found beside the tombstone that is not a loan kept for a fine: the trace of a
   * write-first change that met a concurrent return. `state` is the tombstone's; the caller merges this
   * in (`absorbStrayLoan`) and the save removes the loan item.
   */
  readonly stray?: LoanState | undefined;
}

/** A loan not read: nothing stored, assumed. Writes check the assumption (`attribute_not_exists`). */
export const UNREAD_LOAN: StoredLoan = { state: emptyLoanState, loanVersion: 0, tombstoneVersion: 0 };

export interface OpenFine {
  readonly fineId: string;
  readonly loanId: string | undefined;
}

/**
 * The port the circulation service writes loans, fines and hold closures through. The DynamoDB
 * adapter below implements it; domain tests use an in-memory fake.
 */
export interface CirculationStore {
  /**
   * A loan's state (from the loan item and its tombstone) with the versions it was read at. With
   * `tombstone: false` the tombstone is read only if the loan item is not an open loan, and is else
   * assumed absent: a write that relies on it checks it (a return puts the tombstone only if there is none).
   */
  loan(patronId: string, loanId: string, now: Date, read?: { tombstone: boolean }): Promise<StoredLoan>;
  /**
   * Writes a loan change's counts, then the change and its history entry, if nothing changed since
   * `stored` was read; else throws {@link ConcurrentUpdateError} (the counts, keyed by event, stay:
   * the retry writes the same ones). `now` (the service clock's) starts the fallback expiry of a loan
   * that has no date of its own yet.
   */
  saveLoan(
    patronId: string,
    loanId: string,
    stored: StoredLoan,
    next: LoanState,
    stats: readonly StatIncrement[],
    history: HistoryEntry | undefined,
    now: Date,
  ): Promise<void>;
  openFines(patronId: string, now: Date): Promise<OpenFine[]>;
  assessFine(fine: AssessedFine): Promise<'created' | 'exists' | 'resolved'>;
  /** Resolves a fine; returns the loan it referred to, if any. */
  resolveFine(patronId: string, fineId: string, resolvedAt: string): Promise<string | undefined>;
  closeHold(patronId: string, holdId: string, closedAt: string): Promise<void>;
}

/** A fine as the ILS assessed it. */
export interface AssessedFine {
  readonly fineId: string;
  readonly patronId: string;
  readonly loanId?: string | undefined;
  readonly amount: string;
  readonly currency: string;
  readonly reason: string;
  readonly assessedAt: string;
  readonly eventId: string;
}

export class DynamoCirculationStore implements CirculationStore {
  public constructor(
    private readonly table: TableContext,
    private readonly retention: Pick<ConsortiumConfig['retention'], 'checkoutHistoryDays' | 'openLoanDays' | 'openFineDays'>,
    /** The library's time zone: due days of the sweep index are its calendar days. */
    private readonly timeZone: string,
  ) {}

  /**
   * The fallback expiry of a loan item, in case its closing event never arrives: `openLoanDays` after
   * the due date (or, before its checkout arrived, after the latest event); `openFineDays` after the
   * return for a returned loan kept for a fine.
   */
  private loanExpiry(next: LoanState, now: Date): number {
    if (next.loan?.status === 'returned' && next.returnedAt !== undefined)
      return expiryAfterDays(new Date(next.returnedAt), this.retention.openFineDays);
    const latest = [next.loan?.dueAt.value, next.pendingDueAt?.value, ...next.pending.map((pending) => pending.at)]
      .filter((value): value is string => value !== undefined)
      .sort()
      .at(-1);
    return expiryAfterDays(latest === undefined ? now : new Date(latest), this.retention.openLoanDays);
  }

  private get(key: { pk: string; sk: string }) {
    return this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }));
  }

  /** The loan item and its tombstone; without `tombstone`, the tombstone only if the loan item is not an open loan. */
  private async loanItems(patronId: string, loanId: string, tombstone: boolean) {
    if (tombstone) return Promise.all([this.get(loanKey(patronId, loanId)), this.get(loanTombstoneKey(loanId))]);
    const found = await this.get(loanKey(patronId, loanId));
    // Only an open loan makes the tombstone's absence likely: anything else (none, a loan kept for a fine,
    // a renewal waiting for its checkout) is read in full.
    const open = (found.Item?.loan as LoanState['loan'])?.status === 'active';
    return [found, open ? { Item: undefined } : await this.get(loanTombstoneKey(loanId))] as const;
  }

  public async loan(patronId: string, loanId: string, now: Date, read = { tombstone: true }): Promise<StoredLoan> {
    const [{ Item: stored }, { Item: tombstone }] = await this.loanItems(patronId, loanId, read.tombstone);
    // A loan past its fallback expiry is gone, even before DynamoDB deletes it (its version still
    // guards the write that replaces it).
    const loanItem = stored && !isExpired(stored, now) ? stored : undefined;
    const live = tombstone && !isExpired(tombstone, now) ? tombstone : undefined;
    const versions = { loanVersion: Number(stored?.version ?? 0), tombstoneVersion: Number(live?.version ?? tombstone?.version ?? 0) };
    const stateOf = (source: Record<string, unknown> | undefined, item: Record<string, unknown> | undefined): LoanState => {
      const fields = (source ?? {}) as Partial<LoanState>;
      return {
        ...emptyLoanState,
        loan: (item?.loan as LoanState['loan']) ?? undefined,
        returnedAt: live?.returnedAt as string | undefined,
        dimensions: fields.dimensions,
        counted: fields.counted ?? [],
        pending: fields.pending ?? [],
        pendingDueAt: (item?.pendingDueAt as LoanState['pendingDueAt']) ?? undefined,
      };
    };
    // Beside a tombstone, only a returned loan kept for a fine is a loan item in its own right.
    if (live && loanItem && (loanItem.loan as LoanState['loan'])?.status !== 'returned') {
      return { state: stateOf(live, undefined), ...versions, stray: { ...stateOf(loanItem, loanItem), returnedAt: undefined } };
    }
    return { state: stateOf(live ?? loanItem, loanItem), ...versions };
  }

  /**
   * Writes a loan change: its counts first (one item per counted event, so a retry rewrites the same
   * ones), then its state. A loan still open is written first and checked after (one conditional put
   * of the loan item, then one strongly consistent read of the tombstone: a return committed
   * meanwhile makes this change fail and retry, and the retry merges the loan item in). A return
   * that removes the link and writes no history puts the tombstone (only if there is none) and then
   * deletes the loan item (only at the version read). Anything else is one transaction.
   */
  public async saveLoan(
    patronId: string,
    loanId: string,
    stored: StoredLoan,
    next: LoanState,
    stats: readonly StatIncrement[],
    history: HistoryEntry | undefined,
    now: Date,
  ): Promise<void> {
    const context = { patronId, loanId };
    await this.count(stats, now);
    if (next.returnedAt === undefined) {
      await this.writeOrConflict({ Put: this.putLoan(patronId, loanId, stored, next, now) }, context);
      const { Item: tombstone } = await this.get(loanTombstoneKey(loanId));
      if (Number(tombstone?.version ?? 0) !== stored.tombstoneVersion)
        throw new ConcurrentUpdateError('loan returned while it changed: the change is retried on the returned loan', { context });
      return;
    }
    const tombstone = this.putTombstone(loanId, stored, { ...next, returnedAt: next.returnedAt });
    const removeLoan = { TableName: this.table.tableName, Key: loanKey(patronId, loanId), ...versionCondition(stored.loanVersion) };
    if (stored.tombstoneVersion === 0 && stored.loanVersion > 0 && next.loan === undefined && history === undefined) {
      await this.writeOrConflict({ Put: tombstone }, context);
      // Interrupted here, the loan item stays beside the tombstone: the retry finds it stray and removes it.
      await this.writeOrConflict({ Delete: removeLoan }, context);
      return;
    }
    const items: TransactItem[] = [{ Put: tombstone }];
    if (next.loan !== undefined) items.push({ Put: this.putLoan(patronId, loanId, stored, next, now) });
    else if (stored.loanVersion > 0) items.push({ Delete: removeLoan });
    // Both items are checked on every write, so two concurrent events cannot both win.
    else items.push({ ConditionCheck: { TableName: this.table.tableName, Key: loanKey(patronId, loanId), ...versionCondition(0) } });
    if (history) {
      items.push({
        Put: {
          TableName: this.table.tableName,
          Item: {
            ...historyKey(history.patronId, history.returnedAt, history.loanId),
            kind: 'history',
            ...history,
            [TABLE.ttlAttribute]: expiryAfterDays(new Date(history.returnedAt), this.retention.checkoutHistoryDays),
          },
        },
      });
      // The patron may opt out (and have the history purged) while this event is processed: the entry
      // is written only if the choice is still to keep it, else the change is retried on fresh state.
      items.push({
        ConditionCheck: {
          TableName: this.table.tableName,
          Key: patronKey(history.patronId),
          ConditionExpression: '#consent.#history.optedIn = :true AND attribute_not_exists(closedAt)',
          ExpressionAttributeNames: { '#consent': 'consent', '#history': 'checkoutHistory' },
          ExpressionAttributeValues: { ':true': true },
        },
      });
    }
    await this.transact(items, context);
  }

  /** The loan item of `next`, written at the version after `stored`'s. */
  private putLoan(patronId: string, loanId: string, stored: StoredLoan, next: LoanState, now: Date) {
    return {
      TableName: this.table.tableName,
      Item: {
        ...loanKey(patronId, loanId),
        kind: 'loan',
        patronId,
        loanId,
        loan: next.loan,
        pendingDueAt: next.pendingDueAt,
        ...(next.returnedAt === undefined ? { dimensions: next.dimensions, counted: next.counted, pending: next.pending } : {}),
        // An open loan is found by its due day; a returned one (kept for a fine) is reminded of nothing.
        ...(next.loan?.status === 'active' ? loanSweepKeys(this.timeZone, patronId, loanId, next.loan.dueAt.value) : {}),
        [TABLE.ttlAttribute]: this.loanExpiry(next, now),
        version: stored.loanVersion + 1,
      },
      ...versionCondition(stored.loanVersion),
    };
  }

  /** The tombstone of a returned loan: no patron, item or title. */
  private putTombstone(loanId: string, stored: StoredLoan, next: LoanState & { returnedAt: string }) {
    return {
      TableName: this.table.tableName,
      Item: {
        ...loanTombstoneKey(loanId),
        kind: 'loan-tombstone',
        returnedAt: next.returnedAt,
        dimensions: next.dimensions,
        counted: next.counted,
        pending: next.pending,
        version: stored.tombstoneVersion + 1,
        [TABLE.ttlAttribute]: expiryAfterDays(new Date(next.returnedAt), TOMBSTONE_DAYS),
      },
      ...versionCondition(stored.tombstoneVersion),
    };
  }

  /**
   * One item per counted event, keyed by it: a retry or a duplicate writes the same item again. It
   * lives as long as the loan's records can absorb repeats of its event ({@link STATISTICS_COUNT_EXTRA_DAYS});
   * when DynamoDB TTL deletes it, the table stream folds its count into the day's total
   * (`statisticsTotalKey`), so no per-event trace is kept for good.
   */
  private async count(stats: readonly StatIncrement[], now: Date): Promise<void> {
    await Promise.all(
      stats.map((stat) =>
        this.table.doc.send(
          new PutCommand({
            TableName: this.table.tableName,
            Item: {
              ...statisticsCountKey(stat),
              kind: 'statistics',
              day: stat.day,
              branch: stat.branch,
              materialType: stat.materialType,
              [stat.counter]: 1,
              [TABLE.ttlAttribute]: expiryAfterDays(now, this.retention.openLoanDays + STATISTICS_COUNT_EXTRA_DAYS),
            },
          }),
        ),
      ),
    );
  }

  /** One conditional write outside a transaction; a failed condition is a concurrent update. */
  private async writeOrConflict(
    item: { Put: ConstructorParameters<typeof PutCommand>[0] } | { Delete: ConstructorParameters<typeof DeleteCommand>[0] },
    context: Record<string, string>,
  ): Promise<void> {
    const written = await writeIf(() =>
      'Put' in item ? this.table.doc.send(new PutCommand(item.Put)) : this.table.doc.send(new DeleteCommand(item.Delete)),
    );
    if (!written) throw new ConcurrentUpdateError('circulation record changed concurrently', { context });
  }

  private async transact(items: TransactItem[], context: Record<string, string>): Promise<void> {
    try {
      await this.table.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError('circulation record changed concurrently', { cause: error, context });
      throw error;
    }
  }

  /** The patron's unresolved fines. */
  public async openFines(patronId: string, now: Date): Promise<OpenFine[]> {
    const { Items } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': patronPartition(patronId), ':prefix': PATRON_RECORD.fine },
        ConsistentRead: true,
      }),
    );
    return (Items ?? [])
      .filter((item) => !isExpired(item, now))
      .map((item) => ({ fineId: String(item.fineId), loanId: item.loanId as string | undefined }));
  }

  /**
   * Stores an assessed fine unless it was resolved already (its tombstone). A later assessment of the
   * same fine (the ILS corrected it) replaces an earlier one; at the same time, the greater event id
   * (the tie rule), so the outcome does not depend on arrival order.
   */
  public async assessFine(fine: AssessedFine): Promise<'created' | 'exists' | 'resolved'> {
    try {
      await this.table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.tableName,
                Item: {
                  ...fineKey(fine.patronId, fine.fineId),
                  kind: 'fine',
                  ...fine,
                  // Fallback expiry, in case its FineResolved never arrives.
                  [TABLE.ttlAttribute]: expiryAfterDays(new Date(fine.assessedAt), this.retention.openFineDays),
                },
                ConditionExpression: 'attribute_not_exists(pk) OR assessedAt < :at OR (assessedAt = :at AND eventId < :eventId)',
                ExpressionAttributeValues: { ':at': fine.assessedAt, ':eventId': fine.eventId },
              },
            },
            {
              ConditionCheck: {
                TableName: this.table.tableName,
                Key: fineTombstoneKey(fine.fineId),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return failedConditions(error, ['fine', 'tombstone'] as const).has('tombstone') ? 'resolved' : 'exists';
    }
  }

  /** Deletes a resolved fine and leaves its tombstone; returns the loan it referred to, if any. */
  public async resolveFine(patronId: string, fineId: string, resolvedAt: string): Promise<string | undefined> {
    const { Item } = await this.get(fineKey(patronId, fineId));
    await this.table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table.tableName, Key: fineKey(patronId, fineId) } },
          {
            Put: {
              TableName: this.table.tableName,
              Item: {
                ...fineTombstoneKey(fineId),
                kind: 'fine-tombstone',
                resolvedAt,
                [TABLE.ttlAttribute]: expiryAfterDays(new Date(resolvedAt), TOMBSTONE_DAYS),
              },
            },
          },
        ],
      }),
    );
    return Item?.loanId as string | undefined;
  }

  /** Deletes a closed hold and leaves its tombstone so a late HoldReady cannot bring it back. */
  public async closeHold(patronId: string, holdId: string, closedAt: string): Promise<void> {
    await this.table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table.tableName, Key: holdKey(patronId, holdId) } },
          {
            Put: {
              TableName: this.table.tableName,
              Item: {
                ...holdTombstoneKey(holdId),
                kind: 'hold-tombstone',
                closedAt,
                [TABLE.ttlAttribute]: expiryAfterDays(new Date(closedAt), TOMBSTONE_DAYS),
              },
            },
          },
        ],
      }),
    );
  }
}
