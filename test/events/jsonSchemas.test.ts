import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractJsonSchemas } from '#shared/events/jsonSchemas.ts';

const dir = new URL('../../schemas/v1/', import.meta.url);

describe('Function: contractJsonSchemas', () => {
  it('matches the committed schemas/v1 files (run `npm run schemas` after changing the contract)', () => {
    const generated = contractJsonSchemas();
    const committed = ['inbound', 'outbound'].flatMap((direction) =>
      readdirSync(new URL(`${direction}/`, dir)).map((file) => `${direction}/${file}`),
    );
    expect(committed.sort()).toEqual(Object.keys(generated).sort());
    for (const [file, schema] of Object.entries(generated)) {
      expect(JSON.parse(readFileSync(new URL(file, dir), 'utf8')), file).toEqual(schema);
    }
  });

  it('requires the idempotency key and the event time on every inbound event', () => {
    for (const [file, schema] of Object.entries(contractJsonSchemas()).filter(([name]) => name.startsWith('inbound/'))) {
      expect(schema.required, file).toEqual(expect.arrayContaining(['eventId', 'occurredAt']));
    }
  });
});
