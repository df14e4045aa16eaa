/**
 * A sandbox with a data folder stopped (Ctrl-C) while a batch is being processed keeps that batch's
 * messages: started again on the same folder, it delivers them, as SQS makes an unfinished message
 * visible again when its consumer dies. Before, a message in flight at the save was in no list and was lost.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalQueue } from '#sandbox/localQueues.ts';
import type { Sandbox } from '#sandbox/sandbox.ts';
import { FUTURE_PICKUP_BY, holdReady, patronRegistered } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

describe('Sandbox: stopped in the middle of a batch', () => {
  const folder = mkdtempSync(join(tmpdir(), 'bookdrop-data-'));
  const dataDir = join(folder, 'data');
  let running: TestSandbox | undefined;
  afterAll(async () => {
    await running?.stop();
  });

  const circulationQueue = (sandbox: Sandbox) => (sandbox as unknown as { queues: { circulation: LocalQueue } }).queues.circulation;
  const put = (sandbox: Sandbox, detailType: string, detail: unknown) =>
    sandbox.putEvents([{ Source: 'library.circulation', DetailType: detailType, Detail: JSON.stringify(detail) }]);

  it('keeps the message of a batch in flight at stop for the next start', async () => {
    running = await startTestSandbox({ dir: folder, dataDir, atNoon: true });
    const first = running.sandbox;
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: false } });
    await put(first, 'PatronRegistered', patron);

    // The ILS's request fails with the stop (it would send again); what matters is the queue.
    const hold = holdReady(patron.patronId, { pickupBy: FUTURE_PICKUP_BY });
    const pending = put(first, 'HoldReady', hold).catch(() => undefined);
    for (let wait = 0; wait < 200 && circulationQueue(first).inFlight === 0; wait++) await new Promise((resolve) => setImmediate(resolve));
    expect(circulationQueue(first).inFlight).toBe(1);
    await running.stop();
    running = undefined;
    await pending;

    // Started again on the folder, the hold's event waits in its queue and is delivered with the next work.
    // Whether the interrupted handler wrote the hold before DynamoDB Local stopped is a race; either way
    // the redelivery applies it once (checked below), so the test does not look at the table here.
    running = await startTestSandbox({ dir: folder, dataDir, atNoon: false });
    const second = running.sandbox;
    const kept = circulationQueue(second)
      .snapshot()
      .messages.map((message) => (JSON.parse(message.body) as { detail: { eventId: string } }).detail);
    expect(kept.map((detail) => detail.eventId)).toEqual([hold.eventId]);
    expect((await put(second, 'PatronRegistered', patronRegistered())).FailedEntryCount).toBe(0);
    expect((await second.patron(patron.patronId)).holds).toHaveLength(1);
    expect(second.status().queues.every((queue) => queue.depth === 0 && queue.deadLetters === 0)).toBe(true);
  }, 240_000);
});
