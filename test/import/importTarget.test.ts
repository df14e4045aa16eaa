/**
 * Where the import and consent-export commands go, through the CLIs' common target: the contact and
 * phone-index keys the import writes with, from a deployed stage's stack outputs (CloudFormation
 * mocked: nothing runs it here) or from a sandbox's status (a real HTTP server on the loopback), and
 * what to do when a target does not name them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget, splitTargetArgs } from '#scripts/cli/target.ts';

const outputs = (keys: string[]) => ({
  Stacks: [
    {
      StackName: 'Bookdrop-prod',
      CreationTime: new Date(),
      StackStatus: 'UPDATE_COMPLETE' as const,
      Outputs: keys.map((key) => ({ OutputKey: key, OutputValue: `value-of-${key}` })),
    },
  ],
});

describe('Import target: a deployed stage', () => {
  const cfn = mockClient(CloudFormationClient);
  const client = () => new CloudFormationClient({ region: 'us-east-1' });
  afterAll(() => cfn.restore());

  it('writes contacts with the stage KMS contact and phone-index keys from the stack outputs', async () => {
    cfn.reset();
    cfn
      .on(DescribeStacksCommand, { StackName: 'Bookdrop-prod' })
      .resolves(outputs(['EventBusName', 'TableName', 'ContactKeyArn', 'PhoneIndexKeyArn']));
    const { spec, rest } = splitTargetArgs(['patrons.csv', '--stage', 'prod', '--mapping', 'koha'], { env: {} });
    expect(rest).toEqual(['patrons.csv', '--mapping', 'koha']);

    const target = await resolveTarget(spec, { cloudFormation: client });

    expect(target.tableName).toBe('value-of-TableName');
    expect(target.clientConfig('dynamodb')).toEqual({ region: 'us-east-1' });
    expect(target.contactKeys()).toEqual({
      CONTACT_KEYS: 'kms',
      CONTACT_KEY_ID: 'value-of-ContactKeyArn',
      PHONE_INDEX_KEY_ID: 'value-of-PhoneIndexKeyArn',
    });
  });

  it('says what to redeploy when the stack does not name the keys', async () => {
    cfn.reset();
    cfn.on(DescribeStacksCommand, { StackName: 'Bookdrop-old' }).resolves(outputs(['EventBusName', 'TableName']));
    const target = await resolveTarget({ kind: 'stage', stage: 'old' }, { cloudFormation: client });
    expect(() => target.contactKeys()).toThrow(
      'Stack Bookdrop-old has no output ContactKeyArn, PhoneIndexKeyArn: redeploy old with this version (`npx cdk deploy -c stage=old`).',
    );
  });
});

describe('Import target: the sandbox', () => {
  const keyFile = join(mkdtempSync(join(tmpdir(), 'bookdrop-import-target-')), 'keys.json');
  let statusKeyFile = keyFile;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/sandbox/status') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          eventBusName: 'bookdrop-sandbox',
          endpoints: { api: url, dynamodb: 'http://127.0.0.1:5001', ses: 'http://127.0.0.1:5002', sms: 'http://127.0.0.1:5003' },
          tables: ['bookdrop-sandbox'],
          contactKeys: { kind: 'local', keyFile: statusKeyFile },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('writes contacts with the local key file the sandbox names, to the DynamoDB Local it names', async () => {
    writeFileSync(keyFile, '{}');
    statusKeyFile = keyFile;
    const target = await resolveTarget(splitTargetArgs(['--sandbox', url], { env: {} }).spec);
    expect(target.tableName).toBe('bookdrop-sandbox');
    expect(target.clientConfig('dynamodb')).toMatchObject({ endpoint: 'http://127.0.0.1:5001' });
    expect(target.contactKeys()).toEqual({ CONTACT_KEYS: 'local', LOCAL_KEY_FILE: keyFile });
  });

  it('says where to run it when the key file the sandbox names is not on this machine', async () => {
    statusKeyFile = '/nonexistent/bookdrop/keys.json';
    const target = await resolveTarget({ kind: 'sandbox', url });
    expect(() => target.contactKeys()).toThrow(
      "The sandbox's key file /nonexistent/bookdrop/keys.json does not exist here: run this command on the machine and in the folder where `npm start` runs.",
    );
  });
});
