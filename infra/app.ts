/**
 * The CDK app. `npx cdk deploy -c stage=<name>` deploys stack `Bookdrop-<name>` with that stage's
 * settings from `config/stages.json` (context `stages` names another file; default stage `dev`).
 * The consortium configuration file comes from context `config`
 * (`npx cdk deploy -c config=path/to/consortium.json`); without it, the repository's example
 * configuration is used. Both are validated here, at synth; a mistake is one message, no stack
 * trace. cdk-nag's AwsSolutions, Serverless, NIST 800-53 R5 and HIPAA Security packs run on every synth.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { addCompliancePacks } from '#infra/compliancePacks.ts';
import { loadConfigFile, DEFAULT_CONFIG_FILE, parseJsonText } from '#shared/config/loadConfigFile.ts';
import { stageSettings } from '#shared/config/stageSettings.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { checkStageName, stackNameFor } from '#shared/stages.ts';
import { BookdropStack } from '#infra/bookdropStack.ts';

try {
  const app = new App();
  const configPath = app.node.tryGetContext('config') as string | undefined;
  const stagesPath = (app.node.tryGetContext('stages') as string | undefined) ?? 'config/stages.json';
  const stageName = checkStageName((app.node.tryGetContext('stage') as string | undefined) ?? 'dev');
  const config = loadConfigFile(configPath ?? DEFAULT_CONFIG_FILE);
  const stage = stageSettings(parseJsonText(readStagesFile(stagesPath), stagesPath), stageName, stagesPath);
  new BookdropStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? stackNameFor(stageName), {
    config,
    stage,
    description: `Bookdrop (${stageName}): privacy-first patron notices for library consortia`,
  });
  addCompliancePacks(app);
  app.synth();
} catch (error) {
  // A configuration mistake is one clean sentence, not a stack trace.
  if (!(error instanceof ConfigurationError)) throw error;
  process.stderr.write(`Bookdrop configuration: ${error.message}\n`);
  process.exit(1);
}

function readStagesFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigurationError(`cannot read the stage settings ${path}`);
  }
}
