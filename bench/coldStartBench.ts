/**
 * Cold-start benchmark: how much each function's own code adds to the import of the AWS SDK clients
 * it needs, as a ratio (target: at most 1.2).
 *
 * Each function's `handler.ts` is bundled by CDK's own NodejsFunction with the stack's code and
 * bundling options (`functionCode` in infra/bundling.ts), and so is a baseline entry that imports
 * exactly what the function's own modules import from `@aws-sdk/*` (clients, commands, the document
 * client, `unmarshall`; found through an esbuild metafile) and constructs each client, nothing else. Each bundle is then
 * imported in a fresh Node process, with the stack's `NODE_OPTIONS`, baseline and function
 * alternating, for several rounds; the median is reported. Importing a handler runs its cold-start
 * wiring (environment, configuration, clients), as in Lambda's init phase, including what it does in
 * AWS first: reading the configuration from Parameter Store (`BOOKDROP_CONFIG_PATH`, Powertools' SSM
 * provider), here from a stand-in on 127.0.0.1. So the SSM client counts as one the function uses:
 * the baseline of a function that reads its configuration also imports it and makes the same
 * `GetParametersByPath` request.
 *
 * Time is the main thread's CPU time during the `import()`: on a shared machine wall time is mostly
 * waiting for a core (it is printed too). Sizes are the bundle, and what is copied beside it to be
 * loaded lazily. `BENCH_COLD_START_FUNCTIONS` (comma-separated folders) and `BENCH_COLD_START_ROUNDS`
 * make a quick run; `npx tsx bench/coldStartBench.ts` runs this section alone.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { FUNCTION_MANIFESTS } from '#functions/manifests.ts';
import { FUNCTION_NODE_OPTIONS, LAZY_PACKAGES, functionCode, functionEntry } from '#infra/bundling.ts';
import { loadConfigFile } from '#shared/config/loadConfigFile.ts';
import { configParameters } from '#shared/config/parameterConfig.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface ColdStartFigures {
  readonly fn: string;
  /** SDK packages the function's own modules import from: what the baseline imports (same names). */
  readonly sdk: readonly string[];
  readonly bundleBytes: number;
  /** Files copied beside the bundle, loaded only on first use. */
  readonly besideBytes: number;
  readonly baselineBytes: number;
  /** Median main-thread CPU milliseconds of the import. */
  readonly cpuMs: number;
  readonly baselineCpuMs: number;
  /** Median wall milliseconds of the import (noisy on a shared machine). */
  readonly wallMs: number;
  readonly baselineWallMs: number;
}

/** The function folders, each with a `handler.ts`. */
export function functionFolders(): string[] {
  return readdirSync(join(ROOT, 'functions')).filter((name) => {
    try {
      return statSync(functionEntry(name)).isFile();
    } catch {
      return false;
    }
  });
}

/** The module that reads the configuration from Parameter Store at cold start (every handler calls it). */
const CONFIG_READER = 'shared/config/parameterConfig.ts';
/** The configuration path the functions read in the bench, as they read `/bookdrop/<stage>/config` in AWS. */
const CONFIG_PATH = '/bookdrop/bench/config';

