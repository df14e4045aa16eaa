/**
 * Where the import and consent-export commands go: a deployed stage from its stack's outputs
 * (CloudFormation mocked: nothing runs it here), the option rules, and SDK errors as sentences.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_URL, describeAwsError, resolveTarget, withSandboxDefault } from '../../scripts/cli/importTarget.ts';

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

describe('Function: resolveTarget', () => {
  it('reads the table and the contact keys of a stage from the outputs of its stack', async () => {
    const cloudFormation = mockClient(CloudFormationClient);
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Bookdrop-prod' }).resolves(outputs(['TableName', 'ContactKeyArn', 'PhoneIndexKeyArn']));

    const target = await resolveTarget({ stage: 'prod' }, new CloudFormationClient({ region: 'us-east-1' }));

    expect(target.label).toBe('stage prod (stack Bookdrop-prod)');
    expect(target.tableName).toBe('value-of-TableName');
    expect(target.keys).toEqual({ CONTACT_KEYS: 'kms', CONTACT_KEY_ID: 'value-of-ContactKeyArn', PHONE_INDEX_KEY_ID: 'value-of-PhoneIndexKeyArn' });
    cloudFormation.restore();
  });

  it('says what to deploy when the stack lacks an output, and what to do when AWS refuses', async () => {
    const cloudFormation = mockClient(CloudFormationClient);
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Bookdrop-old' }).resolves(outputs(['TableName']));
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Other' }).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    const client = new CloudFormationClient({ region: 'us-east-1' });

    await expect(resolveTarget({ stage: 'old' }, client)).rejects.toThrow(
      'stack Bookdrop-old has no output ContactKeyArn, PhoneIndexKeyArn: deploy this version of Bookdrop to stage old first',
    );
    await expect(resolveTarget({ stage: 'x', stack: 'Other' }, client)).rejects.toThrow(/^your AWS identity may not do this while reading the outputs of stack Other/);
    cloudFormation.restore();
  });

  it('needs exactly one of --sandbox and --stage, and a sandbox on a loopback address that answers', async () => {
    const message = 'say where: --sandbox [url] for the local sandbox, or --stage <name> for a deployed stage';
    await expect(resolveTarget({})).rejects.toThrow(message);
    await expect(resolveTarget({ sandbox: DEFAULT_SANDBOX_URL, stage: 'prod' })).rejects.toThrow(message);
    await expect(resolveTarget({ sandbox: 'http://10.0.0.8:4010' })).rejects.toThrow('--sandbox must be a loopback address such as http://127.0.0.1:4010');
    await expect(resolveTarget({ sandbox: 'http://127.0.0.1:9' })).rejects.toThrow(
      'no Bookdrop sandbox answers at http://127.0.0.1:9: start it with `npm start` (or pass its address: --sandbox <url>)',
    );
  });
});

describe('Function: withSandboxDefault', () => {
  it('gives a bare --sandbox the default address and keeps a URL that follows it', () => {
    expect(withSandboxDefault(['file.csv', '--sandbox'])).toEqual(['file.csv', `--sandbox=${DEFAULT_SANDBOX_URL}`]);
    expect(withSandboxDefault(['--sandbox', 'file.csv'])).toEqual([`--sandbox=${DEFAULT_SANDBOX_URL}`, 'file.csv']);
    expect(withSandboxDefault(['--sandbox', 'http://127.0.0.1:4999', 'file.csv'])).toEqual(['--sandbox', 'http://127.0.0.1:4999', 'file.csv']);
  });
});

describe('Function: describeAwsError', () => {
  it('turns SDK errors into what to do, without the raw message alone', () => {
    const named = (name: string, extra: object = {}) => Object.assign(new Error('raw'), { name, ...extra });

    expect(describeAwsError(named('CredentialsProviderError'), 'importing')).toBe(
      'no valid AWS credentials while importing: sign in (e.g. `aws sso login`) or set AWS_PROFILE, then run again',
    );
    expect(describeAwsError(named('ResourceNotFoundException'), 'importing')).toBe(
      'the table was not found while importing: is the sandbox or the stage the one you meant?',
    );
    expect(describeAwsError(named('Error', { code: 'ECONNREFUSED' }), 'importing')).toBe(
      'nothing answered while importing: is the sandbox still running (`npm start`), or is the network up?',
    );
    expect(describeAwsError(named('ProvisionedThroughputExceededException'), 'importing')).toMatch(/lower --concurrency$/);
  });
});
