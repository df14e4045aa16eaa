/**
 * The loan lifecycle as the privacy policy wants it, as pure functions (docs/design.md, retention).
 *
 * While a loan is open it is linked to its patron (the notices need it). On return the link is
 * removed at once: what remains is a tombstone keyed by a hash of the loan id, holding no patron id,
 * item id or title, only what statistics need (branch, material type) and which events were counted.
 * So late events (a checkout after its return, a renewal after the return) change nothing but the
 * counts they owe. If an open fine refers to the loan, the link stays (item id, no title) until the
 * fine is resolved. Statistics count each checkout, renewal and return exactly once, in any order.
 */
import type { DetailOf } from '#shared/events/contract.ts';
import { isNewer, toUtc } from '#shared/patrons/patronProfile.ts';

/** An open loan, linked to its patron. */
export interface ActiveLoan {
  readonly loanId: string;
  readonly patronId: string;
  readonly itemId: string;
  /** Dropped when the loan is returned and kept only for a fine. */
  readonly title: string | undefined;
  readonly checkedOutAt: string;
  readonly dueAt: { readonly value: string; readonly at: string };
  /** `returned`: kept only because an open fine refers to it. */
  readonly status: 'active' | 'returned';
}

/** Statistics dimensions of a loan: never a patron or an item. */
export interface LoanDimensions {
  readonly branch: string;
  readonly materialType: string;
}

export type StatCounter = 'checkouts' | 'renewals' | 'returns';

/** An event whose count waits for the loan's dimensions (it arrived before the checkout). */
export interface PendingCount {
  readonly eventId: string;
  readonly counter: StatCounter;
  readonly at: string;
  readonly branch: string | undefined;
}

/** Everything Bookdrop holds about one loan. */
export interface LoanState {
  readonly loan: ActiveLoan | undefined;
  /** Set once the loan is returned: the loan's tombstone. */
  readonly returnedAt: string | undefined;
  readonly dimensions: LoanDimensions | undefined;
  /** Event ids already counted in the statistics. */
  readonly counted: readonly string[];
  readonly pending: readonly PendingCount[];
  /** A renewal that arrived before its checkout: applied when the checkout comes. */
  readonly pendingDueAt: { readonly value: string; readonly at: string } | undefined;
}

/**
 * A statistics increment: day (library time zone), branch, material type, and the event it counts
 * (the idempotency key of its count: stored, it is a hash). No patron, no item.
 */
export interface StatIncrement extends LoanDimensions {
  readonly day: string;
  readonly counter: StatCounter;
  readonly eventId: string;
}

/** The counts of one day, branch and material type. */
export interface StatTotal extends LoanDimensions {
  readonly day: string;
  readonly counts: Partial<Record<StatCounter, number>>;
}

const STAT_COUNTERS: readonly StatCounter[] = ['checkouts', 'renewals', 'returns'];

/**
 * Sums counts per day, branch and material type: the increments of a change, or the statistics items
 * read back (one per counted event, or a total of many).
 */
export function sumStatistics(items: readonly Readonly<Record<string, unknown>>[]): StatTotal[] {
  const totals = new Map<string, { day: string; branch: string; materialType: string; counts: Partial<Record<StatCounter, number>> }>();
  for (const item of items) {
    const [day, branch, materialType] = [String(item.day), String(item.branch), String(item.materialType)];
    const key = JSON.stringify([day, branch, materialType]);
    const total = totals.get(key) ?? { day, branch, materialType, counts: {} };
    for (const counter of STAT_COUNTERS) {
      const count = item[counter];
      if (typeof count === 'number') total.counts[counter] = (total.counts[counter] ?? 0) + count;
    }
    totals.set(key, total);
  }
  return [...totals.values()];
}

/** Merges increments that land on the same day, branch and material type. */
export function statTotals(stats: readonly StatIncrement[]): StatTotal[] {
  return sumStatistics(stats.map((stat) => ({ day: stat.day, branch: stat.branch, materialType: stat.materialType, [stat.counter]: 1 })));
}

/** A checkout history entry, written only for patrons who keep their history. */
export interface HistoryEntry {
  readonly patronId: string;
  readonly loanId: string;
  readonly itemId: string;
  readonly title: string;
  readonly materialType: string;
  readonly checkedOutAt: string;
  readonly returnedAt: string;
}

