/**
 * In-memory fakes of the domain's ports, for tests of the domain services that need no emulator.
 * They keep the ports' promises that the services rely on (versions checked on save, tombstones
 * absorbing late events), not DynamoDB's details; the adapters are tested against DynamoDB Local.
 */
import { ConcurrentUpdateError } from '#shared/errors.ts';
import { emptyLoanState, statTotals, type HistoryEntry, type LoanState, type StatIncrement } from '#shared/circulation/loans.ts';
import type { AssessedFine, CirculationStore, OpenFine, StoredLoan } from '#shared/circulation/circulationStore.ts';
import type { Hold, HoldStore } from '#shared/holds/holdStore.ts';
import type { ConsentLedgerEntry, PatronProfile } from '#shared/patrons/patronProfile.ts';
import type { PatronStore } from '#shared/patrons/patronRepository.ts';
import type { PolicyStore, PolicyVersion } from '#shared/policy/policyStore.ts';
import type { DetailOf } from '#shared/events/contract.ts';
import type { LoanAnswer, RenewalRequest, RenewalStore, RequestNamingLoan } from '#shared/sms/renewalRequests.ts';
import type { ReplayGuard } from '#shared/ilsBridge/replayGuard.ts';
import { isNoticeRequest, type NoticeRequest, type NotifierMessage } from '#shared/notices/noticeKinds.ts';
import type { EnqueueOptions, NoticeQueue } from '#shared/notices/noticeQueue.ts';
import type { PageKey, PageLog } from '#shared/notices/pageLog.ts';
import {
  audienceShard,
  type AudienceIndex,
  type AudienceMember,
  type AudiencePage,
  type AudienceQuery,
} from '#shared/patrons/audienceIndex.ts';
import type { SweepEntry, SweepHoldEntry, SweepIndex, SweepLoanEntry, SweepRead, SweepTarget } from '#shared/sweep/sweepIndex.ts';
import { sweepShard } from '#shared/sweep/sweepKeys.ts';

export class MemoryPatronStore implements PatronStore {
  public readonly profiles = new Map<string, PatronProfile>();
  public readonly entries: ConsentLedgerEntry[] = [];
  public async get(patronId: string) {
    return this.profiles.get(patronId);
  }
  public async save(profile: PatronProfile, ledger: readonly ConsentLedgerEntry[]) {
    if ((this.profiles.get(profile.patronId)?.version ?? 0) !== profile.version)
      throw new ConcurrentUpdateError('patron profile changed concurrently');
    this.profiles.set(profile.patronId, { ...profile, version: profile.version + 1 });
    this.entries.push(...ledger);
  }
  public async ledger(patronId: string) {
    return this.entries.filter((entry) => entry.patronId === patronId);
  }
  public async purgeRecords() {
    return 0;
  }
  public async idsByPhoneIndex() {
    return [];
  }
}

export class MemoryCirculationStore implements CirculationStore {
  public readonly loans = new Map<string, StoredLoan>();
  public readonly statistics = new Map<string, Record<string, number>>();
  public readonly history: HistoryEntry[] = [];
  public readonly fines = new Map<string, AssessedFine>();
  public readonly resolvedFines = new Set<string>();
  public readonly closedHolds = new Set<string>();
  /** Conflicts to raise on the next saves, as a concurrent writer would cause them. */
  public conflicts = 0;

