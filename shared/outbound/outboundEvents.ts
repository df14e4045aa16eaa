/**
 * Publishes Bookdrop's outbound events (`source: library.notices`) to the bus, so the ILS can mirror
 * consent changes (STOP included) and delivery outcomes. They never carry contact values or titles.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { RetryableDeliveryError } from '#shared/errors.ts';
import { OUTBOUND_SOURCE, type OutboundDetail, type OutboundDetailType } from '#shared/events/contract.ts';

export type OutboundEvent = {
  [K in OutboundDetailType]: { readonly detailType: K; readonly detail: OutboundDetail<K> };
}[OutboundDetailType];

export interface OutboundEvents {
  publish(events: readonly OutboundEvent[]): Promise<void>;
}

const PUT_EVENTS_LIMIT = 10;

export class EventBridgeOutboundEvents implements OutboundEvents {
  public constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  public async publish(events: readonly OutboundEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += PUT_EVENTS_LIMIT) {
      const chunk = events.slice(start, start + PUT_EVENTS_LIMIT);
      const result = await this.eventBridge.send(
        new PutEventsCommand({
          Entries: chunk.map((event) => ({
            EventBusName: this.eventBusName,
            Source: OUTBOUND_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if ((result.FailedEntryCount ?? 0) > 0) {
        const codes = [...new Set((result.Entries ?? []).map((entry) => entry.ErrorCode).filter(Boolean))].join(', ');
        // The stream batch is retried; consumers of these events must be idempotent (at-least-once).
        throw new RetryableDeliveryError(`EventBridge refused ${result.FailedEntryCount} outbound event(s): ${codes}`);
      }
    }
  }
}
