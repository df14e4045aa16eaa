/**
 * The load generator's traffic plan: realistic circulation for a set of patrons (loans with renewals
 * and returns, holds, fines), made from a seed so a run can be repeated, delivered with a share of
 * exact duplicates and of out-of-order pairs, and aimed at collisions (many events on the same day,
 * branch and material type, returns on the day of their checkout). Also what the sandbox must hold
 * afterwards. Pure: no I/O.
 */
import { dayIn } from '#shared/clock.ts';
import type { CirculationDetailType } from '#shared/events/contract.ts';

export interface LoadOptions {
  /** Patrons registered before the circulation starts. @default 300 */
  readonly patrons: number;
  /** Events sent in all, registrations and duplicates included. @default 2000 */
  readonly events: number;
  /** Share of the events sent that are exact duplicates of another. @default 0.2 */
  readonly duplicateShare: number;
  /** Share of two-event sequences (checkout and return, hold ready and closed...) sent in reverse. @default 0.1 */
  readonly outOfOrderShare: number;
  /** Seed of the pseudo-random generator. @default 1 */
  readonly seed: number;
  /** Branches (with their library) events happen at. */
  readonly branches: readonly { readonly library: string; readonly branch: string }[];
  /** Library time zone: statistics count by its calendar day. */
  readonly timeZone: string;
  /** The instant the plan is built around (events in the 3 days before, due dates after). */
  readonly now: Date;
}

export interface PlannedEvent {
  readonly detailType: CirculationDetailType;
  readonly detail: Record<string, unknown> & { eventId: string; occurredAt: string };
  /** True for the second copy of an event. */
  readonly duplicate: boolean;
}

/** What the sandbox must show once every event is applied. */
export interface LoadExpectations {
  /** Statistics totals by counter and library-time-zone day: `checkouts|2026-11-27` -> count. */
  readonly statistics: Record<string, number>;
  /** History entries per patron who keeps history. */
  readonly history: Record<string, number>;
  /** Per patron: loans that must still be linked, and those returned (never linked). */
  readonly openLoans: Record<string, string[]>;
  readonly returnedLoans: Record<string, string[]>;
  readonly openHolds: Record<string, string[]>;
  readonly openFines: Record<string, string[]>;
}

export interface LoadPlan {
  readonly runId: string;
  readonly patronIds: readonly string[];
  /** Registrations, sent first. */
  readonly registrations: readonly PlannedEvent[];
  /** Circulation in delivery order (duplicates and reversed pairs included). */
  readonly circulation: readonly PlannedEvent[];
  readonly expected: LoadExpectations;
  readonly counts: { readonly unique: number; readonly duplicates: number; readonly reversedPairs: number };
}

