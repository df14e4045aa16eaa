/**
 * The consortium configuration in SSM Parameter Store (see shared/config/parameterConfig.ts for the
 * layout): standard-tier String parameters under `/bookdrop/<stage>/config`. The configuration holds
 * no secret (branding, time zone, timings), so SecureString is not needed. Every function that would
 * carry the configuration in its environment (`BOOKDROP_CONFIG`, limited to 4 KB in all) gets the
 * parameter path instead, and read access to that path only.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { configParameterPath, configParameters } from '#shared/config/parameterConfig.ts';
import { discoverFunctions } from '#infra/constructs/discovery.ts';

export interface ConfigParametersProps {
  readonly stage: string;
  readonly config: ConsortiumConfig;
}

export class ConfigParameters extends Construct {
  /** The parameter path, e.g. `/bookdrop/prod/config`. */
  public readonly path: string;
  public readonly parameters: ssm.StringParameter[] = [];

  public constructor(scope: Construct, id: string, props: ConfigParametersProps) {
    super(scope, id);
    this.path = configParameterPath(props.stage);
    for (const [name, value] of Object.entries(configParameters(props.config))) {
      this.parameters.push(
        new ssm.StringParameter(this, name.replace(/[^A-Za-z0-9]/g, ''), {
          parameterName: `${this.path}/${name}`,
          stringValue: value,
          tier: ssm.ParameterTier.STANDARD,
          description: 'Bookdrop consortium configuration (validated at synth)',
        }),
      );
    }
  }

  /**
   * Gives every function of the stack whose environment carries `BOOKDROP_CONFIG` the parameter path
   * instead (`BOOKDROP_CONFIG_PATH`) and `ssm:GetParametersByPath` on it. Call it after the functions
   * exist. Returns the functions it changed.
   */
  public distribute(): lambda.Function[] {
    const stack = Stack.of(this);
    const pathArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: this.path.slice(1) });
    const changed: lambda.Function[] = [];
    for (const fn of discoverFunctions(stack)) {
      const cfn = fn.node.defaultChild as lambda.CfnFunction;
      const variables = (stack.resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
      if (!('BOOKDROP_CONFIG' in variables)) continue;
      cfn.addPropertyDeletionOverride('Environment.Variables.BOOKDROP_CONFIG');
      fn.addEnvironment('BOOKDROP_CONFIG_PATH', this.path);
      // GetParametersByPath on a path covers every level below it: no wildcard needed.
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParametersByPath'], resources: [pathArn] }));
      changed.push(fn);
    }
    return changed;
  }
}
