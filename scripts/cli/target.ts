/**
 * Where a Bookdrop CLI points, and how it talks about failures. Every CLI (demo, patron-report,
 * redrive, smoke, import, export-consent, and later ones) takes one of two options and gets
 * everything else from here:
 *
 * - `--sandbox [url]`: a running local sandbox (default `http://127.0.0.1:4010`); endpoints, bus,
 *   table, queues and the local contact key file are read from its `GET /sandbox/status`.
 * - `--stage <name>` (with `--region <region>` or the usual AWS region settings): a deployed stage;
 *   names and queue URLs are read from the outputs of CloudFormation stack `Bookdrop-<name>`, with
 *   the caller's usual AWS credentials.
 *
 * Then {@link CliTarget.clientConfig} configures any AWS SDK client for that target, and
 * {@link runCli} turns any error into one sentence that says what to do (never a stack trace).
 *
 * @example
 * ```ts
 * await runCli(async () => {
 *   const { spec, rest } = splitTargetArgs(process.argv.slice(2), { defaultSandbox: true });
 *   const target = await resolveTarget(spec);
 *   const sqs = new SQSClient(target.clientConfig('sqs'));
 * });
 * ```
 */
import { existsSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { ContactDecrypter } from '#shared/contacts/contactCrypto.ts';
import { contactDecrypterFromEnv } from '#shared/contacts/contactDecryption.ts';
import type { KeyEnv } from '#shared/contacts/keys.ts';
import { BookdropError } from '#shared/errors.ts';
import { STACK_OUTPUT, checkStageName, queueOfOutput, stackNameFor } from '#shared/stages.ts';

/** The sandbox's default address (`npm start`). */
export const DEFAULT_SANDBOX_URL = 'http://127.0.0.1:4010';

/** What the user asked for on the command line. */
export type TargetSpec =
  | { readonly kind: 'sandbox'; readonly url: string }
  | { readonly kind: 'stage'; readonly stage: string; readonly region?: string | undefined };

/** The AWS services a CLI may call; each maps to an endpoint in the sandbox. */
export type TargetService = 'dynamodb' | 'eventbridge' | 'sqs' | 'sesv2' | 'sns' | 'cloudwatch';

/** Configuration for any AWS SDK v3 client (`new XClient(target.clientConfig('x'))`). */
/** Static credentials (the sandbox's; in AWS the SDK's default chain is used). */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface ClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: AwsCredentialIdentity;
}

/** A queue of the target, by its CLI name (`circulation`, `notifier`, `inbound-sms`, ...). */
export interface TargetQueue {
  /** The CLI name: kebab case, e.g. `inbound-sms`. */
  readonly name: string;
  /** The queue's URL, when it has one the CLI may use (a stream's failure queue has no source queue). */
  readonly url?: string | undefined;
  /** Its dead-letter queue's URL. */
  readonly deadLetterUrl?: string | undefined;
}

/** Everything a CLI needs to reach one sandbox or one deployed stage. */
export interface CliTarget {
  readonly kind: 'sandbox' | 'stage';
  /** For messages: `the sandbox at http://127.0.0.1:4010` or `stage prod (stack Bookdrop-prod, eu-west-1)`. */
  readonly description: string;
  readonly region: string;
  /** The stage name (stage targets only). */
  readonly stage?: string | undefined;
  /** The CloudFormation stack (stage targets only). */
  readonly stackName?: string | undefined;
  /** The sandbox's base URL (sandbox targets only). */
  readonly sandboxUrl?: string | undefined;
  /** The target's time when it was resolved: the sandbox's own clock (which tests move), or this machine's. */
  readonly now: Date;
  readonly eventBusName: string;
  readonly tableName: string;
  /** Queues by CLI name. */
  readonly queues: Readonly<Record<string, TargetQueue>>;
  /** Other stack outputs (stage targets), e.g. the alarm topic and dashboard names. */
  readonly outputs: Readonly<Record<string, string>>;
  /** SDK client configuration for `service` on this target. */
  clientConfig(service: TargetService): ClientConfig;
  /**
   * The contact decrypter (local key file in the sandbox, the stage's KMS contact key in AWS), or
   * `undefined` when the target does not say which key protects contacts.
   */
  contactDecrypter(): ContactDecrypter | undefined;
  /**
   * The contact and phone-index keys, for commands that write contacts (the patron import): the
   * sandbox's local key file, or the stage's KMS keys from its stack outputs. Throws a
   * {@link CliFailure} that says what to do when the target does not name them.
   */
  contactKeys(): KeyEnv;
}