export interface LoanChange {
  readonly state: LoanState;
  readonly stats: readonly StatIncrement[];
  readonly history: HistoryEntry | undefined;
  readonly changed: boolean;
}

export interface LoanContext {
  /** Day of an instant in the library's time zone (YYYY-MM-DD). */
  readonly dayOf: (iso: string) => string;
  readonly keepsHistory: boolean;
  /** True if an open fine refers to this loan. */
  readonly hasOpenFine: boolean;
}

export const emptyLoanState: LoanState = {
  loan: undefined,
  returnedAt: undefined,
  dimensions: undefined,
  counted: [],
  pending: [],
  pendingDueAt: undefined,
};

const UNKNOWN_MATERIAL = 'unknown';

/**
 * Whether due date `candidate` replaces `current`: the newer event wins; at the same time, the later
 * due date (the tie rule: the outcome must not depend on which of two renewals arrived first).
 */
export function dueSupersedes(
  candidate: { value: string; at: string } | undefined,
  current: { value: string; at: string } | undefined,
): boolean {
  if (candidate === undefined) return false;
  if (current === undefined || isNewer(candidate.at, current)) return true;
  return candidate.at === current.at && candidate.value > current.value;
}

/** Counts `count` now if the dimensions are known, else keeps it pending; each event id once. */
function tally(state: LoanState, count: PendingCount, context: LoanContext): { state: LoanState; stats: StatIncrement[] } {
  if (state.counted.includes(count.eventId) || state.pending.some((pending) => pending.eventId === count.eventId)) {
    return { state, stats: [] };
  }
  if (!state.dimensions) return { state: { ...state, pending: [...state.pending, count] }, stats: [] };
  const stat: StatIncrement = {
    day: context.dayOf(count.at),
    branch: count.branch ?? state.dimensions.branch,
    materialType: state.dimensions.materialType,
    counter: count.counter,
    eventId: count.eventId,
  };
  return { state: { ...state, counted: [...state.counted, count.eventId] }, stats: [stat] };
}

/** The checkout history entry of a loan returned at `returnedAt`. */
function historyEntry(
  loan: Pick<ActiveLoan, 'patronId' | 'loanId' | 'itemId' | 'checkedOutAt'> & { readonly title: string },
  materialType: string,
  returnedAt: string,
): HistoryEntry {
  const { patronId, loanId, itemId, title, checkedOutAt } = loan;
  return { patronId, loanId, itemId, title, materialType, checkedOutAt, returnedAt };
}

function changedFrom(before: LoanState, after: LoanState, stats: StatIncrement[], history?: HistoryEntry): LoanChange {
  return { state: after, stats, history, changed: after !== before };
}

export function applyCheckout(state: LoanState, event: DetailOf<'ItemCheckedOut'>, context: LoanContext): LoanChange {
  const at = toUtc(event.occurredAt);
  let next = state;
  const stats: StatIncrement[] = [];
  let history: HistoryEntry | undefined;
  if (!next.dimensions) {
    next = { ...next, dimensions: { branch: event.branch, materialType: event.materialType ?? UNKNOWN_MATERIAL } };
    // Counts that waited for the branch and material type are due now.
    for (const pending of state.pending) {
      const result = tally({ ...next, pending: [] }, pending, context);
      next = { ...result.state, pending: next.pending.filter((p) => p.eventId !== pending.eventId) };
      stats.push(...result.stats);
    }
    next = { ...next, pending: [] };
    if (next.returnedAt !== undefined && context.keepsHistory) {
      // Returned before its checkout arrived: the history entry is written now, the link never made.
      history = historyEntry({ ...event, checkedOutAt: at }, next.dimensions!.materialType, next.returnedAt);
    }
  }
  const counted = tally(next, { eventId: event.eventId, counter: 'checkouts', at, branch: event.branch }, context);
  next = counted.state;
  stats.push(...counted.stats);
  if (next.returnedAt === undefined && !next.loan) {
    const dueAt = { value: toUtc(event.dueAt), at };
    const pendingDue = next.pendingDueAt;
    next = {
      ...next,
      pendingDueAt: undefined,
      loan: {
        loanId: event.loanId,
        patronId: event.patronId,
        itemId: event.itemId,
        title: event.title,
        checkedOutAt: at,
        dueAt: dueSupersedes(pendingDue, dueAt) ? pendingDue! : dueAt,
        status: 'active',
      },
    };
  }
  return changedFrom(state, next, stats, history);
}

