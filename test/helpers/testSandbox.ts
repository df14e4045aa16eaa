/**
 * A sandbox served on a free loopback port with its own key file, and an EventBridge client that
 * publishes to it as an ILS would: the setup every test of the sandbox's HTTP API shares.
 */
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { freePort } from '#sandbox/localServices.ts';
import { serveSandbox } from '#sandbox/httpApi.ts';
import { Sandbox } from '#sandbox/sandbox.ts';
import { testConfig } from '#test/helpers/factories.ts';
import { moveSandboxToNoon } from '#test/helpers/sandboxTime.ts';

export interface TestSandboxOptions {
  /**
   * The folder of the key file (`keys.json`), the ILS webhook secret and the ILS drop folder: pass the
   * same one to start a sandbox again on the same keys.
   * @default a fresh temporary folder
   */
  readonly dir?: string;
  /** Keep the sandbox's state on disk in this folder (see `SandboxOptions.dataDir`). @default in memory */
  readonly dataDir?: string;
  /**
   * Move the clock to tomorrow noon, library time, before the test runs (library-initiated texts wait
   * out quiet hours). A sandbox started again on a data folder keeps its saved clock: pass `false`.
   * @default true
   */
  readonly atNoon?: boolean;
  /** See `SandboxOptions.maxEmulatorRestarts`. @default the sandbox's own */
  readonly maxEmulatorRestarts?: number;
}

export interface TestSandbox {
  readonly sandbox: Sandbox;
  readonly server: Server;
  /** The port of the API on 127.0.0.1. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly api: string;
  /** The folder of the key file, the webhook secret and the drop folder. */
  readonly dir: string;
  /** Where the clock was moved at start (tomorrow noon, library time, ISO 8601); undefined with `atNoon: false`. */
  readonly noon: string | undefined;
  readonly events: EventBridgeClient;
  stop(): Promise<void>;
}

export async function startTestSandbox(options: TestSandboxOptions = {}): Promise<TestSandbox> {
  const port = await freePort();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'bookdrop-'));
  const sandbox = await Sandbox.start({
    config: testConfig,
    port,
    keyFile: join(dir, 'keys.json'),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.maxEmulatorRestarts !== undefined ? { maxEmulatorRestarts: options.maxEmulatorRestarts } : {}),
  });
  let server: Server;
  try {
    server = await serveSandbox(sandbox, port);
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
  const api = `http://127.0.0.1:${port}`;
  const events = new EventBridgeClient({ endpoint: api, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const stop = async () => {
    events.destroy();
    server.close();
    await sandbox.stop();
  };
  // Library-initiated texts wait out quiet hours: every test sandbox runs at noon, library time.
  const noon =
    options.atNoon === false
      ? undefined
      : await moveSandboxToNoon(api, testConfig.timeZone).catch(async (error: unknown) => {
          await stop();
          throw error;
        });
  return { sandbox, server, port, api, dir, noon, events, stop };
}