/** A command-line mistake: the message is shown as is, with the usage line, exit code 2. */
export class CliUsageError extends BookdropError {
  /** Spelled out: bundles are minified, and the name is what logs and dead-letter reasons show. */
  public override readonly name = 'CliUsageError';
}

/** A failure the CLI has already put into words for the user (exit code 1). */
export class CliFailure extends BookdropError {
  /** Spelled out: bundles are minified, and the name is what logs and dead-letter reasons show. */
  public override readonly name = 'CliFailure';
}

/**
 * Takes `--sandbox [url]`, `--stage <name>` and `--region <region>` out of `argv`; returns the
 * target spec and the remaining arguments for the CLI's own parsing.
 *
 * @param options.defaultSandbox - without either option, target the sandbox at
 *   `BOOKDROP_URL` or {@link DEFAULT_SANDBOX_URL} instead of failing. @default false
 */
export function splitTargetArgs(
  argv: readonly string[],
  options: { defaultSandbox?: boolean; env?: NodeJS.ProcessEnv } = {},
): { spec: TargetSpec; rest: string[] } {
  const env = options.env ?? process.env;
  const rest: string[] = [];
  let sandbox: string | undefined;
  let stage: string | undefined;
  let region: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const next = argv[index + 1];
    if (flag === '--sandbox') {
      if (inline !== undefined) sandbox = inline;
      else if (next !== undefined && /^https?:\/\//.test(next)) sandbox = argv[++index]!;
      else sandbox = env.BOOKDROP_URL ?? DEFAULT_SANDBOX_URL;
    } else if (flag === '--stage' || flag === '--region') {
      const value = inline ?? (next !== undefined && !next.startsWith('--') ? argv[++index] : undefined);
      if (!value) throw new CliUsageError(`${flag} needs a value, e.g. ${flag === '--stage' ? '--stage prod' : '--region us-east-1'}`);
      if (flag === '--stage') stage = value;
      else region = value;
    } else {
      rest.push(arg);
    }
  }
  if (sandbox !== undefined && stage !== undefined) throw new CliUsageError('give either --sandbox or --stage, not both');
  if (region !== undefined && stage === undefined) throw new CliUsageError('--region goes with --stage <name>');
  if (stage !== undefined) {
    try {
      return { spec: { kind: 'stage', stage: checkStageName(stage), region }, rest };
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
  }
  if (sandbox !== undefined || options.defaultSandbox) {
    const url = sandbox ?? env.BOOKDROP_URL ?? DEFAULT_SANDBOX_URL;
    if (!URL.canParse(url)) throw new CliUsageError(`--sandbox ${url} is not a URL; e.g. --sandbox ${DEFAULT_SANDBOX_URL}`);
    return { spec: { kind: 'sandbox', url: url.replace(/\/+$/, '') }, rest };
  }
  throw new CliUsageError('say where to work: --sandbox [url] for a local sandbox, or --stage <name> for a deployed stage');
}

/** Dependencies of {@link resolveTarget}, replaceable in tests. */
export interface ResolveDeps {
  readonly fetch?: typeof fetch;
  readonly cloudFormation?: (region: string | undefined) => CloudFormationClient;
}

/** Resolves a spec into a {@link CliTarget}; a sandbox that does not answer or a missing stack is a {@link CliFailure}. */
export async function resolveTarget(spec: TargetSpec, deps: ResolveDeps = {}): Promise<CliTarget> {
  return spec.kind === 'sandbox' ? resolveSandbox(spec.url, deps) : resolveStage(spec.stage, spec.region, deps);
}

/** The part of `GET /sandbox/status` the CLIs read (older sandboxes lack the optional fields). */
interface SandboxStatus {
  eventBusName: string;
  endpoints: { api?: string; dynamodb: string; ses: string; sms: string };
  tables: string[];
  region?: string;
  contactKeys?: { kind: 'local'; keyFile: string };
  keyFile?: string;
  queues?: { id?: string; name: string; url?: string; deadLetterUrl?: string }[];
  now?: string;
}

const SANDBOX_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

async function resolveSandbox(url: string, deps: ResolveDeps): Promise<CliTarget> {
  const get = deps.fetch ?? fetch;
  let status: SandboxStatus;
  try {
    const response = await get(`${url}/sandbox/status`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok)
      throw new CliFailure(
        `${url} answered ${response.status} to /sandbox/status: is it a Bookdrop sandbox? Start one with \`npm start\`.`,
      );
    status = (await response.json()) as SandboxStatus;
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new CliFailure(`No Bookdrop sandbox answers at ${url}. Start it with \`npm start\` (or give its address: --sandbox <url>).`, {
      cause: error,
    });
  }
  if (typeof status.eventBusName !== 'string' || !status.endpoints || !Array.isArray(status.tables) || !status.tables[0]) {
    throw new CliFailure(`${url}/sandbox/status does not describe a Bookdrop sandbox (no bus, endpoints or table).`);
  }
  const api = status.endpoints.api ?? url;
  const endpoints: Record<TargetService, string> = {
    dynamodb: status.endpoints.dynamodb,
    eventbridge: api,
    sqs: api,
    sesv2: status.endpoints.ses,
    sns: status.endpoints.sms,
    cloudwatch: api,
  };
  const region = status.region ?? 'us-east-1';
  const queues: Record<string, TargetQueue> = {};
  for (const queue of status.queues ?? []) {
    const name = queue.id ?? queue.name.replace(/^bookdrop-/, '');
    queues[name] = { name, url: queue.url, deadLetterUrl: queue.deadLetterUrl };
  }
  const keyFile = status.contactKeys?.keyFile ?? status.keyFile;
  return {
    kind: 'sandbox',
    description: `the sandbox at ${url}`,
    region,
    sandboxUrl: url,
    now: status.now && !Number.isNaN(Date.parse(status.now)) ? new Date(status.now) : new Date(),
    eventBusName: status.eventBusName,
    tableName: status.tables[0],
    queues,
    outputs: {},
    clientConfig: (service) => ({ region, endpoint: endpoints[service], credentials: SANDBOX_CREDENTIALS }),
    contactDecrypter: () => (keyFile ? contactDecrypterFromEnv({ CONTACT_KEYS: 'local', LOCAL_KEY_FILE: keyFile }) : undefined),
    contactKeys: () => {
      if (!keyFile)
        throw new CliFailure(`${url}/sandbox/status names no contact key file: restart the sandbox with this version (\`npm start\`).`);
      if (!existsSync(keyFile)) {
        throw new CliFailure(
          `The sandbox's key file ${keyFile} does not exist here: run this command on the machine and in the folder where \`npm start\` runs.`,
        );
      }
      return { CONTACT_KEYS: 'local', LOCAL_KEY_FILE: keyFile };
    },
  };
}

async function resolveStage(stage: string, regionOption: string | undefined, deps: ResolveDeps): Promise<CliTarget> {
  const stackName = stackNameFor(stage);
  const client = deps.cloudFormation?.(regionOption) ?? new CloudFormationClient(regionOption ? { region: regionOption } : {});
  let region: string;
  try {
    region = regionOption ?? (await client.config.region());
  } catch (error) {
    throw new CliFailure("No AWS region is set: add --region <region> (the stage's region), or set AWS_REGION or a profile region.", {
      cause: error,
    });
  }
  const where = `stage ${stage} (stack ${stackName}, ${region})`;
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  } catch (error) {
    throw new CliFailure(explainError(error, { doing: `reading the outputs of ${where}`, stackName, region }), { cause: error });
  } finally {
    if (!deps.cloudFormation) client.destroy();
  }
  const need = (key: string) => {
    const value = outputs[key];
    if (!value) {
      throw new CliFailure(
        `Stack ${stackName} has no output ${key}: redeploy ${stage} with this version (\`npx cdk deploy -c stage=${stage}\`).`,
      );
    }
    return value;
  };
  const queues: Record<string, TargetQueue> = {};
  for (const [key, value] of Object.entries(outputs)) {
    const queue = queueOfOutput(key);
    if (!queue) continue;
    const entry = queues[queue.queue] ?? { name: queue.queue };
    queues[queue.queue] = queue.deadLetter ? { ...entry, deadLetterUrl: value } : { ...entry, url: value };
  }
  const contactKeyArn = outputs[STACK_OUTPUT.contactKeyArn];
  return {
    kind: 'stage',
    description: where,
    region,
    stage,
    stackName,
    now: new Date(),
    eventBusName: need(STACK_OUTPUT.eventBusName),
    tableName: need(STACK_OUTPUT.tableName),
    queues,
    outputs,
    clientConfig: () => ({ region }),
    contactDecrypter: () => (contactKeyArn ? contactDecrypterFromEnv({ CONTACT_KEYS: 'kms', CONTACT_KEY_ID: contactKeyArn }) : undefined),
    contactKeys: () => {
      const missing = [STACK_OUTPUT.contactKeyArn, STACK_OUTPUT.phoneIndexKeyArn].filter((key) => !outputs[key]);
      if (missing.length > 0) {
        throw new CliFailure(
          `Stack ${stackName} has no output ${missing.join(', ')}: redeploy ${stage} with this version (\`npx cdk deploy -c stage=${stage}\`).`,
        );
      }
      return {
        CONTACT_KEYS: 'kms',
        CONTACT_KEY_ID: outputs[STACK_OUTPUT.contactKeyArn],
        PHONE_INDEX_KEY_ID: outputs[STACK_OUTPUT.phoneIndexKeyArn],
      };
    },
  };
}

