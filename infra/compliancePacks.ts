/**
 * The cdk-nag rule packs every synthesis runs: AWS Solutions, Serverless, NIST 800-53 rev 5 and HIPAA
 * Security. Any finding that is neither fixed nor acknowledged (with its reason, where the resource is
 * built) fails synthesis. One list, used by the CDK app and the stack tests.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';

/** The packs, by the prefix of their rule ids. */
export const COMPLIANCE_PACKS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security'] as const;

export function addCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
  );
}