/** What the function's own modules import from each SDK package: package name to imported names. */
async function sdkImportsOf(entry: string): Promise<Map<string, Set<string>>> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outfile: 'sdk-imports.mjs',
    metafile: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    external: Object.keys(LAZY_PACKAGES),
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  const imports = new Map<string, Set<string>>();
  // A package the function's modules import but whose code tree-shaking drops from the bundle (the
  // inbound-SMS function imports the module that holds both senders, and sends no email) is not a
  // client the function uses: counting it would inflate the baseline.
  const bundled = new Set(
    Object.entries(Object.values(metafile.outputs)[0]?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => /node_modules\/(@aws-sdk\/[^/]+)\//.exec(path)?.[1])
      .filter((name) => name !== undefined),
  );
  // Powertools' SSM provider reads the configuration at cold start: the SSM client is one the function uses.
  if (Object.keys(metafile.inputs).includes(CONFIG_READER))
    imports.set('@aws-sdk/client-ssm', new Set(['GetParametersByPathCommand', 'SSMClient']));
  for (const path of Object.keys(metafile.inputs)) {
    if (path.includes('node_modules/') || !/\.[cm]?ts$/.test(path)) continue;
    const source = readFileSync(join(ROOT, path), 'utf8');
    for (const [, typeOnly, names, from] of source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(@aws-sdk\/[^']+)'/g)) {
      if (typeOnly !== undefined) continue;
      const used = names!
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '' && !name.startsWith('type '));
      if (used.length === 0 || !bundled.has(from!)) continue;
      const set = imports.get(from!) ?? new Set<string>();
      for (const name of used) set.add(name.split(/\s+as\s+/)[0]!);
      imports.set(from!, set);
    }
  }
  return imports;
}

/**
 * A module that imports what the function imports from the SDK (clients, commands, helpers), and
 * constructs each client as the function's wiring does; nothing else.
 */
function baselineSource(imports: ReadonlyMap<string, ReadonlySet<string>>): string {
  const lines: string[] = [];
  const made: string[] = [];
  for (const [index, [name, names]] of [...imports].sort(([a], [b]) => a.localeCompare(b)).entries()) {
    const aliased = [...names].sort().map((imported) => [imported, `${imported}_${index}`] as const);
    lines.push(`import { ${aliased.map(([imported, local]) => `${imported} as ${local}`).join(', ')} } from '${name}';`);
    for (const [imported, local] of aliased) {
      if (imported === 'SSMClient' && names.has('GetParametersByPathCommand')) {
        // The request the function's cold start makes (through Powertools), made once here too.
        lines.push(
          `await new ${local}({}).send(new GetParametersByPathCommand_${index}({ Path: process.env.BOOKDROP_CONFIG_PATH, Recursive: true }));`,
        );
        made.push(local);
      } else if (imported === 'DynamoDBDocumentClient') {
        lines.push(`import { DynamoDBClient as DocumentBase_${index} } from '@aws-sdk/client-dynamodb';`);
        made.push(`${local}.from(new DocumentBase_${index}({}))`);
      } else if (/^[A-Z][A-Za-z0-9]*Client$/.test(imported)) made.push(`new ${local}({})`);
      else made.push(local);
    }
  }
  return `${lines.join('\n')}\nexport const sdk = [${made.join(', ')}];\n`;
}

/**
 * A stand-in for Parameter Store on 127.0.0.1: answers `GetParametersByPath` with the configuration's
 * parameters (shared/config/parameterConfig.ts), as SSM answers the functions in AWS.
 */
