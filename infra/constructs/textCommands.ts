/**
 * What the inbound-SMS function needs for the text commands (RENEW, RENEW ALL, ITEMS): read patrons'
 * loans (a query of patron partitions only), publish `RenewalRequested` to the bus, send a renewal's
 * deadline to its own queue (delayed) and the reply to the notifier queue. It still never reads or
 * writes a contact: the reply goes out through the notifier, the only function that decrypts one.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import { OUTBOUND_SOURCE } from '#shared/events/contract.ts';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { patronPartition } from '#shared/table/keys.ts';
import { grantedActions } from '#shared/config/functionManifest.ts';
import { inboundSmsManifest } from '#functions/inbound-sms/manifest.ts';

export interface TextCommandResources {
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  /** The notifier's queue: renewal replies. */
  readonly noticeQueue: sqs.IQueue;
  /** The inbound-SMS queue itself: renewal deadlines. */
  readonly ownQueue: sqs.IQueue;
}

/** Grants the inbound-SMS function what the text commands need (its manifest names where things are). */
export function grantTextCommands(fn: lambda.Function, resources: TextCommandResources): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: grantedActions(inboundSmsManifest, 'patron-partitions'),
      resources: [resources.table.tableArn],
      // Only a patron's own partition (their loans); never logs, tombstones or statistics.
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${patronPartition('')}*`] } },
    }),
  );
  // RenewalRequested only, as Bookdrop's own outbound source: it cannot put an event that looks like the ILS's.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [resources.bus.eventBusArn],
      conditions: { StringEquals: { 'events:source': [OUTBOUND_SOURCE] } },
    }),
  );
  resources.noticeQueue.grantSendMessages(fn);
  resources.ownQueue.grantSendMessages(fn);
}
