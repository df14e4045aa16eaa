/**
 * `npm run load`: a load generator for the sandbox. It sends a seeded plan of realistic circulation
 * (see `load/plan.ts`) through the real `@aws-sdk/client-eventbridge`, `--concurrency` PutEvents in
 * flight, then checks from the sandbox API that the outcome is the one in-order delivery gives: no
 * notice sent twice, statistics and history totals as planned, no patron-item link after a return,
 * no dead letter. It prints events/s and PutEvents latency percentiles, and exits non-zero on any
 * mismatch. It also prints events/s over each thousand events (first against last: does the sandbox
 * slow down as it goes?) and the CPU time the sandbox's processes spent per event.
 *
 * Loopback only, bounded in count (`--events`) and time (`--max-seconds`). By default it starts a
 * fresh sandbox of its own on a free port and stops it afterwards; `--url` targets a running one.
 *
 * Options: --patrons 300 --events 2000 --duplicates 0.2 --out-of-order 0.1 --concurrency 8 --seed 1
 *          --batch 10 (entries per PutEvents) --max-seconds 900 --window 1000 (events per throughput window)
 *          --url http://127.0.0.1:4010 --json
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { freePort } from '#sandbox/localServices.ts';
import { loadConfigFile, DEFAULT_CONFIG_FILE } from '#shared/config/loadConfigFile.ts';
import { buildLoadPlan, type LoadPlan, type PlannedEvent } from '#scripts/load/plan.ts';
import { verifyLoad, type SandboxReader } from '#scripts/load/verify.ts';
import { processCpuSeconds, throughputWindows, type Completion } from '#scripts/load/throughput.ts';

const { values: args } = parseArgs({
  options: {
    patrons: { type: 'string', default: '300' },
    events: { type: 'string', default: '2000' },
    duplicates: { type: 'string', default: '0.2' },
    'out-of-order': { type: 'string', default: '0.1' },
    concurrency: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '10' },
    'max-seconds': { type: 'string', default: '900' },
    window: { type: 'string', default: '1000' },
    url: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function number(name: keyof typeof args, min: number, max: number, integer = true): number {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    fail(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

const options = {
  patrons: number('patrons', 1, 100_000),
  events: number('events', 1, 200_000),
  duplicateShare: number('duplicates', 0, 0.9, false),
  outOfOrderShare: number('out-of-order', 0, 1, false),
  concurrency: number('concurrency', 1, 64),
  seed: number('seed', 0, 2 ** 31),
  batch: number('batch', 1, 10),
  maxSeconds: number('max-seconds', 10, 3600),
  window: number('window', 10, 200_000),
};
// Requests in flight together answer together (each waits for all the work in the sandbox): a window
// must span several such rounds, or its duration is the gap between two answers of one round.
if (options.window < 4 * options.concurrency * options.batch) {
  fail(
    `--window must be at least 4 rounds of requests in flight (4 x --concurrency x --batch = ${4 * options.concurrency * options.batch} events)`,
  );
}
const deadline = Date.now() + options.maxSeconds * 1000;

/** Starts a fresh sandbox (`npm start`) on a free port as a child process; resolves once it answers. */
async function startSandbox(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const keyFile = join(mkdtempSync(join(tmpdir(), 'bookdrop-load-')), 'keys.json');
  const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], {
    env: { ...process.env, BOOKDROP_PORT: String(port), BOOKDROP_KEY_FILE: keyFile, BOOKDROP_LOG_LEVEL: 'CRITICAL' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The handlers' own console noise would bury the figures: keep only the tail, shown if the sandbox fails.
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`the sandbox exited with code ${code}:\n${stderr}\n`);
  });
  const url = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + 120_000; Date.now() < until; ) {
    if (child.exitCode !== null) fail(`the sandbox exited with code ${child.exitCode} before it was ready`);
    if (
      await fetch(`${url}/sandbox/status`).then(
        (res) => res.ok,
        () => false,
      )
    )
      return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGTERM');
  fail('the sandbox was not ready within 120 s');
}

