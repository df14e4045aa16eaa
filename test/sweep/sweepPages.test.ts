/**
 * The daily sweep against in-memory fakes of its ports: which pages a run starts, how a page becomes
 * one digest per patron (a patron's items never split across pages), member libraries' own timings,
 * and why a page delivered twice asks for nothing twice. The DynamoDB sweep index is proved against
 * DynamoDB Local by test/sweep/sweep.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { isNoticeRequest, type NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { Sweep, type SweepPage } from '#shared/sweep/sweep.ts';
import { sweepShard } from '#shared/sweep/sweepKeys.ts';
import { SWEEP_SHARDS } from '#shared/table/tableDefinition.ts';
import { testConfig } from '#test/helpers/factories.ts';
import { MemoryNoticeQueue, MemoryPageLog, MemorySweepIndex } from '#test/helpers/memoryStores.ts';

const runDay = '2026-11-21';
const dueDay = '2026-11-24';

describe('Class: Sweep (in-memory ports)', () => {
  let index: MemorySweepIndex;
  let queue: MemoryNoticeQueue;
  let pages: MemoryPageLog;

  beforeEach(() => {
    index = new MemorySweepIndex();
    queue = new MemoryNoticeQueue();
    pages = new MemoryPageLog();
  });

  const sweepOf = (pageSize = 3, config: ConsortiumConfig = testConfig) =>
    new Sweep({ index, pages, queue, config, clock: fixedClock(`${runDay}T13:00:00Z`), pageSize });

  /** Runs every page the run queues (and the pages they queue), at most `limit`; returns the requests. */
  async function run(sweep: Sweep, limit = 500): Promise<NoticeRequest[]> {
    const pending: SweepPage[] = await sweep.start(runDay);
    queue.take();
    const requests: NoticeRequest[] = [];
    for (let step = 0; pending.length > 0; step++) {
      if (step >= limit) throw new Error('the sweep did not end');
      await sweep.page(pending.shift()!);
      const queued = queue.take();
      requests.push(...queued.filter(isNoticeRequest));
      for (const message of queued) if ('sweep' in message) pending.push(message.sweep);
    }
    return requests;
  }

  const loan = (patronId: string, loanId: string, title: string, dueAt = `${dueDay}T23:59:00-05:00`, branch = 'riverside-main') => ({
    patronId,
    loanId,
    title,
    dueAt,
    branch,
  });

  describe('Method: start', () => {
    it('queues the first page of every kind, configured offset and shard', async () => {
      const started = await sweepOf().start(runDay);
      const targets = [...new Set(started.map((page) => `${page.kind}:${page.offset}:${page.targetDay}`))];
      expect(targets).toEqual([
        'due-soon:3:2026-11-24',
        'overdue:1:2026-11-20',
        'overdue:7:2026-11-14',
        'overdue:14:2026-11-07',
        'hold-expiring:1:2026-11-22',
      ]);
      expect(started).toHaveLength(targets.length * SWEEP_SHARDS);
      expect(queue.messages).toHaveLength(started.length);
    });

    it('adds the offsets a member library sets for itself', async () => {
      const config = {
        ...testConfig,
        libraries: testConfig.libraries.map((lib) => (lib.id === 'maplewood' ? { ...lib, notices: { dueSoonDaysBefore: 2 } } : lib)),
      };
      const started = await sweepOf(3, config).start(runDay);
      expect([...new Set(started.filter((page) => page.kind === 'due-soon').map((page) => page.targetDay))]).toEqual([
        '2026-11-23',
        '2026-11-24',
      ]);
    });
  });

  describe('Method: page', () => {
    it('asks for one digest per patron listing all of their items, even when a group spans pages', async () => {
      for (const title of ['Kindred', 'Dawn', 'Wild Seed', 'Fledgling', 'Imago'])
        index.addLoan(dueDay, loan('P-reader', `L-${title}`, title));
      index.addLoan(dueDay, loan('P-reader', 'L-early', 'Early', `${dueDay}T09:00:00-05:00`));
      for (const n of [1, 2, 3, 4, 5]) index.addLoan(dueDay, loan(`P-n${n}`, `L-n${n}`, 'Neighbour'));

      const requests = await run(sweepOf(3));

      expect(requests.map((request) => request.patronId).sort()).toEqual(['P-n1', 'P-n2', 'P-n3', 'P-n4', 'P-n5', 'P-reader']);
      const digest = requests.find((request) => request.patronId === 'P-reader');
      expect(digest).toMatchObject({ kind: 'due-soon', subjectId: dueDay, subjectVersion: 'due-soon-3', causationId: `sweep-${runDay}` });
      // Ids only, by due time: the notifier reads the titles when it sends.
      expect(digest && 'loanIds' in digest ? digest.loanIds : []).toEqual([
        'L-early',
        'L-Dawn',
        'L-Fledgling',
        'L-Imago',
        'L-Kindred',
        'L-Wild Seed',
      ]);
    });

    it('ends a page before a patron whose items it would split, and resumes with that patron', async () => {
      // Two patrons of one shard: the first page (3 items) would end inside the second one's group.
      const ids = Array.from({ length: 64 }, (_, n) => `P-${n}`);
      const first = ids[0]!;
      const second = ids.find((id) => id > first && sweepShard(id) === sweepShard(first))!;
      index.addLoan(dueDay, loan(first, 'L-a', 'Alone'));
      for (const title of ['B1', 'B2', 'B3', 'B4']) index.addLoan(dueDay, loan(second, `L-${title}`, title));

      const requests = await run(sweepOf(3));

      expect(requests.map((request) => [request.patronId, 'loanIds' in request ? request.loanIds : []])).toEqual([
        [first, ['L-a']],
        [second, ['L-B1', 'L-B2', 'L-B3', 'L-B4']],
      ]);
    });

    it('leaves out loans no longer open, and loans of a library that reminds on another day', async () => {
      const config = {
        ...testConfig,
        libraries: testConfig.libraries.map((lib) => (lib.id === 'maplewood' ? { ...lib, notices: { dueSoonDaysBefore: 2 } } : lib)),
      };
      index.addLoan(dueDay, loan('P-open', 'L-1', 'Open'));
      index.addLoan(dueDay, { ...loan('P-returned', 'L-2', 'Kept for a fine'), active: false });
      index.addLoan(dueDay, loan('P-maple', 'L-3', 'Maplewood', undefined, 'maplewood-central'));
      index.addLoan('2026-11-23', loan('P-maple-2', 'L-4', 'Maplewood', '2026-11-23T12:00:00-05:00', 'maplewood-central'));

      const requests = await run(sweepOf(3, config));

      expect(requests.map((request) => [request.patronId, request.subjectId])).toEqual(
        expect.arrayContaining([
          ['P-open', dueDay],
          ['P-maple-2', '2026-11-23'],
        ]),
      );
      expect(requests).toHaveLength(2);
    });

    it('asks for the overdue notice on each configured day after the due date', async () => {
      index.addLoan('2026-11-20', loan('P-late', 'L-1', 'One day', '2026-11-20T12:00:00-05:00'));
      index.addLoan('2026-11-14', loan('P-later', 'L-2', 'Seven days', '2026-11-14T12:00:00-05:00'));
      index.addLoan('2026-11-13', loan('P-between', 'L-3', 'Eight days', '2026-11-13T12:00:00-05:00'));

      const requests = await run(sweepOf(3));

      expect(requests.map((request) => `${request.kind}:${request.patronId}:${request.subjectVersion}`).sort()).toEqual([
        'overdue:P-late:overdue-1',
        'overdue:P-later:overdue-7',
      ]);
    });

    it('asks for a hold-expiring notice per hold to pick up the next day', async () => {
      const hold = {
        patronId: 'P-hold',
        holdId: 'H-1',
        title: 'Octavia',
        pickupBranch: 'riverside-north',
        pickupBy: '2026-11-22T20:00:00-05:00',
      };
      index.addHold('2026-11-22', hold);

      expect(await run(sweepOf(3))).toEqual([
        // Ids only: the notifier reads the title and pick-up details from the hold when it sends.
        {
          type: 'notice',
          kind: 'hold-expiring',
          patronId: 'P-hold',
          subjectId: 'H-1',
          subjectVersion: hold.pickupBy,
          causationId: `sweep-${runDay}`,
        },
      ]);
    });

    it('skips a page delivered twice, and a second run of the day asks for nothing', async () => {
      for (let n = 0; n < 12; n++) index.addLoan(dueDay, loan(`P-${n}`, `L-${n}`, 'Book'));
      const sweep = sweepOf(2);
      expect(await run(sweep)).toHaveLength(12);

      const [first] = await sweep.start(runDay);
      queue.take();
      expect(await sweep.page(first!)).toEqual({ read: 0, requests: 0 });
      expect(queue.messages).toEqual([]);
      expect(await run(sweep)).toEqual([]);
    });
  });
});
