/**
 * Where the import and consent-export commands work: the local sandbox (`--sandbox [url]`, everything
 * read from its `GET /sandbox/status`) or a deployed stage (`--stage <name>`, from the stack's
 * outputs with the caller's AWS credentials). A minimal resolution for these two commands; the shared
 * CLI target module replaces it when it lands.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KeyEnv } from '#shared/contacts/keys.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#sandbox/localServices.ts';

/** The sandbox API address when `--sandbox` names none. */
export const DEFAULT_SANDBOX_URL = 'http://127.0.0.1:4010';
/** The sandbox's key file when it does not say (the default of `npm start`). */
const DEFAULT_SANDBOX_KEY_FILE = '.bookdrop/sandbox-keys.json';

export interface TargetOptions {
  readonly sandbox?: string | undefined;
  readonly stage?: string | undefined;
  /** Stack name of the stage; `Bookdrop-<stage>` by default. */
  readonly stack?: string | undefined;
  readonly keyFile?: string | undefined;
  /**
   * False for commands that never touch contacts: the sandbox's key file need not exist.
   * @default true
   */
  readonly needsKeys?: boolean;
}

/** A resolved target: a DynamoDB client, the table and the contact keys to use. */
export interface CliTarget {
  /** Says where, for messages and checkpoints (no credentials). */
  readonly label: string;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly keys: KeyEnv;
}

/**
 * `--sandbox` may come without a URL: turns a bare `--sandbox` into `--sandbox=<default>`, so a
 * standard option parser reads it. A following argument counts as its URL only if it is one.
 */
export function withSandboxDefault(argv: readonly string[]): string[] {
  return argv.flatMap((arg, index) =>
    arg === '--sandbox' && !/^https?:\/\//.test(argv[index + 1] ?? '') ? [`--sandbox=${DEFAULT_SANDBOX_URL}`] : [arg],
  );
}

interface SandboxStatus {
  endpoints?: { dynamodb?: string };
  tables?: string[];
  keyFile?: string;
}

async function sandboxTarget(url: string, keyFileOption: string | undefined, needsKeys: boolean): Promise<CliTarget> {
  const statusUrl = `${url.replace(/\/$/, '')}/sandbox/status`;
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(url)) {
    throw new ConfigurationError(`--sandbox must be a loopback address such as ${DEFAULT_SANDBOX_URL}`);
  }
  let status: SandboxStatus;
  try {
    const response = await fetch(statusUrl);
    if (!response.ok) throw new Error(`status ${response.status}`);
    status = (await response.json()) as SandboxStatus;
  } catch (error) {
    throw new ConfigurationError(`no Bookdrop sandbox answers at ${url}: start it with \`npm start\` (or pass its address: --sandbox <url>)`, { cause: error });
  }
  const endpoint = status.endpoints?.dynamodb;
  const tableName = status.tables?.[0];
  if (!endpoint || !tableName) throw new ConfigurationError(`${statusUrl} does not name a DynamoDB endpoint and table: is this a Bookdrop sandbox?`);
  const keyFile = resolve(keyFileOption ?? status.keyFile ?? DEFAULT_SANDBOX_KEY_FILE);
  if (needsKeys && !existsSync(keyFile)) {
    throw new ConfigurationError(
      `the sandbox's key file ${keyFile} does not exist: run this command in the directory where \`npm start\` runs, or pass --key-file`,
    );
  }
  return {
    label: `sandbox ${url}`,
    dynamodb: new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    tableName,
    keys: { CONTACT_KEYS: 'local', LOCAL_KEY_FILE: keyFile },
  };
}

async function stageTarget(stage: string, stackOption: string | undefined, cloudFormation: CloudFormationClient): Promise<CliTarget> {
  const stackName = stackOption ?? `Bookdrop-${stage}`;
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  } catch (error) {
    throw new ConfigurationError(describeAwsError(error, `reading the outputs of stack ${stackName}`), { cause: error });
  }
  const missing = ['TableName', 'ContactKeyArn', 'PhoneIndexKeyArn'].filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new ConfigurationError(`stack ${stackName} has no output ${missing.join(', ')}: deploy this version of Bookdrop to stage ${stage} first`);
  }
  return {
    label: `stage ${stage} (stack ${stackName})`,
    dynamodb: new DynamoDBClient({}),
    tableName: outputs.TableName!,
    keys: { CONTACT_KEYS: 'kms', CONTACT_KEY_ID: outputs.ContactKeyArn, PHONE_INDEX_KEY_ID: outputs.PhoneIndexKeyArn },
  };
}

/** Resolves `--sandbox [url]` or `--stage <name>` (exactly one). */
export async function resolveTarget(options: TargetOptions, cloudFormation: CloudFormationClient = new CloudFormationClient({})): Promise<CliTarget> {
  if ((options.sandbox === undefined) === (options.stage === undefined)) {
    throw new ConfigurationError('say where: --sandbox [url] for the local sandbox, or --stage <name> for a deployed stage');
  }
  return options.sandbox !== undefined ? sandboxTarget(options.sandbox, options.keyFile, options.needsKeys ?? true) : stageTarget(options.stage!, options.stack, cloudFormation);
}

/** An AWS SDK error as a sentence that says what to do; never a raw SDK message alone. */
export function describeAwsError(error: unknown, doing: string): string {
  const name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: string }).code;
  if (name === 'CredentialsProviderError' || name === 'ExpiredTokenException' || name === 'UnrecognizedClientException') {
    return `no valid AWS credentials while ${doing}: sign in (e.g. \`aws sso login\`) or set AWS_PROFILE, then run again`;
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'KMSAccessDeniedException') {
    return `your AWS identity may not do this while ${doing}: it needs dynamodb:BatchGetItem, dynamodb:TransactWriteItems and dynamodb:Query on the table, kms:GenerateDataKey on the contact key and kms:GenerateMac on the phone index key`;
  }
  if (name === 'ValidationError' && /does not exist/.test(String((error as Error).message))) {
    return `the stack does not exist while ${doing}: check the stage name, the region (AWS_REGION) and the account`;
  }
  if (name === 'ResourceNotFoundException') return `the table was not found while ${doing}: is the sandbox or the stage the one you meant?`;
  if (code === 'ECONNREFUSED' || name === 'TimeoutError' || code === 'ECONNRESET') {
    return `nothing answered while ${doing}: is the sandbox still running (\`npm start\`), or is the network up?`;
  }
  if (name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException' || name === 'RequestLimitExceeded') {
    return `DynamoDB kept throttling while ${doing}: run again (the import resumes from its checkpoint) with a lower --concurrency`;
  }
  return `AWS refused a request while ${doing} (${name}): run again (the import resumes from its checkpoint); if it repeats, check the stack and your permissions`;
}
