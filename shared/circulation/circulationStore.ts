/**
 * DynamoDB adapter for loans, fines, hold closures and statistics.
 *
 * - `PATRON#<p>` / `LOAN#<loanId>`: an open loan (or one kept for an open fine): patron-linked.
 * - `LOANDONE#<hash(loanId)>` / `LOAN`: a returned loan's tombstone: no patron, item or title.
 * - `PATRON#<p>` / `FINE#<fineId>`: an unresolved fine; `FINEDONE#<hash>` / `FINE`: its tombstone.
 * - `HOLDDONE#<hash(holdId)>` / `HOLD`: a closed hold's tombstone.
 * - `PATRON#<p>` / `HISTORY#<returnedAt>#<loanId>`: checkout history (opted-in patrons only), TTL.
 * - `STATS#<day>` / `<branch>#<materialType>`: anonymous counters.
 *
 * A loan change is one transaction with optimistic concurrency on the loan item and the tombstone.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { expiryAfterDays } from '#shared/clock.ts';
import { ConcurrentUpdateError } from '#shared/errors.ts';
import {
  emptyLoanState,
  statTotals,
  type HistoryEntry,
  type LoanState,
  type StatCounter,
  type StatIncrement,
  type StatTotal,
} from '#shared/circulation/loans.ts';
import { failedConditions, isConditionFailure, isExpired, type TableContext } from '#shared/table/documentClient.ts';
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
  statisticsKey,
} from '#shared/table/keys.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** How long tombstones remember a closed loan, fine or hold, to absorb late events. */
export const TOMBSTONE_DAYS = 90;

/** A loan's stored state with the versions it was read at. */
export interface StoredLoan {
  readonly state: LoanState;
  readonly loanVersion: number;
  readonly tombstoneVersion: number;
}

export interface OpenFine {
  readonly fineId: string;
  readonly loanId: string | undefined;
}

/**
 * The port the circulation service writes loans, fines and hold closures through. The DynamoDB
 * adapter below implements it; domain tests use an in-memory fake.
 */
export interface CirculationStore {
  /** A loan's state (from the loan item and its tombstone) with the versions it was read at. */
  loan(patronId: string, loanId: string, now: Date): Promise<StoredLoan>;
  /**
   * Writes a loan change, its statistics and its history entry at once, if nothing changed since
   * `stored` was read; else throws {@link ConcurrentUpdateError}. `now` (the service clock's) starts
   * the fallback expiry of a loan that has no date of its own yet.
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

  public async loan(patronId: string, loanId: string, now: Date): Promise<StoredLoan> {
    const [{ Item: stored }, { Item: tombstone }] = await Promise.all([
      this.get(loanKey(patronId, loanId)),
      this.get(loanTombstoneKey(loanId)),
    ]);
    // A loan past its fallback expiry is gone, even before DynamoDB deletes it (its version still
    // guards the write that replaces it).
    const loanItem = stored && !isExpired(stored, now) ? stored : undefined;
    const live = tombstone && !isExpired(tombstone, now) ? tombstone : undefined;
    const source = (live ?? loanItem ?? {}) as Partial<LoanState>;
    return {
      state: {
        ...emptyLoanState,
        loan: (loanItem?.loan as LoanState['loan']) ?? undefined,
        returnedAt: live?.returnedAt as string | undefined,
        dimensions: source.dimensions,
        counted: source.counted ?? [],
        pending: source.pending ?? [],
        pendingDueAt: (loanItem?.pendingDueAt as LoanState['pendingDueAt']) ?? undefined,
      },
      loanVersion: Number(stored?.version ?? 0),
      tombstoneVersion: Number(live?.version ?? tombstone?.version ?? 0),
    };
  }

  /** Writes a loan change, its statistics and history entry in one transaction. */
  public async saveLoan(
    patronId: string,
    loanId: string,
    stored: StoredLoan,
    next: LoanState,
    stats: readonly StatIncrement[],
    history: HistoryEntry | undefined,
    now: Date,
  ): Promise<void> {
    const items: TransactItem[] = [];
    const versionCondition = (
      version: number,
    ): {
      ConditionExpression: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Record<string, unknown>;
    } =>
      version === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': version },
          };
    const linked = next.returnedAt === undefined || next.loan !== undefined;
    if (linked) {
      items.push({
        Put: {
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
        },
      });
    } else if (stored.loanVersion > 0) {
      items.push({
        Delete: {
          TableName: this.table.tableName,
          Key: loanKey(patronId, loanId),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': stored.loanVersion },
        },
      });
    } else {
      // Both items are checked on every write, so two concurrent events cannot both win.
      items.push({ ConditionCheck: { TableName: this.table.tableName, Key: loanKey(patronId, loanId), ...versionCondition(0) } });
    }
    if (next.returnedAt !== undefined) {
      items.push({
        Put: {
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
        },
      });
    } else
      items.push({
        ConditionCheck: { TableName: this.table.tableName, Key: loanTombstoneKey(loanId), ...versionCondition(stored.tombstoneVersion) },
      });
    // One update per statistics item: DynamoDB refuses two operations on one item in a transaction.
    for (const total of statTotals(stats)) items.push(this.statUpdate(total));
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
    if (items.length === 0) return;
    await this.transact(items, { patronId, loanId });
  }

  private statUpdate(total: StatTotal): TransactItem {
    const counters = Object.entries(total.counts) as [StatCounter, number][];
    const names = Object.fromEntries(counters.map(([counter], i) => [`#c${i}`, counter]));
    const values = Object.fromEntries(counters.map(([, count], i) => [`:n${i}`, count]));
    return {
      Update: {
        TableName: this.table.tableName,
        Key: statisticsKey(total),
        UpdateExpression: `SET kind = :kind, #day = :day, branch = :branch, materialType = :type ADD ${counters.map((_, i) => `#c${i} :n${i}`).join(', ')}`,
        ExpressionAttributeNames: { '#day': 'day', ...names },
        ExpressionAttributeValues: {
          ':kind': 'statistics',
          ':day': total.day,
          ':branch': total.branch,
          ':type': total.materialType,
          ...values,
        },
      },
    };
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
