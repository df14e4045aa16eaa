/**
 * JSON Schema (draft 2020-12) for contract v1, generated from the zod schemas so the two can never
 * disagree. Inbound schemas describe the EventBridge `detail`; outbound ones Bookdrop's events.
 */
import * as z from 'zod/mini';
import { circulationEventSchemas, outboundEventSchemas, OUTBOUND_SOURCE } from '#shared/events/contract.ts';

/** File name → JSON Schema, for every inbound and outbound detail-type. */
export function contractJsonSchemas(): Record<string, Record<string, unknown>> {
  const files: Record<string, Record<string, unknown>> = {};
  const add = (direction: 'inbound' | 'outbound', detailType: string, schema: z.ZodMiniType, source: string) => {
    files[`${direction}/${detailType}.json`] = {
      ...z.toJSONSchema(schema, { io: 'input' }),
      $id: `https://bookdrop.example/schemas/v1/${direction}/${detailType}.json`,
      title: `${detailType} (detail), contract v1`,
      description: `The detail of a "${detailType}" event with source "${source}".`,
    };
  };
  for (const [detailType, schema] of Object.entries(circulationEventSchemas))
    add('inbound', detailType, schema, 'library.circulation (configurable)');
  for (const [detailType, schema] of Object.entries(outboundEventSchemas)) add('outbound', detailType, schema, OUTBOUND_SOURCE);
  return files;
}
