/**
 * The sandbox's state on disk (`dataDir`): stopped and started again on the same folder, it still has
 * the patron, the outbox and the published events; without a folder, nothing survives.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '#sandbox/sandbox.ts';
import { STATE_FILE } from '#sandbox/persistence.ts';
import { FUTURE_PICKUP_BY, holdReady, patronRegistered } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

describe('Sandbox: state kept on disk', () => {
  const folder = mkdtempSync(join(tmpdir(), 'bookdrop-data-'));
  const dataDir = join(folder, 'data');
  let running: TestSandbox | undefined;

  /** The first start moves the clock to noon (texts wait out quiet hours); a restart keeps the saved clock. */
  const start = async (atNoon: boolean) => {
    running = await startTestSandbox({ dir: folder, dataDir, atNoon });
    return running.sandbox;
  };
  const stop = async () => {
    await running?.stop();
    running = undefined;
  };
  afterAll(stop);

  it('has the patron, the outbox and the published events after a restart on the same folder, and a redelivery sends nothing', async () => {
    const patron = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
    const hold = holdReady(patron.patronId, { pickupBy: FUTURE_PICKUP_BY });
    const first = await start(true);
    const put = (sandbox: Sandbox, detailType: string, detail: unknown) =>
      sandbox.putEvents([{ Source: 'library.circulation', DetailType: detailType, Detail: JSON.stringify(detail) }]);
    await put(first, 'PatronRegistered', patron);
    await put(first, 'HoldReady', hold);
    const before = await first.outbox();
    const publishedBefore = first.published.length;
    await stop();

    expect(readdirSync(dataDir).sort()).toEqual(['dynamodb', STATE_FILE]);

    const second = await start(false);
    const report = await second.patron(patron.patronId);
    const after = await second.outbox();

    expect(report.profile).not.toBeNull();
    expect(report.holds).toHaveLength(1);
    expect(after).toEqual(before);
    expect(after.sms.filter((sms) => sms.to === patron.contact.phone)).toHaveLength(2);
    expect(second.published).toHaveLength(publishedBefore);
    expect(second.status().persistence).toEqual({ dataDir });
    // Applied (not dead-lettered), and still nothing sent: the notice records survived the restart.
    expect(await put(second, 'HoldReady', hold)).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    expect(await second.outbox()).toEqual(before);
  }, 240_000);
});
