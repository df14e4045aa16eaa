/**
 * Validates an EventBridge event (as delivered to an SQS target) against contract v1.
 * Throws {@link EventValidationError} naming each field and rule; never echoes a value.
 */
import * as z from 'zod/mini';
import { EventValidationError } from '#shared/errors.ts';
import { describeIssues } from '#shared/events/issues.ts';
import { parseMessage } from '#shared/events/parseMessage.ts';
import { circulationEventSchemas, type CirculationDetailType, type CirculationEvent } from '#shared/events/contract.ts';

const envelope = z.object({
  id: z.optional(z.string()),
  source: z.string(),
  'detail-type': z.string(),
  detail: z.record(z.string(), z.unknown()),
});

function isDetailType(value: string): value is CirculationDetailType {
  return Object.hasOwn(circulationEventSchemas, value);
}

/** Parses one EventBridge event object. */
export function parseCirculationEvent(input: unknown): CirculationEvent {
  const outer = envelope.safeParse(input);
  if (!outer.success) throw new EventValidationError(describeIssues(outer.error.issues, 'event'));
  const detailType = outer.data['detail-type'];
  const context = { detailType, eventBridgeId: outer.data.id };
  if (!isDetailType(detailType)) {
    throw new EventValidationError([{ field: 'event.detail-type', rule: 'is not a detail-type of contract v1' }], context);
  }
  const detail = circulationEventSchemas[detailType].safeParse(outer.data.detail);
  if (!detail.success) {
    const eventId = typeof outer.data.detail.eventId === 'string' ? outer.data.detail.eventId : undefined;
    throw new EventValidationError(describeIssues(detail.error.issues, 'detail'), { ...context, eventId });
  }
  return { detailType, detail: detail.data } as CirculationEvent;
}

/** Parses an SQS record body holding an EventBridge event. */
export function parseCirculationRecordBody(body: string): CirculationEvent {
  return parseCirculationEvent(parseMessage(body, z.unknown(), 'event', 'a JSON EventBridge event'));
}