/** mulberry32: small, fast and good enough to make traffic repeatable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const MATERIALS = ['book', 'dvd', 'audiobook'] as const;
const TITLES = ['Kindred', 'The Dispossessed', 'Piranesi', 'Beloved', 'Middlemarch', 'Pachinko'];
const HOUR = 3_600_000;

/** Builds the plan; the same options always give the same plan. */
export function buildLoadPlan(options: LoadOptions): LoadPlan {
  const next = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const runId = `L${options.seed.toString(36)}${Math.floor(next() * 36 ** 4).toString(36)}`;
  const duplicates = Math.round(options.events * options.duplicateShare);
  const unique = options.events - duplicates;
  if (unique < options.patrons) throw new Error(`--events ${options.events} leaves fewer unique events than --patrons ${options.patrons}`);

  // Three days of circulation ending an hour ago, on a few branches and materials: many collisions.
  const start = options.now.getTime() - 3 * 24 * HOUR;
  const at = (ms: number) => new Date(ms).toISOString();
  const patronIds = Array.from({ length: options.patrons }, (_, index) => `P-${runId}-${index}`);
  const keepsHistory = new Map<string, boolean>();
  let eventCount = 0;
  const eventId = () => `${runId}-e${eventCount++}`;

  const registrations: PlannedEvent[] = patronIds.map((patronId, index) => {
    const branch = pick(options.branches);
    const history = next() < 0.4;
    keepsHistory.set(patronId, history);
    const digits = String(1_000_000 + index).slice(1);
    return {
      detailType: 'PatronRegistered',
      duplicate: false,
      detail: {
        eventId: eventId(),
        occurredAt: at(start - 24 * HOUR),
        patronId,
        library: branch.library,
        language: next() < 0.2 ? 'es' : 'en',
        contact: { phone: `+1555${String(index % 10)}${digits}`, email: `${patronId.toLowerCase()}@example.net` },
        consent: { sms: next() < 0.6, email: next() < 0.7, checkoutHistory: history },
        policyVersion: '2026-09',
      },
    };
  });

  interface Sequence {
    events: { detailType: CirculationDetailType; detail: PlannedEvent['detail']; sendAt: number }[];
  }
  const sequences: Sequence[] = [];
  const statistics: Record<string, number> = {};
  const count = (counter: string, ms: number) => {
    const key = `${counter}|${dayIn(options.timeZone, new Date(ms))}`;
    statistics[key] = (statistics[key] ?? 0) + 1;
  };
  const expected = { history: {} as Record<string, number>, openLoans: {}, returnedLoans: {}, openHolds: {}, openFines: {} } as {
    history: Record<string, number>;
    openLoans: Record<string, string[]>;
    returnedLoans: Record<string, string[]>;
    openHolds: Record<string, string[]>;
    openFines: Record<string, string[]>;
  };
  const note = (list: Record<string, string[]>, patronId: string, id: string) => {
    list[patronId] = [...(list[patronId] ?? []), id];
  };

  let budget = unique - registrations.length;
  for (let index = 0; budget > 0; index++) {
    const patronId = pick(patronIds);
    const startAt = start + Math.floor(next() * 3 * 24 * HOUR - 2 * HOUR);
    const sequence: Sequence = { events: [] };
    const add = (detailType: CirculationDetailType, ms: number, detail: Record<string, unknown>) => {
      if (budget <= 0) return false;
      budget--;
      sequence.events.push({ detailType, sendAt: ms, detail: { eventId: eventId(), occurredAt: at(ms), patronId, ...detail } });
      return true;
    };
    const kind = next();
    if (kind < 0.6) {
      const loanId = `${runId}-loan${index}`;
      const { branch } = pick(options.branches);
      // Half the returns fall on the day of the checkout, at the same branch: the collision case.
      const sameDay = next() < 0.5;
      const returnAt = startAt + (sameDay ? Math.floor(next() * 2 * HOUR) + 60_000 : Math.floor(next() * 30 * HOUR) + HOUR);
      add('ItemCheckedOut', startAt, {
        loanId,
        itemId: `${runId}-item${index}`,
        title: pick(TITLES),
        materialType: pick(MATERIALS),
        branch,
        dueAt: at(startAt + 21 * 24 * HOUR),
      });
      count('checkouts', startAt);
      let returned = false;
      if (next() < 0.3 && add('LoanRenewed', startAt + 30 * 60_000, { loanId, dueAt: at(startAt + 35 * 24 * HOUR) }))
        count('renewals', startAt + 30 * 60_000);
      if (next() < 0.8 && add('ItemReturned', returnAt, { loanId, branch })) {
        count('returns', returnAt);
        returned = true;
        if (keepsHistory.get(patronId)) expected.history[patronId] = (expected.history[patronId] ?? 0) + 1;
      }
      note(returned ? expected.returnedLoans : expected.openLoans, patronId, loanId);
    } else if (kind < 0.85) {
      const holdId = `${runId}-hold${index}`;
      add('HoldReady', startAt, {
        holdId,
        title: pick(TITLES),
        pickupBranch: pick(options.branches).branch,
        pickupBy: at(options.now.getTime() + 7 * 24 * HOUR),
      });
      const closed = next() < 0.8 && add('HoldClosed', startAt + Math.floor(next() * 20 * HOUR) + 60_000, { holdId, reason: 'picked-up' });
      if (!closed) note(expected.openHolds, patronId, holdId);
    } else {
      const fineId = `${runId}-fine${index}`;
      add('FineAssessed', startAt, { fineId, amount: (1 + Math.floor(next() * 900) / 100).toFixed(2), currency: 'USD', reason: 'overdue' });
      const resolved =
        next() < 0.8 &&
        add('FineResolved', startAt + Math.floor(next() * 20 * HOUR) + 60_000, { fineId, resolution: next() < 0.7 ? 'paid' : 'waived' });
      if (!resolved) note(expected.openFines, patronId, fineId);
    }
    sequences.push(sequence);
  }

  // Out of order: the later event of a pair is sent just before the earlier one.
  let reversedPairs = 0;
  for (const sequence of sequences) {
    const [first, second] = sequence.events;
    if (!first || !second || next() >= options.outOfOrderShare) continue;
    second.sendAt = first.sendAt - 1;
    reversedPairs++;
  }
  const originals = sequences.flatMap((sequence) => sequence.events);
  const delivery: { event: PlannedEvent; sendAt: number }[] = originals.map((event) => ({
    sendAt: event.sendAt,
    event: { detailType: event.detailType, detail: event.detail, duplicate: false },
  }));
  // Duplicates: an exact copy (same eventId) sent again, some soon after, some hours later.
  for (let index = 0; index < duplicates; index++) {
    const original = pick(originals);
    delivery.push({
      sendAt: original.sendAt + Math.floor(next() * 12 * HOUR),
      event: { detailType: original.detailType, detail: original.detail, duplicate: true },
    });
  }
  delivery.sort((a, b) => a.sendAt - b.sendAt);

  return {
    runId,
    patronIds,
    registrations,
    circulation: delivery.map((item) => item.event),
    expected: { statistics, ...expected },
    counts: { unique, duplicates, reversedPairs },
  };
}
