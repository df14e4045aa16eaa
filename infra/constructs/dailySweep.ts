/**
 * The daily sweep's schedule: EventBridge Scheduler, in the library's time zone, at the end of SMS
 * quiet hours (08:00 by default), puts `{"sweepStart":{}}` on the notifier queue; the notifier works
 * out the day and pages through what is due. Deliveries the scheduler cannot make go to the DLQ.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { acknowledgeEncryptedQueueSends } from '#infra/constructs/durableQueue.ts';
import { INLINE_POLICY_ACKNOWLEDGEMENTS } from '#infra/constructs/serviceFunction.ts';

export interface DailySweepProps {
  readonly config: ConsortiumConfig;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly key: kms.IKey;
}

export class DailySweep extends Construct {
  public readonly schedule: scheduler.CfnSchedule;

  public constructor(scope: Construct, id: string, props: DailySweepProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Only EventBridge Scheduler acting for this account's schedules may assume the role (confused deputy).
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: 'default/*' }) },
        },
      }),
      description: 'Bookdrop daily sweep: sends the sweep start to the notifier queue',
    });
    props.queue.grantSendMessages(role);
    props.deadLetterQueue.grantSendMessages(role);
    acknowledgeEncryptedQueueSends(this);
    Validations.of(this).acknowledge(...INLINE_POLICY_ACKNOWLEDGEMENTS);
    const [hour, minute] = props.config.notices.quietHours.end.split(':').map(Number);
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: 'Bookdrop: due-soon, overdue and hold-expiring notices, once a day when SMS quiet hours end',
      scheduleExpression: `cron(${minute} ${hour} * * ? *)`,
      scheduleExpressionTimezone: props.config.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: props.queue.queueArn,
        roleArn: role.roleArn,
        input: JSON.stringify({ sweepStart: {} }),
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
      },
    });
  }
}
