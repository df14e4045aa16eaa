/**
 * A consortium far beyond a Lambda environment's 4 KB: 60 member libraries and 300 branches with the
 * ILS's own upper-case codes synthesize into standard parameters, and a function reads them back
 * through the parameter path with Powertools Parameters (SSM mocked: no local Parameter Store here),
 * once per cache period.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GetParametersByPathCommand, SSMClient, type Parameter } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { brandingFor, libraryOfBranch, parseConsortiumConfig, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { assembleConfig, configParameters, loadConfigFromParameters, resolveConfigParameters } from '#shared/config/parameterConfig.ts';
import { configFromEnv } from '#shared/config/runtimeEnv.ts';
import { testConfig } from '#test/helpers/factories.ts';
import { functionConfig } from '#shared/config/consortiumConfig.ts';

/** 60 libraries (codes L01..L60), five branches each (L01-MAIN, L01-BR2, ...), names of realistic length. */
function largeConsortium(): ConsortiumConfig {
  const libraries = Array.from({ length: 60 }, (_, index) => {
    const code = `L${String(index + 1).padStart(2, '0')}`;
    return {
      id: code,
      name: `${code} Township Free Public Library and Heritage Centre`,
      shortName: `${code} Library`,
      senderEmail: `notices@${code.toLowerCase()}.example.org`,
      supportPhone: `+1845555${String(1000 + index).padStart(4, '0')}`,
      branches: ['MAIN', 'BR2', 'BR3', 'BR4', 'BR5'].map((branch, b) => ({
        id: `${code}-${branch}`,
        name: `${code} Branch number ${b + 1} on Long Street`,
      })),
      ...(index % 10 === 0 ? { notices: { dueSoonDaysBefore: 2 } } : {}),
    };
  });
  return parseConsortiumConfig({ ...testConfig, libraries });
}

describe('Configuration in Parameter Store', () => {
  const config = largeConsortium();
  const ssm = mockClient(SSMClient);
  let stored: Parameter[];

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(new BookdropStack(app, 'Bookdrop-big', { config }));
    stored = Object.values(template.findResources('AWS::SSM::Parameter')).map((resource) => ({
      Name: (resource as { Properties: { Name: string } }).Properties.Name,
      Value: (resource as { Properties: { Value: string } }).Properties.Value,
      Type: 'String',
    }));
  });

  it('is far beyond what an environment variable holds, yet every parameter is a standard one', () => {
    expect(config.libraries.flatMap((library) => library.branches)).toHaveLength(300);
    expect(JSON.stringify(config).length).toBeGreaterThan(20_000);
    expect(stored).toHaveLength(61);
    for (const parameter of stored) expect(parameter.Value!.length).toBeLessThanOrEqual(4096);
  });

  it('is read back through the parameter path, page by page, and cached', async () => {
    ssm.reset();
    const sorted = [...stored].sort((a, b) => a.Name!.localeCompare(b.Name!));
    // GetParametersByPath returns at most 10 parameters a page.
    ssm.on(GetParametersByPathCommand).callsFake((input: { Path: string; NextToken?: string }) => {
      const start = Number(input.NextToken ?? 0);
      const page = sorted.filter((parameter) => parameter.Name!.startsWith(`${input.Path}/`)).slice(start, start + 10);
      return { Parameters: page, NextToken: start + 10 < sorted.length ? String(start + 10) : undefined };
    });
    const provider = new SSMProvider({ awsSdkV3Client: new SSMClient({}) });
    const env: NodeJS.ProcessEnv = { BOOKDROP_CONFIG_PATH: '/bookdrop/dev/config' };

    await resolveConfigParameters(env, provider);
    const readBack = configFromEnv(env.BOOKDROP_CONFIG!);
    // The functions' configuration: vendors (for the privacy chart only) are left out.
    expect(readBack).toEqual(functionConfig(config));
    expect(brandingFor(readBack, 'L60').branding.name).toBe('L60 Township Free Public Library and Heritage Centre');
    expect(libraryOfBranch(readBack, 'L37-BR4')).toBe('L37');
    const calls = ssm.commandCalls(GetParametersByPathCommand);
    expect(calls).toHaveLength(7);
    expect(calls[0]!.args[0].input).toMatchObject({ Path: '/bookdrop/dev/config', Recursive: true });

    await loadConfigFromParameters('/bookdrop/dev/config', provider);
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(7);
  });

  it('leaves a configuration given in the environment alone (sandbox, tests)', async () => {
    const env: NodeJS.ProcessEnv = { BOOKDROP_CONFIG: '{}', BOOKDROP_CONFIG_PATH: '/bookdrop/dev/config' };
    await resolveConfigParameters(env, new SSMProvider({ awsSdkV3Client: new SSMClient({}) }));
    expect(env.BOOKDROP_CONFIG).toBe('{}');
  });

  it('says what is missing when the path is empty or a library entry is too large', async () => {
    ssm.reset();
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    await expect(loadConfigFromParameters('/bookdrop/nope/config', new SSMProvider({ awsSdkV3Client: new SSMClient({}) }))).rejects.toThrow(
      'no configuration parameters under /bookdrop/nope/config: deploy the stack, or check BOOKDROP_CONFIG_PATH',
    );
    const huge = {
      ...config,
      libraries: [
        {
          ...config.libraries[0]!,
          branches: Array.from({ length: 80 }, (_, i) => ({ id: `B${i}`, name: 'A branch with a rather long name here' })),
        },
      ],
    };
    expect(() => configParameters(huge)).toThrow(/^library L01 take \d+ characters; a parameter holds 4096/);
    expect(() => assembleConfig({ consortium: '{' })).toThrow('configuration parameter consortium is not valid JSON');
  });
});
