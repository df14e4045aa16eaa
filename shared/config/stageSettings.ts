/**
 * Per-stage deployment settings (`config/stages.json`): who receives alarms, how long logs are kept,
 * whether stateful resources survive a stack deletion, and the SMS spend the alarms compare against.
 * Validated strictly at synth, like the consortium configuration.
 */
import * as z from 'zod/mini';
import { ConfigurationError } from '#shared/errors.ts';
import { describeIssues } from '#shared/events/issues.ts';
import { STAGE_NAME } from '#shared/stages.ts';

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const stageSchema = z.strictObject({
  /** Email addresses subscribed to the stage's alarm topic (each confirms its subscription once). */
  alarmEmails: z.array(z.email({ error: 'must be an email address' })),
  /** Retention of every log group of the stage. */
  logRetentionDays: z.number().check(
    z.refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      error: `must be a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(', ')}`,
    }),
  ),
  /** `retain`: the table, keys and logs outlive the stack (production). `destroy`: a throwaway stage. */
  removal: z.enum(['retain', 'destroy'], { error: 'must be "retain" or "destroy"' }),
  /** Monthly SMS budget in US dollars; an alarm fires at 80 % of it (keep the account's SNS spend limit above it). */
  smsMonthlyBudgetUsd: z.number().check(z.positive({ error: 'must be a positive amount of US dollars' })),
});

const stagesSchema = z.record(
  z.string().check(z.regex(STAGE_NAME, { error: 'stage names are 1 to 20 lower-case letters, digits and dashes, starting with a letter' })),
  stageSchema,
);

export type StageSettings = z.infer<typeof stageSchema> & { readonly name: string };

/** Validates the stages file and returns the settings of `stage`, or a {@link ConfigurationError} that says what to fix. */
export function stageSettings(input: unknown, stage: string, file = 'config/stages.json'): StageSettings {
  const result = stagesSchema.safeParse(input);
  if (!result.success) {
    const problems = describeIssues(result.error.issues, 'stages').map((issue) => `${issue.field} ${issue.rule}`);
    throw new ConfigurationError(`${file}: invalid stage settings: ${problems.join('; ')}`);
  }
  const settings = result.data[stage];
  if (!settings) {
    throw new ConfigurationError(`${file} has no stage "${stage}"; known stages: ${Object.keys(result.data).join(', ') || 'none'}`);
  }
  return { name: stage, ...settings };
}
