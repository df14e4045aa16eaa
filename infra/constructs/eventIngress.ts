/**
 * The circulation event bus and its rules. Besides this account's own identities (through IAM), only
 * the configured publisher roles may put events, and those only with the configured circulation
 * `source`. Each rule sends to an encrypted queue, with a dead-letter queue for deliveries EventBridge
 * cannot make; the queue accepts EventBridge only for that rule of this account (confused deputy).
 */
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy, bindBaseTargetConfig } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { routes, type EventPattern, type RouteTarget } from '#shared/routing/rules.ts';

export interface EventIngressProps {
  readonly config: ConsortiumConfig;
  readonly targets: Record<RouteTarget, { queue: sqs.IQueue; deadLetterQueue: sqs.IQueue }>;
}

const EVENTS = 'events.amazonaws.com';

export class EventIngress extends Construct {
  public readonly bus: events.EventBus;

  public constructor(scope: Construct, id: string, props: EventIngressProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { description: 'Bookdrop: ILS circulation events in, notices out' });
    const { publisherRoleArns, source } = props.config.events;
    if (publisherRoleArns.length > 0) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'IlsPublishers',
          principals: publisherRoleArns.map((arn) => new iam.ArnPrincipal(arn)),
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { 'events:source': [source] } },
        }),
      );
    }
    const keys = new Set<kms.IKey>();
    for (const route of routes(props.config)) {
      const target = props.targets[route.target];
      new events.Rule(this, route.id, {
        eventBus: this.bus,
        description: route.description,
        eventPattern: toCdkPattern(route.pattern),
        targets: [new SourceBoundQueueTarget(target.queue, target.deadLetterQueue)],
      });
      for (const queue of [target.queue, target.deadLetterQueue]) if (queue.encryptionMasterKey) keys.add(queue.encryptionMasterKey);
    }
    // The key policy cannot name a rule (the rule depends on the queue, the queue on the key): it names
    // this bus's rules of this account instead.
    const stack = Stack.of(this);
    const rulesOfThisBus = stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${this.bus.eventBusName}/*` });
    for (const key of keys) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(EVENTS)],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': rulesOfThisBus },
          },
        }),
      );
    }
  }
}

/**
 * An SQS rule target whose queue accepts EventBridge only for this one rule of this account
 * (`aws:SourceArn` and `aws:SourceAccount`). CDK's own SqsQueue target gives an encrypted queue only
 * `aws:SourceAccount`, and puts that on the key too.
 */
export class SourceBoundQueueTarget implements events.IRuleTarget {
  public constructor(
    private readonly queue: sqs.IQueue,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {}

  public bind(rule: events.IRule): events.RuleTargetConfig {
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThisRuleOfThisAccount',
        principals: [new iam.ServicePrincipal(EVENTS)],
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        resources: [this.queue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': rule.ruleArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(rule).account },
        },
      }),
    );
    addToDeadLetterQueueResourcePolicy(rule, this.deadLetterQueue);
    return {
      ...bindBaseTargetConfig({ deadLetterQueue: this.deadLetterQueue, retryAttempts: 185 }),
      arn: this.queue.queueArn,
      targetResource: this.queue,
    };
  }
}

/** EventBridge's JSON pattern (`detail-type`) in the CDK's spelling (`detailType`). */
export function toCdkPattern(pattern: EventPattern): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType === undefined ? {} : { detailType }) } as events.EventPattern;
}
