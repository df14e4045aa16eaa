/**
 * The circulation event bus and its rules. Only this account and the configured publisher accounts
 * may put events, and those only with the configured circulation `source`. Each rule sends to an
 * encrypted queue, with a dead-letter queue for deliveries EventBridge cannot make.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { routes, type EventPattern, type RouteTarget } from '#shared/routing/rules.ts';

export interface EventIngressProps {
  readonly config: ConsortiumConfig;
  readonly targets: Record<RouteTarget, { queue: sqs.IQueue; deadLetterQueue: sqs.IQueue }>;
}

export class EventIngress extends Construct {
  public readonly bus: events.EventBus;

  public constructor(scope: Construct, id: string, props: EventIngressProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { description: 'Bookdrop: ILS circulation events in, notices out' });
    const { publisherAccounts, source } = props.config.events;
    if (publisherAccounts.length > 0) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'IlsPublishers',
          principals: publisherAccounts.map((account) => new iam.AccountPrincipal(account)),
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { 'events:source': [source] } },
        }),
      );
    }
    for (const route of routes(props.config)) {
      const target = props.targets[route.target];
      new events.Rule(this, route.id, {
        eventBus: this.bus,
        description: route.description,
        eventPattern: toCdkPattern(route.pattern),
        targets: [new targets.SqsQueue(target.queue, { deadLetterQueue: target.deadLetterQueue, retryAttempts: 185 })],
      });
    }
  }
}

/** EventBridge's JSON pattern (`detail-type`) in the CDK's spelling (`detailType`). */
export function toCdkPattern(pattern: EventPattern): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType === undefined ? {} : { detailType }) } as events.EventPattern;
}
