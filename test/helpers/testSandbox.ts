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

export interface TestSandbox {
  readonly sandbox: Sandbox;
  readonly server: Server;
  /** `http://127.0.0.1:<port>` */
  readonly api: string;
  readonly events: EventBridgeClient;
  stop(): Promise<void>;
}

export async function startTestSandbox(): Promise<TestSandbox> {
  const port = await freePort();
  const sandbox = await Sandbox.start({ config: testConfig, port, keyFile: join(mkdtempSync(join(tmpdir(), 'bookdrop-')), 'keys.json') });
  const server = await serveSandbox(sandbox, port);
  const api = `http://127.0.0.1:${port}`;
  const events = new EventBridgeClient({ endpoint: api, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  // Library-initiated texts wait out quiet hours: every test sandbox runs at noon, library time.
  await moveSandboxToNoon(api, testConfig.timeZone);
  return {
    sandbox,
    server,
    api,
    events,
    stop: async () => {
      events.destroy();
      server.close();
      await sandbox.stop();
    },
  };
}