export function applyRenewal(state: LoanState, event: DetailOf<'LoanRenewed'>, context: LoanContext): LoanChange {
  const at = toUtc(event.occurredAt);
  const { state: counted, stats } = tally(state, { eventId: event.eventId, counter: 'renewals', at, branch: undefined }, context);
  let next = counted;
  if (next.returnedAt === undefined) {
    const dueAt = { value: toUtc(event.dueAt), at };
    if (next.loan && dueSupersedes(dueAt, next.loan.dueAt)) next = { ...next, loan: { ...next.loan, dueAt } };
    // Before its checkout: remember the due date for when the checkout comes.
    if (!next.loan && dueSupersedes(dueAt, next.pendingDueAt)) next = { ...next, pendingDueAt: dueAt };
  }
  return changedFrom(state, next, stats);
}

export function applyReturn(state: LoanState, event: DetailOf<'ItemReturned'>, context: LoanContext): LoanChange {
  const at = toUtc(event.occurredAt);
  const { state: counted, stats } = tally(state, { eventId: event.eventId, counter: 'returns', at, branch: event.branch }, context);
  let next = counted;
  let history: HistoryEntry | undefined;
  if (next.returnedAt === undefined) {
    const loan = next.loan;
    if (loan && context.keepsHistory && loan.title !== undefined) {
      history = historyEntry({ ...loan, title: loan.title }, next.dimensions?.materialType ?? UNKNOWN_MATERIAL, at);
    }
    // The link goes at once; an open fine keeps it (without the title) until it is resolved.
    const kept = loan && context.hasOpenFine ? { ...loan, title: undefined, status: 'returned' as const } : undefined;
    next = { ...next, returnedAt: at, loan: kept, pendingDueAt: undefined };
  }
  return changedFrom(state, next, stats, history);
}

/**
 * A loan item found beside its loan's tombstone that is not a returned loan kept for a fine: the trace of a write-first change
 * that met a concurrent return (a checkout written after the return committed, or a return whose
 * removal of the link did not complete). The tombstone stands; what the loan item knows and the
 * tombstone does not is merged in, as if its checkout had arrived late: its branch and material type
 * (counts that waited for them are due now), the events it counted, and, for a patron who keeps
 * history, the entry a return that did not know the loan could not write. The caller removes the loan
 * item in the same save.
 */
export function absorbStrayLoan(tombstone: LoanState, stray: LoanState, context: LoanContext): LoanChange {
  const counted = [...new Set([...tombstone.counted, ...stray.counted])];
  let next: LoanState = {
    ...tombstone,
    loan: undefined,
    pendingDueAt: undefined,
    dimensions: tombstone.dimensions ?? stray.dimensions,
    counted,
    pending: [],
  };
  const stats: StatIncrement[] = [];
  const waiting = [...tombstone.pending, ...stray.pending].filter(
    (pending, index, all) => !counted.includes(pending.eventId) && all.findIndex((other) => other.eventId === pending.eventId) === index,
  );
  for (const pending of waiting) {
    const result = tally(next, pending, context);
    next = result.state;
    stats.push(...result.stats);
  }
  const loan = stray.loan;
  const history =
    tombstone.dimensions === undefined && loan !== undefined && loan.title !== undefined && context.keepsHistory && next.returnedAt
      ? historyEntry({ ...loan, title: loan.title }, next.dimensions?.materialType ?? UNKNOWN_MATERIAL, next.returnedAt)
      : undefined;
  return { state: next, stats, history, changed: true };
}

/** `FineResolved` for a fine on this loan: a returned loan kept for the fine loses its link. */
export function releaseForFine(state: LoanState, otherOpenFines: boolean): LoanChange {
  if (state.loan?.status !== 'returned' || otherOpenFines) return changedFrom(state, state, []);
  return changedFrom(state, { ...state, loan: undefined }, []);
}
