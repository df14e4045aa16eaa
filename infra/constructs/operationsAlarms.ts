/**
 * The stage's alarms, all sent to one encrypted SNS topic whose email recipients come from the stage
 * settings. Queues, functions and stream consumers are discovered in the construct tree (see
 * discovery.ts), so create this construct LAST in the stack: everything built before it is covered,
 * and the template tests fail if a queue or function has no alarm. Each alarm's description names its
 * runbook section in docs/operations.md.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { discoverFunctions, discoverQueues, discoverStreamConsumers, labelOf } from '#infra/constructs/discovery.ts';

/** Thresholds, with the reason for each (also in docs/operations.md). */
export const ALARM_LEVELS = {
  /** A source queue's oldest message older than this means the consumer is stuck or failing. */
  oldestMessageMinutes: 30,
  /** Dead letters are kept 14 days: warn when the oldest is this old, before they expire. */
  deadLetterAgeDays: 10,
  /** A stream consumer this far behind delays purge journals and outbound events. */
  iteratorAgeMinutes: 5,
  /** SES puts an account under review at a 5 % bounce rate and may pause sending at 10 %. */
  bounceRate: { review: 0.05, pause: 0.1, warnAt: 0.04, criticalAt: 0.08 },
  /** SES reviews at a 0.1 % complaint rate and may pause at 0.5 %. */
  complaintRate: { review: 0.001, pause: 0.005, warnAt: 0.0008, criticalAt: 0.004 },
  /** Share of the stage's SMS budget spent this month that raises the alarm. */
  smsBudgetShare: 0.8,
  /** Share of failed notices (failed / (sent + failed)) over an hour, when at least `failedNoticeMinimum` were tried. */
  failedNoticePercent: 5,
  failedNoticeMinimum: 20,
} as const;

export interface OperationsAlarmsProps {
  /** Stage name: alarm names start with `Bookdrop-<stage>-`. */
  readonly stage: string;
  /** Email recipients of the alarm topic. */
  readonly recipients: readonly string[];
  /** Monthly SMS budget in US dollars. */
  readonly smsMonthlyBudgetUsd: number;
}

/** The runbook section of an alarm (an anchor in docs/operations.md). */
export type RunbookSection =
  | 'dead-letters'
  | 'dead-letters-expiring'
  | 'queue-backlog'
  | 'function-errors'
  | 'function-throttles'
  | 'stream-iterator-age'
  | 'ses-bounce-rate'
  | 'ses-complaint-rate'
  | 'sms-spend'
  | 'failed-notices';

export class OperationsAlarms extends Construct {
  public readonly topic: sns.Topic;
  /** Every alarm, by the runbook section that explains it. */
  public readonly alarms: { readonly alarm: cloudwatch.Alarm; readonly runbook: RunbookSection }[] = [];
  private readonly action: actions.SnsAction;
  private readonly prefix: string;

  public constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.prefix = `Bookdrop-${props.stage}`;
    const key = new kms.Key(this, 'TopicKey', { description: 'Bookdrop: alarm topic', enableKeyRotation: true });
    // CloudWatch publishes alarm notifications to the encrypted topic: it needs the key, for this account's alarms only.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { displayName: `Bookdrop ${props.stage} alarms`, masterKey: key, enforceSSL: true });
    for (const [index, email] of props.recipients.entries()) {
      new sns.Subscription(this, `Recipient${index}`, { topic: this.topic, protocol: sns.SubscriptionProtocol.EMAIL, endpoint: email });
    }
    this.action = new actions.SnsAction(this.topic);

    for (const { queue, label, deadLetter } of discoverQueues(stack)) {
      if (deadLetter) {
        this.add(
          `${label} has dead letters`,
          'dead-letters',
          queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
          1,
        );
        this.add(
          `${label} dead letters expire soon`,
          'dead-letters-expiring',
          queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.hours(1) }),
          ALARM_LEVELS.deadLetterAgeDays * 86_400,
        );
      } else {
        this.add(
          `${label} backlog`,
          'queue-backlog',
          queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(5) }),
          ALARM_LEVELS.oldestMessageMinutes * 60,
          2,
        );
      }
    }
    for (const fn of discoverFunctions(stack)) {
      const label = labelOf(fn);
      this.add(`${label} errors`, 'function-errors', fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }), 1);
      this.add(`${label} throttles`, 'function-throttles', fn.metricThrottles({ statistic: 'Sum', period: Duration.minutes(5) }), 1);
    }
    for (const fn of discoverStreamConsumers(stack)) {
      this.add(
        `${labelOf(fn)} iterator age`,
        'stream-iterator-age',
        fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
        ALARM_LEVELS.iteratorAgeMinutes * 60_000,
      );
    }
    const ses = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    const { bounceRate, complaintRate } = ALARM_LEVELS;
    this.add('SES bounce rate near review', 'ses-bounce-rate', ses('Reputation.BounceRate'), bounceRate.warnAt);
    this.add('SES bounce rate near pause', 'ses-bounce-rate', ses('Reputation.BounceRate'), bounceRate.criticalAt);
    this.add('SES complaint rate near review', 'ses-complaint-rate', ses('Reputation.ComplaintRate'), complaintRate.warnAt);
    this.add('SES complaint rate near pause', 'ses-complaint-rate', ses('Reputation.ComplaintRate'), complaintRate.criticalAt);
    this.add(
      'SMS spend near monthly budget',
      'sms-spend',
      new cloudwatch.Metric({
        namespace: 'AWS/SNS',
        metricName: 'SMSMonthToDateSpentUSD',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      props.smsMonthlyBudgetUsd * ALARM_LEVELS.smsBudgetShare,
    );
    const notices = (outcome: string) =>
      new cloudwatch.Metric({
        namespace: 'Bookdrop',
        metricName: `notice-${outcome}`,
        dimensionsMap: { service: 'bookdrop' },
        statistic: 'Sum',
        period: Duration.hours(1),
      });
    this.add(
      'Failed notices share',
      'failed-notices',
      new cloudwatch.MathExpression({
        expression: `IF((sent + failed) >= ${ALARM_LEVELS.failedNoticeMinimum}, 100 * failed / (sent + failed), 0)`,
        usingMetrics: { sent: notices('sent'), failed: notices('failed') },
        period: Duration.hours(1),
        label: 'failed notices (%)',
      }),
      ALARM_LEVELS.failedNoticePercent,
    );
  }

  private add(title: string, runbook: RunbookSection, metric: cloudwatch.IMetric, threshold: number, evaluationPeriods = 1): void {
    const name = `${this.prefix}-${title
      .replace(/[^A-Za-z0-9 -]/g, ' ')
      .trim()
      .replace(/\s+/g, '-')}`;
    const alarm = new cloudwatch.Alarm(this, title.replace(/[^A-Za-z0-9]/g, ''), {
      alarmName: name,
      alarmDescription: `${title}. Runbook: docs/operations.md#${runbook}`,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.alarms.push({ alarm, runbook });
  }
}