  public async loan(_patronId: string, loanId: string): Promise<StoredLoan> {
    return this.loans.get(loanId) ?? { state: emptyLoanState, loanVersion: 0, tombstoneVersion: 0 };
  }
  public async saveLoan(
    _patronId: string,
    loanId: string,
    stored: StoredLoan,
    next: LoanState,
    stats: readonly StatIncrement[],
    history: HistoryEntry | undefined,
  ) {
    const current = await this.loan(_patronId, loanId);
    if (this.conflicts > 0 || current.loanVersion !== stored.loanVersion || current.tombstoneVersion !== stored.tombstoneVersion) {
      this.conflicts = Math.max(0, this.conflicts - 1);
      throw new ConcurrentUpdateError('circulation record changed concurrently');
    }
    this.loans.set(loanId, {
      state: next,
      loanVersion: stored.loanVersion + 1,
      tombstoneVersion: stored.tombstoneVersion + (next.returnedAt === undefined ? 0 : 1),
    });
    for (const total of statTotals(stats)) {
      const key = `${total.day}#${total.branch}#${total.materialType}`;
      const counts = this.statistics.get(key) ?? {};
      for (const [counter, count] of Object.entries(total.counts)) counts[counter] = (counts[counter] ?? 0) + count;
      this.statistics.set(key, counts);
    }
    if (history) this.history.push(history);
  }
  public async openFines(patronId: string): Promise<OpenFine[]> {
    return [...this.fines.values()]
      .filter((fine) => fine.patronId === patronId)
      .map((fine) => ({ fineId: fine.fineId, loanId: fine.loanId }));
  }
  public async assessFine(fine: AssessedFine) {
    if (this.resolvedFines.has(fine.fineId)) return 'resolved' as const;
    const current = this.fines.get(fine.fineId);
    if (current && (current.assessedAt > fine.assessedAt || (current.assessedAt === fine.assessedAt && current.eventId >= fine.eventId)))
      return 'exists' as const;
    this.fines.set(fine.fineId, fine);
    return 'created' as const;
  }
  public async resolveFine(_patronId: string, fineId: string) {
    const fine = this.fines.get(fineId);
    this.fines.delete(fineId);
    this.resolvedFines.add(fineId);
    return fine?.loanId;
  }
  public async closeHold(_patronId: string, holdId: string) {
    this.closedHolds.add(holdId);
  }
}

export class MemoryHoldStore implements HoldStore {
  public readonly holds = new Map<string, Hold>();
  public constructor(private readonly closed: ReadonlySet<string>) {}
  public async putReady(hold: Hold) {
    const current = this.holds.get(hold.holdId);
    if (this.closed.has(hold.holdId) || (current && current.readyAt > hold.readyAt)) return false;
    this.holds.set(hold.holdId, hold);
    return true;
  }
  public async readyHolds(patronId: string) {
    return [...this.holds.values()]
      .filter((hold) => hold.patronId === patronId && !this.closed.has(hold.holdId))
      .map(({ holdId, pickupBy }) => ({ holdId, pickupBy }));
  }
}

export class MemoryPolicyStore implements PolicyStore {
  public version: PolicyVersion | undefined;
  public async current() {
    return this.version;
  }
  public async record(event: DetailOf<'PrivacyPolicyUpdated'>) {
    this.version = { policyVersion: event.policyVersion, summary: event.summary } as PolicyVersion;
    return true;
  }
}

/** Renewal requests in memory, with the same conditions as the DynamoDB adapter. */
export class MemoryRenewalStore implements RenewalStore {
  public readonly requests = new Map<string, RenewalRequest>();
  /** `<patronId> <loanId>` → the requests naming that loan. */
  public readonly naming = new Map<string, Map<string, RequestNamingLoan>>();

  public async noteLoans(request: RenewalRequest): Promise<void> {
    for (const [loanId, loan] of Object.entries(request.loans)) {
      const notes = this.naming.get(`${loan.patronId} ${loanId}`) ?? new Map<string, RequestNamingLoan>();
      notes.set(request.requestId, { requestId: request.requestId, requestedAt: request.requestedAt, deadline: request.deadline });
      this.naming.set(`${loan.patronId} ${loanId}`, notes);
    }
  }

  public async requestsNaming(patronId: string, loanId: string): Promise<RequestNamingLoan[]> {
    return [...(this.naming.get(`${patronId} ${loanId}`)?.values() ?? [])];
  }

  public async create(request: RenewalRequest): Promise<boolean> {
    if (this.requests.has(request.requestId)) return false;
    this.requests.set(request.requestId, structuredClone(request));
    return true;
  }

  public async get(requestId: string): Promise<RenewalRequest | undefined> {
    const request = this.requests.get(requestId);
    return request && structuredClone(request);
  }

  public async answer(requestId: string, loanId: string, answer: LoanAnswer): Promise<boolean> {
    const request = this.requests.get(requestId);
    const loan = request?.loans[loanId];
    if (request === undefined || loan === undefined || loan.outcome.state !== 'pending') return false;
    this.requests.set(requestId, { ...request, loans: { ...request.loans, [loanId]: { ...loan, outcome: answer } } });
    return true;
  }

  public async close(requestId: string, closedAs: 'answered' | 'timed-out', reply: string): Promise<boolean> {
    const request = this.requests.get(requestId);
    if (request === undefined || request.status !== 'open') return false;
    this.requests.set(requestId, { ...request, status: 'closed', closedAs, reply });
    return true;
  }
}

