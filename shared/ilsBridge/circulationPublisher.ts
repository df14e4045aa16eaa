/**
 * Puts validated contract v1 events on the circulation bus, as the ILS would with PutEvents, and
 * answers per event like PutEvents does. Used by the signed webhook and the report-file bridge.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CirculationEvent } from '#shared/events/contract.ts';

/** One event's outcome, in PutEvents' shape. */
export type PublishResult = { readonly EventId: string } | { readonly ErrorCode: string; readonly ErrorMessage: string };

/** Puts events on the bus; one result per event, in order. */
export interface CirculationPublisher {
  publish(events: readonly CirculationEvent[]): Promise<PublishResult[]>;
}

/** PutEvents takes at most ten entries a request. */
export const PUT_EVENTS_LIMIT = 10;

export class EventBridgeCirculationPublisher implements CirculationPublisher {
  public constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly eventBusName: string,
    /** The circulation `source` the bus policy and rules expect (configuration `events.source`). */
    private readonly source: string,
  ) {}

  public async publish(events: readonly CirculationEvent[]): Promise<PublishResult[]> {
    const results: PublishResult[] = [];
    for (let start = 0; start < events.length; start += PUT_EVENTS_LIMIT) {
      const chunk = events.slice(start, start + PUT_EVENTS_LIMIT);
      const response = await this.eventBridge.send(
        new PutEventsCommand({
          Entries: chunk.map((event) => ({
            EventBusName: this.eventBusName,
            Source: this.source,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      chunk.forEach((_, index) => {
        const entry = response.Entries?.[index];
        results.push(
          entry?.EventId
            ? { EventId: entry.EventId }
            : {
                ErrorCode: entry?.ErrorCode ?? 'InternalFailure',
                ErrorMessage: entry?.ErrorMessage ?? 'EventBridge returned no result for this entry',
              },
        );
      });
    }
    return results;
  }
}
