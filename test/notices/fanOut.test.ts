/**
 * The fan-out of service and policy updates against in-memory fakes of its ports: who gets a
 * request, how a shard is paged, and why a page delivered twice asks for nothing twice. The DynamoDB
 * audience index and page log are proved against DynamoDB Local by the pipeline tests.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { FanOut, fanOutStart } from '#shared/notices/fanOut.ts';
import { isNoticeRequest, type FanOutPage, type NoticeRequest, type NotifierMessage } from '#shared/notices/noticeKinds.ts';
import type { AudienceMember } from '#shared/patrons/audienceIndex.ts';
import { AUDIENCE_SHARDS } from '#shared/table/tableDefinition.ts';
import { MemoryAudienceIndex, MemoryNoticeQueue, MemoryPageLog } from '#test/helpers/memoryStores.ts';

const at = '2026-11-05T15:00:00.000Z';
const now = new Date(at);

function member(patronId: string, consent: { sms?: boolean; email?: boolean }): AudienceMember {
  const state = (optedIn: boolean) => ({
    optedIn,
    source: 'registration' as const,
    at,
    policyVersion: '2026-09',
    evidenceId: `evt-${patronId}`,
  });
  return {
    patronId,
    consent: {
      ...(consent.sms === undefined ? {} : { sms: state(consent.sms) }),
      ...(consent.email === undefined ? {} : { email: state(consent.email) }),
    },
    suppression: {},
  };
}

const update = {
  kind: 'service-update' as const,
  subjectId: 'evt-1',
  subjectVersion: '1',
  causationId: 'evt-1',
  message: { en: 'Closed Monday.' },
};

describe('Class: FanOut (in-memory ports)', () => {
  let audience: MemoryAudienceIndex;
  let queue: MemoryNoticeQueue;
  let pages: MemoryPageLog;

  beforeEach(() => {
    audience = new MemoryAudienceIndex();
    queue = new MemoryNoticeQueue();
    pages = new MemoryPageLog();
  });

  /** Delivers every queued page (and the pages they queue) at most `limit` times; returns the requests. */
  async function drain(fanOut: FanOut, first: NotifierMessage[], limit = 200) {
    const pending = [...first];
    const requests: NoticeRequest[] = [];
    for (let step = 0; pending.length > 0; step++) {
      if (step >= limit) throw new Error('the fan-out did not end');
      const message = pending.shift()!;
      if ('fanOut' in message) await fanOut.page(message.fanOut, now);
      const queued = queue.take();
      requests.push(...queued.filter(isNoticeRequest));
      pending.push(...queued.filter((next) => 'fanOut' in next));
    }
    return requests;
  }

  it('starts one page per audience shard', () => {
    expect(fanOutStart(update).map((page) => page.fanOut.shard)).toEqual(Array.from({ length: AUDIENCE_SHARDS }, (_, shard) => shard));
  });

  it('asks for one notice per patron opted in to a channel, across every shard and page, and none for the others', async () => {
    const reachable = Array.from({ length: 23 }, (_, index) => `P-in-${index}`);
    for (const [index, id] of reachable.entries())
      audience.add(member(id, index % 2 === 0 ? { sms: true } : { sms: false, email: true }), 'riverside');
    audience.add(member('P-out', { sms: false, email: false }), 'riverside');
    audience.add(member('P-none', {}), 'maplewood');
    const fanOut = new FanOut({ audience, pages, queue, pageSize: 2 });

    const requests = await drain(fanOut, fanOutStart(update));

    expect(requests.map((request) => request.patronId).sort()).toEqual([...reachable].sort());
    expect(requests.every((request) => request.kind === 'service-update' && request.subjectId === 'evt-1')).toBe(true);
  });

  it('reaches only the member library named by the update', async () => {
    audience.add(member('P-river', { sms: true }), 'riverside');
    audience.add(member('P-maple', { email: true }), 'maplewood');
    audience.add(member('P-none', { sms: true }), undefined);
    const fanOut = new FanOut({ audience, pages, queue });

    const requests = await drain(fanOut, fanOutStart({ ...update, library: 'maplewood' }));
    expect(requests.map((request) => request.patronId)).toEqual(['P-maple']);
  });

  it('carries the policy summary of a policy update', async () => {
    audience.add(member('P-1', { sms: true }), 'riverside');
    const fanOut = new FanOut({ audience, pages, queue });
    const policy = {
      kind: 'policy-update' as const,
      subjectId: '2026-12',
      subjectVersion: '2026-12',
      causationId: 'evt-2',
      policy: { policyVersion: '2026-12', summary: { en: 'New.' } },
    };
    const requests = await drain(fanOut, fanOutStart(policy as Omit<Extract<FanOutPage, { kind: 'policy-update' }>, 'shard' | 'cursor'>));
    expect(requests).toEqual([expect.objectContaining({ kind: 'policy-update', patronId: 'P-1', policy: policy.policy })]);
  });

  it('skips a page delivered twice: it neither asks again nor starts a second chain of pages', async () => {
    for (let index = 0; index < 40; index++) audience.add(member(`P-${index}`, { sms: true }), 'riverside');
    const fanOut = new FanOut({ audience, pages, queue, pageSize: 3 });
    const shardPages = fanOutStart(update);
    // Find a shard with a next page, so the duplicate could start a second chain.
    let first: { fanOut: FanOutPage } | undefined;
    for (const page of shardPages) {
      await fanOut.page(page.fanOut, now);
      if (queue.messages.some((message) => 'fanOut' in message)) {
        first = page;
        break;
      }
      queue.take();
    }
    expect(first).toBeDefined();
    const once = queue.take();

    expect(await fanOut.page(first!.fanOut, now)).toBe(0);
    expect(queue.messages).toEqual([]);
    expect(once.filter(isNoticeRequest)).toHaveLength(3);
  });
});
