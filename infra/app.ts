/**
 * The CDK app. The consortium configuration file comes from context `config`
 * (`npx cdk deploy -c config=path/to/consortium.json`); without it, the repository's example
 * configuration is used. cdk-nag's AwsSolutions, Serverless, NIST 800-53 R5 and HIPAA Security packs
 * run on every synth.
 */
import { App } from 'aws-cdk-lib';
import { addCompliancePacks } from '#infra/compliancePacks.ts';
import { loadConfigFile, DEFAULT_CONFIG_FILE } from '#shared/config/loadConfigFile.ts';
import { BookdropStack } from '#infra/bookdropStack.ts';

const app = new App();
const configPath = app.node.tryGetContext('config') as string | undefined;
const config = loadConfigFile(configPath ?? DEFAULT_CONFIG_FILE);
new BookdropStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? 'Bookdrop', {
  config,
  description: 'Bookdrop: privacy-first patron notices for library consortia',
});
addCompliancePacks(app);
app.synth();