function stopSandbox(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** Sends `events` in PutEvents of `batch` entries, `concurrency` in flight; returns each request's latency. */
async function send(client: EventBridgeClient, busName: string, source: string, events: readonly PlannedEvent[]) {
  const requests: PlannedEvent[][] = [];
  for (let start = 0; start < events.length; start += options.batch) requests.push(events.slice(start, start + options.batch));
  const latencies: number[] = [];
  const completions: Completion[] = [];
  const failures: string[] = [];
  let nextRequest = 0;
  const worker = async () => {
    while (nextRequest < requests.length) {
      if (Date.now() > deadline) throw new Error(`stopped: --max-seconds ${options.maxSeconds} reached`);
      const entries = requests[nextRequest++]!;
      const began = performance.now();
      const result = await client.send(
        new PutEventsCommand({
          Entries: entries.map((event) => ({
            EventBusName: busName,
            Source: source,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      const answered = performance.now();
      latencies.push(answered - began);
      completions.push({ at: answered, events: entries.length });
      result.Entries?.forEach((entry, index) => {
        if (entry.ErrorCode)
          failures.push(`${entries[index]!.detailType} ${entries[index]!.detail.eventId}: ${entry.ErrorCode}: ${entry.ErrorMessage}`);
      });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { latencies, completions, failures, requests: requests.length };
}

const config = loadConfigFile(process.env.BOOKDROP_CONFIG_FILE ?? DEFAULT_CONFIG_FILE);
let child: ChildProcess | undefined;
let url = args.url;
if (url) {
  const { hostname } = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname))
    fail('--url must be a loopback address (127.0.0.1, localhost or [::1]): the load generator targets only this machine');
} else {
  ({ url, child } = await startSandbox());
}
const stop = () => void stopSandbox(child).then(() => process.exit(130));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

try {
  const status = (await (await fetch(`${url}/sandbox/status`)).json()) as {
    eventBusName: string;
    emulators?: { dynamodb?: { pid?: number }; ses?: { pid?: number } };
  };
  // CPU time is read from /proc: the sandbox's own process only when this run started it.
  const processes = { sandbox: child?.pid, dynamodbLocal: status.emulators?.dynamodb?.pid, localSes: status.emulators?.ses?.pid };
  const cpu = () => Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, processCpuSeconds(pid)]));
  const plan: LoadPlan = buildLoadPlan({
    patrons: options.patrons,
    events: options.events,
    duplicateShare: options.duplicateShare,
    outOfOrderShare: options.outOfOrderShare,
    seed: options.seed,
    branches: config.libraries.flatMap((library) => library.branches.map((branch) => ({ library: library.id, branch: branch.id }))),
    timeZone: config.timeZone,
    now: new Date(),
  });
  const reader: SandboxReader = { get: async (path) => (await fetch(`${url}${path}`)).json() };
  const statisticsBefore = await reader.get('/sandbox/statistics');
  const client = new EventBridgeClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'load', secretAccessKey: 'load' },
    maxAttempts: 1,
  });
  const cpuBefore = cpu();
  const began = performance.now();
  const registered = await send(client, status.eventBusName, config.events.source, plan.registrations);
  const circulated = await send(client, status.eventBusName, config.events.source, plan.circulation);
  const seconds = (performance.now() - began) / 1000;
  const cpuAfter = cpu();
  client.destroy();
  const latencies = [...registered.latencies, ...circulated.latencies].sort((a, b) => a - b);
  const sent = plan.registrations.length + plan.circulation.length;
  const verdict = await verifyLoad(plan, reader, statisticsBefore);
  const windows = throughputWindows([...registered.completions, ...circulated.completions], began, options.window);
  const cpuMsPerEvent = Object.fromEntries(
    Object.keys(processes).flatMap((name) => {
      const [before, after] = [cpuBefore[name], cpuAfter[name]];
      return before === undefined || after === undefined ? [] : [[name, Number((((after - before) * 1000) / sent).toFixed(2))]];
    }),
  ) as Record<string, number>;
  const figures = {
    seed: options.seed,
    events: sent,
    unique: plan.counts.unique,
    duplicates: plan.counts.duplicates,
    reversedPairs: plan.counts.reversedPairs,
    concurrency: options.concurrency,
    entriesPerRequest: options.batch,
    requests: registered.requests + circulated.requests,
    seconds: Number(seconds.toFixed(1)),
    eventsPerSecond: Number((sent / seconds).toFixed(1)),
    putEventsMs: {
      p50: Math.round(percentile(latencies, 50)),
      p95: Math.round(percentile(latencies, 95)),
      p99: Math.round(percentile(latencies, 99)),
    },
    failedEntries: registered.failures.length + circulated.failures.length,
    windows,
    cpuMsPerEvent,
    ...verdict.figures,
  };
  const [first, last] = [windows[0], windows[windows.length - 1]];
  const lastOverFirst =
    first && last && windows.length > 1 ? ` (last/first ${(last.eventsPerSecond / first.eventsPerSecond).toFixed(2)})` : '';
  if (args.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  else {
    process.stdout.write(
      [
        `load seed ${figures.seed}: ${sent} events (${plan.counts.unique} unique, ${plan.counts.duplicates} duplicates, ${plan.counts.reversedPairs} reversed pairs)`,
        `  ${figures.eventsPerSecond} events/s end to end over ${figures.seconds} s; concurrency ${options.concurrency}, ${options.batch} entries per PutEvents`,
        `  PutEvents latency p50 ${figures.putEventsMs.p50} ms, p95 ${figures.putEventsMs.p95} ms, p99 ${figures.putEventsMs.p99} ms`,
        `  events/s by ${options.window} events: ${windows.map((window) => window.eventsPerSecond).join(', ')}${lastOverFirst}`,
        `  CPU per event: ${
          Object.entries(cpuMsPerEvent)
            .map(([name, ms]) => `${name} ${ms} ms`)
            .join(', ') || 'not readable here'
        }`,
        `  failed entries ${figures.failedEntries}, dead letters ${figures.deadLetters}, stream failures ${figures.streamFailures}, mismatches ${verdict.mismatches.length}`,
        '',
      ].join('\n'),
    );
  }
  const problems = [...registered.failures, ...circulated.failures, ...verdict.mismatches];
  for (const problem of problems.slice(0, 20)) process.stdout.write(`  - ${problem}\n`);
  if (problems.length > 20) process.stdout.write(`  ... and ${problems.length - 20} more\n`);
  process.exitCode = problems.length === 0 && verdict.figures.deadLetters === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`load run failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await stopSandbox(child);
}
