/**
 * The CLIs' shared target: `--sandbox [url]` read from a sandbox's status (a real HTTP server on the
 * loopback), `--stage <name>` read from a stack's outputs (CloudFormation mocked: none runs here), and
 * every error turned into a sentence that says what to do.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliFailure, CliUsageError, DEFAULT_SANDBOX_URL, explainError, resolveTarget, splitTargetArgs } from '#scripts/cli/target.ts';

const status = {
  eventBusName: 'bookdrop-sandbox',
  endpoints: {
    api: 'http://127.0.0.1:4999',
    dynamodb: 'http://127.0.0.1:5001',
    ses: 'http://127.0.0.1:5002',
    sms: 'http://127.0.0.1:5003',
  },
  tables: ['bookdrop-sandbox'],
  region: 'us-east-1',
  contactKeys: { kind: 'local', keyFile: '/nonexistent/keys.json' },
  queues: [
    {
      id: 'notifier',
      name: 'bookdrop-notices',
      url: 'http://127.0.0.1:4999/000000000000/bookdrop-notices',
      deadLetterUrl: 'http://127.0.0.1:4999/000000000000/bookdrop-notices-dlq',
    },
  ],
};

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/sandbox/status') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Function: splitTargetArgs', () => {
  it('takes --sandbox with and without a URL, and leaves the CLI its own arguments', () => {
    expect(splitTargetArgs(['notifier', '--sandbox', '--dry-run'], { env: {} })).toEqual({
      spec: { kind: 'sandbox', url: DEFAULT_SANDBOX_URL },
      rest: ['notifier', '--dry-run'],
    });
    expect(splitTargetArgs(['--sandbox', 'http://127.0.0.1:4011/', 'P-1'], { env: {} })).toEqual({
      spec: { kind: 'sandbox', url: 'http://127.0.0.1:4011' },
      rest: ['P-1'],
    });
    expect(splitTargetArgs(['--sandbox=http://127.0.0.1:4012'], { env: {} }).spec).toEqual({
      kind: 'sandbox',
      url: 'http://127.0.0.1:4012',
    });
  });

  it('takes --stage and --region', () => {
    expect(splitTargetArgs(['--stage', 'prod', '--region=eu-west-1', 'x'], { env: {} })).toEqual({
      spec: { kind: 'stage', stage: 'prod', region: 'eu-west-1' },
      rest: ['x'],
    });
  });

  it('defaults to the sandbox only when the CLI asks for it', () => {
    expect(splitTargetArgs([], { defaultSandbox: true, env: { BOOKDROP_URL: 'http://127.0.0.1:4013' } }).spec).toEqual({
      kind: 'sandbox',
      url: 'http://127.0.0.1:4013',
    });
    expect(() => splitTargetArgs([], { env: {} })).toThrow(/--sandbox \[url\].*--stage <name>/);
  });

  it('refuses contradictory or incomplete options with a usage error', () => {
    expect(() => splitTargetArgs(['--sandbox', '--stage', 'prod'], { env: {} })).toThrow(CliUsageError);
    expect(() => splitTargetArgs(['--stage'], { env: {} })).toThrow('--stage needs a value, e.g. --stage prod');
    expect(() => splitTargetArgs(['--region', 'us-east-1'], { env: {} })).toThrow('--region goes with --stage <name>');
    expect(() => splitTargetArgs(['--stage', 'Prod_1'], { env: {} })).toThrow(/stage name "Prod_1" must be/);
  });
});

describe('Function: resolveTarget (sandbox)', () => {
  it('reads bus, table, queues and endpoints from /sandbox/status', async () => {
    const target = await resolveTarget({ kind: 'sandbox', url });
    expect(target).toMatchObject({
      kind: 'sandbox',
      description: `the sandbox at ${url}`,
      eventBusName: 'bookdrop-sandbox',
      tableName: 'bookdrop-sandbox',
      region: 'us-east-1',
      queues: { notifier: { name: 'notifier', url: status.queues[0]!.url, deadLetterUrl: status.queues[0]!.deadLetterUrl } },
    });
    expect(target.clientConfig('dynamodb')).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:5001',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    expect(target.clientConfig('sqs').endpoint).toBe('http://127.0.0.1:4999');
    expect(target.clientConfig('eventbridge').endpoint).toBe('http://127.0.0.1:4999');
    expect(target.clientConfig('sesv2').endpoint).toBe('http://127.0.0.1:5002');
    expect(target.clientConfig('sns').endpoint).toBe('http://127.0.0.1:5003');
  });

  it('says how to start a sandbox when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(resolveTarget({ kind: 'sandbox', url: `http://127.0.0.1:${port}` })).rejects.toThrow(
      `No Bookdrop sandbox answers at http://127.0.0.1:${port}. Start it with \`npm start\``,
    );
  });

  it('says when the address is not a Bookdrop sandbox', async () => {
    await expect(resolveTarget({ kind: 'sandbox', url: `${url}/elsewhere` })).rejects.toThrow(/answered 404 to \/sandbox\/status/);
  });
});

describe('Function: resolveTarget (stage)', () => {
  const cfn = mockClient(CloudFormationClient);
  const client = () => new CloudFormationClient({ region: 'eu-west-1' });

  it('reads names, queues and the contact key from the stack outputs', async () => {
    cfn.reset();
    cfn.on(DescribeStacksCommand, { StackName: 'Bookdrop-prod' }).resolves({
      Stacks: [
        {
          StackName: 'Bookdrop-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'EventBusName', OutputValue: 'bookdrop-prod' },
            { OutputKey: 'TableName', OutputValue: 'Bookdrop-prod-Table' },
            { OutputKey: 'ContactKeyArn', OutputValue: 'arn:aws:kms:eu-west-1:111122223333:key/abc' },
            { OutputKey: 'NotifierQueue', OutputValue: 'https://sqs.eu-west-1.amazonaws.com/111122223333/notices' },
            { OutputKey: 'NotifierDeadLetterQueue', OutputValue: 'https://sqs.eu-west-1.amazonaws.com/111122223333/notices-dlq' },
            { OutputKey: 'InboundSmsDeadLetterQueue', OutputValue: 'https://sqs.eu-west-1.amazonaws.com/111122223333/inbound-dlq' },
          ],
        },
      ],
    });
    const target = await resolveTarget({ kind: 'stage', stage: 'prod' }, { cloudFormation: client });
    expect(target).toMatchObject({
      kind: 'stage',
      description: 'stage prod (stack Bookdrop-prod, eu-west-1)',
      eventBusName: 'bookdrop-prod',
      tableName: 'Bookdrop-prod-Table',
      queues: {
        notifier: {
          name: 'notifier',
          url: 'https://sqs.eu-west-1.amazonaws.com/111122223333/notices',
          deadLetterUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/notices-dlq',
        },
        'inbound-sms': { name: 'inbound-sms', deadLetterUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/inbound-dlq' },
      },
    });
    expect(target.clientConfig('sqs')).toEqual({ region: 'eu-west-1' });
    expect(target.contactDecrypter()).toBeDefined();
  });

  it('says how to deploy when the stack does not exist', async () => {
    cfn.reset();
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id Bookdrop-test does not exist'), { name: 'ValidationError' }));
    await expect(resolveTarget({ kind: 'stage', stage: 'test' }, { cloudFormation: client })).rejects.toThrow(
      "There is no stack Bookdrop-test in eu-west-1: deploy it (`npx cdk deploy -c stage=test`), or pass the stage's region with --region.",
    );
  });

  it('says which output is missing when the stack predates it', async () => {
    cfn.reset();
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Bookdrop-old',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'TableName', OutputValue: 't' }],
        },
      ],
    });
    await expect(resolveTarget({ kind: 'stage', stage: 'old' }, { cloudFormation: client })).rejects.toThrow(
      'Stack Bookdrop-old has no output EventBusName: redeploy old with this version (`npx cdk deploy -c stage=old`).',
    );
  });
});

describe('Function: explainError', () => {
  const sdkError = (name: string, fault?: 'client' | 'server') => Object.assign(new Error(`raw ${name} text`), { name, $fault: fault });
  const doing = { doing: 'reading the dead-letter queue notifier' };

  it.each([
    ['CredentialsProviderError', /^No AWS credentials found while reading the dead-letter queue notifier: sign in/],
    ['ExpiredTokenException', /^Your AWS session has expired while .*: sign in again/],
    ['AccessDeniedException', /^Your AWS identity is not allowed to do this while .* \(AccessDeniedException\): ask an administrator/],
    ['QueueDoesNotExist', /^A resource is missing while .* \(QueueDoesNotExist\): check the stage name and region/],
    ['ThrottlingException', /^AWS is throttling requests while .*: wait a minute and retry\.$/],
    ['UnrecognizedClientException', /^AWS does not recognise these credentials/],
  ])('%s becomes a sentence that says what to do', (name, expected) => {
    const sentence = explainError(sdkError(name, 'client'), doing);
    expect(sentence).toMatch(expected);
    expect(sentence).not.toContain('raw');
  });

  it('names a refused connection and the sandbox', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    expect(explainError(error)).toBe(
      'Could not connect (ECONNREFUSED): check the network, the region, or that the sandbox is running (`npm start`).',
    );
  });

  it('never passes an unknown SDK message through', () => {
    expect(explainError(sdkError('WeirdServiceFault', 'server'))).toBe(
      'AWS had an internal error (WeirdServiceFault): retry in a minute; if it persists, check the AWS Health Dashboard.',
    );
    expect(explainError(sdkError('OddInput', 'client'))).toMatch(/^AWS refused the request \(OddInput\): check the stage/);
    expect(explainError(new RangeError('secret detail'))).toBe('Something went wrong (RangeError); BOOKDROP_DEBUG=1 shows the details.');
  });

  it('shows the CLI own failures as they are written', () => {
    expect(explainError(new CliFailure('No Bookdrop sandbox answers at x.'))).toBe('No Bookdrop sandbox answers at x.');
  });
});
