/**
 * Reads and validates a consortium configuration file (used by the CDK app and the sandbox).
 */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '#shared/errors.ts';
import { parseConsortiumConfig, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';

/** The configuration the repository ships: a two-library consortium in America/New_York. */
export const DEFAULT_CONFIG_FILE = new URL('../../config/consortium.json', import.meta.url);

/** Reads, parses and validates a consortium configuration file; every problem is one {@link ConfigurationError}. */
export function loadConfigFile(path: string | URL = DEFAULT_CONFIG_FILE): ConsortiumConfig {
  const name = path instanceof URL ? path.pathname : path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`cannot read consortium configuration ${name}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, {
      cause: error,
    });
  }
  const raw = parseJsonText(text, `consortium configuration ${name}`);
  try {
    return parseConsortiumConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) throw new ConfigurationError(`${name}: ${error.message}`);
    throw error;
  }
}

/**
 * `JSON.parse` with a message a person can act on: what is wrong and where, as line and column
 * (the parser's own message names a character offset, when it names one at all).
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const offset = position === undefined ? (/end of JSON input/.test(message) ? text.length : undefined) : Number(position);
    const reason = message
      .replace(/^JSON\.parse: /, '')
      .replace(/,? ?(in JSON )?at position \d+.*$/, '')
      .replace(/ in JSON$/, '');
    if (offset === undefined) throw new ConfigurationError(`${what} is not valid JSON: ${reason}`);
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const column = (before[before.length - 1]?.length ?? 0) + 1;
    throw new ConfigurationError(`${what} is not valid JSON at line ${line}, column ${column}: ${reason}`);
  }
}
