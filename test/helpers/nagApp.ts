/**
 * A CDK app for stack tests: skips Lambda bundling (the synth test in CI does that) and runs every
 * cdk-nag pack the real app runs, so an unacknowledged finding makes `Template.fromStack` throw.
 */
import { App } from 'aws-cdk-lib';
import { addCompliancePacks } from '#infra/compliancePacks.ts';

export function nagApp(): App {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  addCompliancePacks(app);
  return app;
}
