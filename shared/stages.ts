/**
 * Deployment stages: `cdk deploy -c stage=<name>` deploys stack `Bookdrop-<name>`; the CLIs find a
 * stage's resources through that stack's outputs, whose keys are named here once for both sides.
 */
import { ConfigurationError } from '#shared/errors.ts';

/** A stage name: lower-case letters, digits and dashes, starting with a letter (it becomes part of resource names). */
export const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** Throws a {@link ConfigurationError} unless `stage` is a valid stage name. */
export function checkStageName(stage: string): string {
  if (!STAGE_NAME.test(stage)) {
    throw new ConfigurationError(
      `stage name "${stage}" must be 1 to 20 lower-case letters, digits and dashes, starting with a letter (e.g. prod, test)`,
    );
  }
  return stage;
}

/** The CloudFormation stack name of a stage. */
export function stackNameFor(stage: string): string {
  return `Bookdrop-${checkStageName(stage)}`;
}

/**
 * Stack output keys the CLIs read. Queues are output as `<Name>Queue` and `<Name>DeadLetterQueue`
 * (queue URLs), so a queue another construct adds is found without a change here.
 */
export const STACK_OUTPUT = {
  eventBusName: 'EventBusName',
  tableName: 'TableName',
  contactKeyArn: 'ContactKeyArn',
  phoneIndexKeyArn: 'PhoneIndexKeyArn',
  alarmTopicArn: 'AlarmTopicArn',
  configParameterName: 'ConfigParameterName',
  dashboardName: 'DashboardName',
} as const;

/** `InboundSms` → `inbound-sms`: the queue name the CLIs accept. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The queue a stack output describes, if it is a queue output: `{ queue: 'inbound-sms', deadLetter: true }`. */
export function queueOfOutput(outputKey: string): { queue: string; deadLetter: boolean } | undefined {
  const match = /^([A-Z][A-Za-z0-9]*?)(DeadLetter)?Queue$/.exec(outputKey);
  if (!match?.[1]) return undefined;
  return { queue: kebabCase(match[1]), deadLetter: match[2] !== undefined };
}
