/**
 * `npm run privacy-chart`: writes the privacy chart (what Bookdrop keeps, why, for how long, where
 * else the data can be, who can read it, and what each vendor keeps) as Markdown and as an HTML page,
 * in English and Spanish.
 *
 * Options: `-- --config <file>` (default: the repository's configuration), `-- --out <folder>`
 * (default `docs/`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '#shared/config/loadConfigFile.ts';
import { chartFiles } from '#shared/privacy/renderChart.ts';

const { values } = parseArgs({ options: { config: { type: 'string' }, out: { type: 'string' } } });
const out = resolve(values.out ?? fileURLToPath(new URL('../docs/', import.meta.url)));
try {
  const config = loadConfigFile(values.config ?? DEFAULT_CONFIG_FILE);
  mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(chartFiles(config))) {
    writeFileSync(join(out, name), content);
    process.stdout.write(`wrote ${join(out, name)}\n`);
  }
} catch (error) {
  process.stderr.write(`privacy-chart: ${(error as Error).message}\n`);
  process.exit(1);
}
