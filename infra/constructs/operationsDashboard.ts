/**
 * The stage's CloudWatch dashboard: events in by type (EventBridge rule matches), notices by kind,
 * channel and outcome (Logs Insights over the notifier's "notice outcome" lines, which carry ids and
 * kinds only), failures, opt-outs per day, queue and dead-letter queue depths, and purge counts (the
 * per-kind purge journal itself is in the table).
 * Queues, rules and functions are discovered in the construct tree: create it after them.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { discoverFunctions, discoverQueues, discoverRules, labelOf } from '#infra/constructs/discovery.ts';

export interface OperationsDashboardProps {
  readonly stage: string;
  /** The notifier function, whose log lines give notices by kind and channel. */
  readonly notifier: lambda.Function;
}

const bookdrop = (metricName: string, period = Duration.hours(1)) =>
  new cloudwatch.Metric({
    namespace: 'Bookdrop',
    metricName,
    dimensionsMap: { service: 'bookdrop' },
    statistic: 'Sum',
    period,
    label: metricName,
  });

export class OperationsDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `Bookdrop-${props.stage}`,
      defaultInterval: Duration.days(7),
    });
    const queues = discoverQueues(stack);
    const depth = (deadLetter: boolean) =>
      queues
        .filter((queue) => queue.deadLetter === deadLetter)
        .map(({ queue, label }) =>
          queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5), label }),
        );
    const width = 12;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Events in by type (EventBridge rule matches)',
        width,
        left: discoverRules(stack).map(
          (rule) =>
            new cloudwatch.Metric({
              namespace: 'AWS/Events',
              metricName: 'MatchedEvents',
              dimensionsMap: { RuleName: rule.ruleName },
              statistic: 'Sum',
              period: Duration.hours(1),
              label: labelOf(rule),
            }),
        ),
      }),
      new cloudwatch.LogQueryWidget({
        title: 'Notices by kind, channel and outcome',
        width,
        logGroupNames: [props.notifier.logGroup.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: ['filter message = "notice outcome"', 'stats count(*) as notices by kind, channel, outcome', 'sort notices desc'],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Failures',
        width,
        left: [bookdrop('notice-failed'), bookdrop('record-failed'), bookdrop('sns-opt-in-refused')],
        right: discoverFunctions(stack).map((fn) =>
          fn.metricErrors({ statistic: 'Sum', period: Duration.hours(1), label: `${labelOf(fn)} errors` }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Opt-outs and suppressions per day',
        width,
        left: ['inbound-sms-opt-out', 'email-feedback-suppressed', 'inbound-sms-opt-in'].map((name) => bookdrop(name, Duration.days(1))),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Queue depths', width, left: depth(false) }),
      new cloudwatch.GraphWidget({ title: 'Dead-letter queue depths', width, left: depth(true) }),
    );
    const tables = stack.node.findAll().filter((node): node is dynamodb.Table => node instanceof dynamodb.Table);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Purged records per day (TTL deletions, history and closed accounts)',
        width: 2 * width,
        left: [
          ...tables.map(
            (table) =>
              new cloudwatch.Metric({
                namespace: 'AWS/DynamoDB',
                metricName: 'TimeToLiveDeletedItemCount',
                dimensionsMap: { TableName: table.tableName },
                statistic: 'Sum',
                period: Duration.days(1),
                label: `TTL deletions (${labelOf(table)})`,
              }),
          ),
          ...['history-entries-purged', 'closed-account-records-purged'].map((name) => bookdrop(name, Duration.days(1))),
        ],
      }),
    );
  }
}