export class MemoryNoticeQueue implements NoticeQueue {
  public readonly messages: NotifierMessage[] = [];
  /** Messages sent with a delay: held until {@link release}. */
  public readonly delayed: NotifierMessage[] = [];
  public async enqueue(messages: readonly NotifierMessage[], options: EnqueueOptions = {}): Promise<void> {
    (options.delaySeconds ? this.delayed : this.messages).push(...messages);
  }
  /** The delays are over: delayed messages become deliverable. */
  public release(): void {
    this.messages.push(...this.delayed.splice(0, this.delayed.length));
  }
  /** The notice requests waiting (fan-out pages left out). */
  public get requests(): NoticeRequest[] {
    return this.messages.filter(isNoticeRequest);
  }
  public take(): NotifierMessage[] {
    return this.messages.splice(0, this.messages.length);
  }
}

export class MemoryPageLog implements PageLog {
  public readonly marked = new Set<string>();
  public async done(key: PageKey) {
    return this.marked.has(`${key.pk}|${key.sk}`);
  }
  public async markDone(key: PageKey) {
    this.marked.add(`${key.pk}|${key.sk}`);
  }
}

/**
 * The sweep index as the DynamoDB adapter reads it: entries of a partition in (patron, item) order,
 * a cursor after every full page (even when nothing follows, as DynamoDB does), and the patron's
 * shard computed as the table computes it.
 */
export class MemorySweepIndex implements SweepIndex {
  private readonly partitions = new Map<string, SweepEntry[]>();
  /** Reads served, to show how a page reads on. */
  public reads = 0;

  public addLoan(dueDay: string, loan: Omit<SweepLoanEntry, 'type' | 'position' | 'active'> & { active?: boolean }): void {
    this.add(
      { target: 'DUE', day: dueDay, shard: sweepShard(loan.patronId) },
      { type: 'loan', active: true, ...loan, position: `${loan.patronId}#${loan.loanId}` },
    );
  }
  public addHold(pickupDay: string, hold: Omit<SweepHoldEntry, 'type' | 'position'>): void {
    this.add(
      { target: 'PICKUP', day: pickupDay, shard: sweepShard(hold.patronId) },
      { type: 'hold', ...hold, position: `${hold.patronId}#${hold.holdId}` },
    );
  }
  private add(target: SweepTarget, entry: SweepEntry): void {
    const key = `${target.target}#${target.day}#${target.shard}`;
    const list = [...(this.partitions.get(key) ?? []), entry].sort((a, b) =>
      a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
    );
    this.partitions.set(key, list);
  }
  public async read(target: SweepTarget, limit: number, cursor: string | undefined): Promise<SweepRead> {
    this.reads++;
    const all = this.partitions.get(`${target.target}#${target.day}#${target.shard}`) ?? [];
    const from = cursor === undefined ? all : all.filter((entry) => entry.position > cursor);
    const entries = from.slice(0, limit);
    return { entries, cursor: entries.length === limit ? entries[entries.length - 1]!.position : undefined };
  }
}

/** The audience index: open accounts by shard, in `<library>#<patronId>` order, paged as DynamoDB pages. */
export class MemoryAudienceIndex implements AudienceIndex {
  private readonly members: { key: string; shard: number; member: AudienceMember }[] = [];

  public add(member: AudienceMember, library: string | undefined): void {
    this.members.push({ key: `${library ?? '-'}#${member.patronId}`, shard: audienceShard(member.patronId), member });
    this.members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  public async page(query: AudienceQuery): Promise<AudiencePage> {
    const cursor = query.cursor;
    const matching = this.members.filter(
      (entry) =>
        entry.shard === query.shard &&
        (query.library === undefined || entry.key.startsWith(`${query.library}#`)) &&
        (cursor === undefined || entry.key > cursor),
    );
    const page = query.limit === undefined ? matching : matching.slice(0, query.limit);
    const full = query.limit !== undefined && page.length === query.limit;
    return { members: page.map((entry) => entry.member), cursor: full ? page[page.length - 1]!.key : undefined };
  }
}

/** Signatures seen, as the DynamoDB guard's conditional put remembers them. */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Set<string>();
  public async firstUse(signature: string) {
    if (this.seen.has(signature)) return false;
    this.seen.add(signature);
    return true;
  }
}