async function startParameterStore(): Promise<{ url: string; close: () => Promise<void> }> {
  const parameters = Object.entries(configParameters(loadConfigFile())).map(([name, value]) => ({
    Name: `${CONFIG_PATH}/${name}`,
    Value: value,
    Type: 'String',
    Version: 1,
  }));
  const server = createServer((request, response) => {
    request.resume().on('end', () => {
      const target = request.headers['x-amz-target'];
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'AmazonSSM.GetParametersByPath') response.statusCode = 400;
      response.end(
        JSON.stringify(target === 'AmazonSSM.GetParametersByPath' ? { Parameters: parameters } : { __type: 'UnsupportedOperation' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Environment every function's cold-start wiring accepts (placeholder resources; only SSM is called, on 127.0.0.1). */
function benchEnvironment(parameterStore: string): NodeJS.ProcessEnv {
  const arn = (kind: string) => `arn:aws:kms:us-east-1:111122223333:key/${kind}`;
  // Every queue a manifest names gets a placeholder URL, so a function given a new queue still starts here.
  const queues = Object.values(FUNCTION_MANIFESTS).flatMap((manifest) =>
    Object.keys(manifest.env).filter((name) => name.endsWith('_QUEUE_URL')),
  );
  return {
    ...Object.fromEntries(queues.map((name) => [name, `https://sqs.us-east-1.amazonaws.com/111122223333/bench-${name.toLowerCase()}`])),
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_SERVICE_NAME: 'bookdrop-bench',
    POWERTOOLS_METRICS_NAMESPACE: 'Bookdrop',
    TABLE_NAME: 'bookdrop-bench',
    BOOKDROP_CONFIG_PATH: CONFIG_PATH,
    AWS_ENDPOINT_URL_SSM: parameterStore,
    CONTACT_KEYS: 'kms',
    CONTACT_KEY_ID: arn('contact'),
    PHONE_INDEX_KEY_ID: arn('phone-index'),
    NOTICE_ID_KEY_ID: arn('notice-id'),
    UNSUBSCRIBE_KEY_ID: arn('unsubscribe'),
    NOTICE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/bench-notices',
    UNSUBSCRIBE_URL: 'https://unsubscribe.example.org/unsubscribe',
    SES_CONFIGURATION_SET: 'bench',
    SMS_MIN_INTERVAL_MS: '10',
    EVENT_BUS_NAME: 'bench',
    DROP_BUCKET_NAME: 'bench',
    WEBHOOK_SECRET_ID: 'bench',
    ...(FUNCTION_NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: FUNCTION_NODE_OPTIONS }),
  };
}

function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? bytesUnder(path) : statSync(path).size;
  }
  return total;
}

const run = promisify(execFile);

/** Imports `file` in a fresh Node process; returns main-thread CPU and wall milliseconds. */
async function importOnce(file: string, env: NodeJS.ProcessEnv): Promise<{ cpu: number; wall: number }> {
  const script =
    'const c = process.threadCpuUsage(); const t = performance.now(); ' +
    `await import(${JSON.stringify(file)}); ` +
    'const w = performance.now() - t; const u = process.threadCpuUsage(c); ' +
    'process.stdout.write(JSON.stringify({ cpu: (u.user + u.system) / 1000, wall: w }));';
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env, cwd: tmpdir(), timeout: 60_000 });
    return JSON.parse(stdout) as { cpu: number; wall: number };
  } catch (error) {
    // The bundle's own source would fill the terminal: keep the error's message line only.
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    const message = stderr.split('\n').find((line) => /^\w*Error\b|^\w+: /.test(line)) ?? 'no message';
    throw new Error(`importing ${file} failed: ${message.slice(0, 300)}`);
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Bundles each function and its baseline as the stack does, and times their imports. */
export async function coldStartBench(options: { functions?: readonly string[]; rounds?: number } = {}): Promise<ColdStartFigures[]> {
  const functions = options.functions ?? functionFolders();
  const rounds = options.rounds ?? 9;
  // Baseline entries live inside the project, so NodejsFunction and esbuild resolve its packages.
  const entries = mkdtempSync(join(ROOT, '.bench-cold-start-'));
  const outdir = mkdtempSync(join(tmpdir(), 'bookdrop-cold-start-'));
  let parameterStore: { url: string; close: () => Promise<void> } | undefined;
  try {
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'ColdStartBench', { env: { account: '111122223333', region: 'us-east-1' } });
    const sdk = new Map<string, string[]>();
    for (const fn of functions) {
      const imports = await sdkImportsOf(functionEntry(fn));
      sdk.set(fn, [...imports.keys()].sort());
      const baseline = join(entries, `${fn}.ts`);
      mkdirSync(entries, { recursive: true });
      writeFileSync(baseline, baselineSource(imports));
      new NodejsFunction(stack, `Function-${fn}`, functionCode(functionEntry(fn)));
      new NodejsFunction(stack, `Baseline-${fn}`, functionCode(baseline));
    }
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
    };
    const assetOf = new Map<string, string>();
    for (const resource of Object.values(template.Resources)) {
      const path = resource.Metadata?.['aws:cdk:path'];
      const asset = resource.Metadata?.['aws:asset:path'];
      if (resource.Type === 'AWS::Lambda::Function' && path && asset) assetOf.set(path.split('/')[1]!, join(outdir, asset));
    }
    parameterStore = await startParameterStore();
    const env = benchEnvironment(parameterStore.url);
    const asset = (id: string) => {
      const dir = assetOf.get(id);
      if (dir === undefined) throw new Error(`no bundle for ${id}`);
      return dir;
    };
    const samples = new Map<string, { cpu: number[]; wall: number[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const fn of functions) {
        const ids = round % 2 === 0 ? [`Baseline-${fn}`, `Function-${fn}`] : [`Function-${fn}`, `Baseline-${fn}`];
        for (const id of ids) {
          const time = await importOnce(join(asset(id), 'index.mjs'), env);
          const sample = samples.get(id) ?? { cpu: [], wall: [] };
          sample.cpu.push(time.cpu);
          sample.wall.push(time.wall);
          samples.set(id, sample);
        }
      }
    }
    return functions.map((fn) => {
      const [own, base] = [asset(`Function-${fn}`), asset(`Baseline-${fn}`)];
      const bundleBytes = statSync(join(own, 'index.mjs')).size;
      const time = samples.get(`Function-${fn}`)!;
      const baseTime = samples.get(`Baseline-${fn}`)!;
      return {
        fn,
        sdk: sdk.get(fn)!,
        bundleBytes,
        besideBytes: bytesUnder(own) - bundleBytes,
        baselineBytes: statSync(join(base, 'index.mjs')).size,
        cpuMs: median(time.cpu),
        baselineCpuMs: median(baseTime.cpu),
        wallMs: median(time.wall),
        baselineWallMs: median(baseTime.wall),
      };
    });
  } finally {
    await parameterStore?.close();
    rmSync(entries, { recursive: true, force: true });
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The printed lines of the section. */
export function coldStartLines(figures: readonly ColdStartFigures[]): string[] {
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  return figures.map((row) => {
    const ratio = row.cpuMs / row.baselineCpuMs;
    const sdk = row.sdk.map((name) => name.replace('@aws-sdk/', '')).join(' ');
    return (
      `  ${row.fn.padEnd(15)} ${ratio.toFixed(2)}x ${ratio <= 1.2 ? '(ok)' : '(over)'}  ` +
      `cpu ${row.cpuMs.toFixed(0)} / ${row.baselineCpuMs.toFixed(0)} ms, wall ${row.wallMs.toFixed(0)} / ${row.baselineWallMs.toFixed(0)} ms, ` +
      `bundle ${kb(row.bundleBytes)} / ${kb(row.baselineBytes)} (${(row.bundleBytes / row.baselineBytes).toFixed(2)}x)` +
      `${row.besideBytes > 0 ? ` + ${kb(row.besideBytes)} lazy` : ''}  [${sdk}]`
    );
  });
}

/** Runs the section with `BENCH_COLD_START_FUNCTIONS` (default: all) and `BENCH_COLD_START_ROUNDS` (default 9). */
export function runColdStartBench(): Promise<ColdStartFigures[]> {
  return coldStartBench({
    ...(process.env.BENCH_COLD_START_FUNCTIONS ? { functions: process.env.BENCH_COLD_START_FUNCTIONS.split(',') } : {}),
    rounds: Number(process.env.BENCH_COLD_START_ROUNDS ?? 9),
  });
}

/** The section's heading, with the load average (1, 5, 15 minutes) when it ran: ratios on a busy machine are noisier. */
export function coldStartHeading(): string {
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  return `Cold start: function import / import of its SDK clients alone (main-thread CPU, median; target 1.2x; load average ${load})`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await runColdStartBench();
  process.stdout.write(`${coldStartHeading()}\n${coldStartLines(figures).join('\n')}\n`);
}
