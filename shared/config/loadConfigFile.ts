/**
 * Reads and validates a consortium configuration file (used by the CDK app and the sandbox).
 */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '#shared/errors.ts';
import { parseConsortiumConfig, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';

/** The configuration the repository ships: a two-library consortium in America/New_York. */
export const DEFAULT_CONFIG_FILE = new URL('../../config/consortium.json', import.meta.url);

export function loadConfigFile(path: string | URL = DEFAULT_CONFIG_FILE): ConsortiumConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`cannot read consortium configuration ${String(path)}`, { cause: error });
  }
  return parseConsortiumConfig(raw);
}