/** What the failed call was doing, for {@link explainError}. */
export interface ErrorContext {
  /** e.g. `reading the dead-letter queue notifier of stage prod`. */
  readonly doing?: string;
  readonly stackName?: string;
  readonly region?: string;
}

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'KMSAccessDeniedException',
]);
const INVALID_KEY = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch']);
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NotFoundException',
  'ParameterNotFound',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'UND_ERR_CONNECT_TIMEOUT']);

function networkCode(error: unknown): string | undefined {
  for (let cause: unknown = error, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK.has(code)) return code;
  }
  return undefined;
}

/**
 * One sentence that says what went wrong and what to do, for any error a CLI meets: AWS SDK errors
 * (credentials, permissions, missing stack or resource, throttling, network), Bookdrop's own errors
 * (their messages are written for people and carry no personal data), and anything else. Never a
 * stack trace, never an SDK message verbatim.
 */
export function explainError(error: unknown, context: ErrorContext = {}): string {
  if (error instanceof CliFailure || error instanceof CliUsageError) return error.message;
  const doing = context.doing ? ` while ${context.doing}` : '';
  const name = typeof (error as { name?: unknown })?.name === 'string' ? (error as { name: string }).name : 'Error';
  const message = typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : '';
  const code = networkCode(error);
  if (code) {
    return `Could not connect${doing} (${code}): check the network, the region, or that the sandbox is running (\`npm start\`).`;
  }
  if (CREDENTIAL_ERRORS.has(name) || /could not load credentials/i.test(message)) {
    return `No AWS credentials found${doing}: sign in (\`aws sso login --profile <profile>\`) and set AWS_PROFILE, or use --sandbox for the local sandbox.`;
  }
  if (EXPIRED.has(name)) return `Your AWS session has expired${doing}: sign in again (\`aws sso login\`) and retry.`;
  if (INVALID_KEY.has(name)) return `AWS does not recognise these credentials${doing}: check AWS_PROFILE or the access key, then retry.`;
  if (name === 'ValidationError' && /does not exist/.test(message) && context.stackName) {
    const stage = context.stackName.replace(/^Bookdrop-/, '');
    return `There is no stack ${context.stackName} in ${context.region ?? 'this region'}: deploy it (\`npx cdk deploy -c stage=${stage}\`), or pass the stage's region with --region.`;
  }
  if (DENIED.has(name)) {
    return `Your AWS identity is not allowed to do this${doing} (${name}): ask an administrator for the operations role described in docs/operations.md.`;
  }
  if (NOT_FOUND.has(name))
    return `A resource is missing${doing} (${name}): check the stage name and region, and that the stage is deployed.`;
  if (THROTTLED.has(name)) return `AWS is throttling requests${doing}: wait a minute and retry.`;
  if (name === 'ConfigurationError' || error instanceof BookdropError) return `${message}${/[.!?]$/.test(message) ? '' : '.'}`;
  const fault = (error as { $fault?: unknown })?.$fault;
  if (fault === 'server')
    return `AWS had an internal error${doing} (${name}): retry in a minute; if it persists, check the AWS Health Dashboard.`;
  if (fault === 'client')
    return `AWS refused the request${doing} (${name}): check the stage, region and arguments; BOOKDROP_DEBUG=1 shows the details.`;
  return `Something went wrong${doing} (${name}); BOOKDROP_DEBUG=1 shows the details.`;
}

/** The sentence for an output file (an export, a report) a CLI cannot write: which file, why, what to check. */
export function cannotWrite(path: string, error: unknown): string {
  return `cannot write ${path} (${(error as NodeJS.ErrnoException)?.code ?? 'error'}): check that its folder exists and is writable`;
}

/**
 * Runs a CLI's main function: a {@link CliUsageError} prints its message and `usage` and exits 2;
 * any other error prints {@link explainError}'s sentence and exits 1. With `BOOKDROP_DEBUG=1` the
 * raw error follows (for bug reports).
 */
export async function runCli(main: () => Promise<number | void>, usage = ''): Promise<void> {
  try {
    const code = await main();
    process.exitCode = code ?? 0;
  } catch (error) {
    const usageError = error instanceof CliUsageError;
    process.stderr.write(`${explainError(error)}\n${usageError && usage ? `${usage}\n` : ''}`);
    if (process.env.BOOKDROP_DEBUG === '1') process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = usageError ? 2 : 1;
  }
}
