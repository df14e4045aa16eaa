/**
 * The sandbox when an emulator dies: `/sandbox/status` says so plainly, a request whose event was
 * applied still succeeds (never a 500), the work that failed meanwhile waits in the dead-letter lists,
 * and `POST /sandbox/redrive` starts the emulator again and reruns it. Real processes are killed here
 * (the ones this test's sandbox started); the supervisor's restart logic is also tested on its own.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '#sandbox/emulator.ts';
import type { LocalService } from '#sandbox/localServices.ts';
import type { Outbox } from '#sandbox/sandbox.ts';
import { FUTURE_PICKUP_BY, holdReady, patronRegistered } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

/** A stand-in process: `die()` makes it exit as if killed. */
function fakeService(port: number, pid: number) {
  let onExit: ((reason: string) => void) | undefined;
  const service: LocalService & { die(): void } = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid,
    onUnexpectedExit: (listener) => (onExit = listener),
    stop: async () => undefined,
    die: () => onExit?.('killed by SIGKILL'),
  };
  return service;
}

describe('Class: Emulator', () => {
  it('restarts a dead emulator on the same port, says what it means for the data, and stops after the limit', async () => {
    const started: ReturnType<typeof fakeService>[] = [];
    const emulator = await Emulator.start('local SES', {
      start: async (port) => {
        const service = fakeService(port ?? 4567, 100 + started.length);
        started.push(service);
        return service;
      },
      probe: async () => true,
      lossOnRestart: 'Emails sent before are kept.',
      maxRestarts: 1,
    });
    let restartedHooks = 0;
    emulator.afterRestart = async () => {
      restartedHooks++;
    };

    started[0]!.die();
    await emulator.ready();
    const afterOne = await emulator.health();
    started[1]!.die();
    await emulator.ready();
    const afterTwo = await emulator.health();

    expect(started.map((service) => service.port)).toEqual([4567, 4567]);
    expect(restartedHooks).toBe(1);
    expect(afterOne).toMatchObject({ state: 'up', restarts: 1, pid: 101, note: expect.stringContaining('Emails sent before are kept.') });
    expect(afterTwo).toMatchObject({ state: 'down', restarts: 1, action: expect.stringContaining('POST /sandbox/redrive') });
  });

  it('reports an emulator that stopped answering as down, with what to do', async () => {
    const emulator = await Emulator.start('DynamoDB Local', {
      start: async () => fakeService(4568, 7),
      probe: async () => false,
      lossOnRestart: '',
    });
    expect(await emulator.health()).toMatchObject({ state: 'down', action: expect.stringContaining('start it again') });
  });
});

describe('Sandbox: an emulator dies', () => {
  let running: TestSandbox;
  let api: string;
  /** No retries: a request made while an emulator is down reaches the sandbox once. */
  let events: EventBridgeClient;

  beforeAll(async () => {
    // No automatic restart: the emulator stays down until redrive, so the test controls the window.
    running = await startTestSandbox({ maxEmulatorRestarts: 0 });
    ({ api } = running);
    events = new EventBridgeClient({
      endpoint: api,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    events?.destroy();
    await running?.stop();
  });

  type Health = { state: string; pid: number; restarts: number; note?: string; action?: string };
  type Status = { emulators: Record<'dynamodb' | 'ses' | 'sms', Health>; awaitingRedrive: { deadLetters: number } };
  const status = async () => (await (await fetch(`${api}/sandbox/status`)).json()) as Status;
  const put = (detailType: string, detail: unknown) =>
    events.send(
      new PutEventsCommand({ Entries: [{ Source: 'library.circulation', DetailType: detailType, Detail: JSON.stringify(detail) }] }),
    );
  const kill = async (emulator: 'dynamodb' | 'ses') => {
    process.kill((await status()).emulators[emulator].pid, 'SIGKILL');
    for (let tries = 0; tries < 100 && (await status()).emulators[emulator].state !== 'down'; tries++)
      await new Promise((r) => setTimeout(r, 100));
  };
  const redrive = async () =>
    (await fetch(`${api}/sandbox/redrive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();

  it('reports each emulator healthy at start', async () => {
    const { emulators } = await status();
    expect(emulators.dynamodb).toMatchObject({ state: 'up', restarts: 0 });
    expect(emulators.ses).toMatchObject({ state: 'up', restarts: 0 });
    expect(emulators.sms).toMatchObject({ state: 'up' });
  });

  it('local SES killed: the hold still applies (no 500), its email waits for redrive, and redrive sends it', async () => {
    const patron = patronRegistered({ consent: { sms: false, email: true, checkoutHistory: false } });
    await put('PatronRegistered', patron);
    await kill('ses');

    const ready = await put('HoldReady', holdReady(patron.patronId, { pickupBy: FUTURE_PICKUP_BY }));
    const down = await status();

    expect(ready.FailedEntryCount).toBe(0);
    expect(down.emulators.ses).toMatchObject({ state: 'down', action: expect.stringContaining('POST /sandbox/redrive') });
    expect(down.awaitingRedrive.deadLetters).toBeGreaterThanOrEqual(1);

    const result = (await redrive()) as { stillFailing: { deadLetters: number } };
    const outbox = (await (await fetch(`${api}/sandbox/outbox`)).json()) as Outbox;

    expect(result.stillFailing.deadLetters).toBe(0);
    expect((await status()).emulators.ses).toMatchObject({ state: 'up', restarts: 1 });
    expect(outbox.email.filter((email) => email.to === patron.contact.email).map((email) => email.subject)).toEqual([
      'Your hold is ready at North Branch',
    ]);
  });

  it('DynamoDB Local killed: the event fails as an entry (not a 500), redrive restarts it empty, says so, and applies the event', async () => {
    await kill('dynamodb');
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: false } });

    const result = await put('PatronRegistered', patron);

    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]).toMatchObject({ ErrorCode: 'InternalFailure', ErrorMessage: expect.stringContaining('/sandbox/redrive') });

    await redrive();
    const health = (await status()).emulators.dynamodb;
    const report = (await (await fetch(`${api}/sandbox/patrons/${patron.patronId}`)).json()) as { profile: unknown };

    expect(health).toMatchObject({ state: 'up', restarts: 1, note: expect.stringContaining('everything written before is gone') });
    expect(report.profile).not.toBeNull();
    // Starting a JVM again takes a while on a busy machine.
  }, 120_000);
});
