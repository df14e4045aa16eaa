/**
 * `npm run schemas`: writes the JSON Schema of every event of contract v1 to `schemas/v1/`, for ILS
 * integrators. A test fails when the committed files drift from the zod schemas.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contractJsonSchemas } from '#shared/events/jsonSchemas.ts';

const dir = fileURLToPath(new URL('../schemas/v1/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [file, schema] of Object.entries(contractJsonSchemas())) {
  mkdirSync(`${dir}${file.split('/')[0]}`, { recursive: true });
  writeFileSync(`${dir}${file}`, `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`schemas/v1/${file}\n`);
}
