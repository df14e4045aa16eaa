/**
 * Captures everything written to stdout and stderr (where Powertools logs go) while a test runs,
 * so it can assert that no personal data reaches a log line.
 */
import { vi } from 'vitest';
import { logger } from '#shared/observability.ts';

export function captureLogs(): { lines: string[]; text(): string; restore(): void } {
  const lines: string[] = [];
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    lines,
    text: () => lines.join(''),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
      logger.setLogLevel(level);
    },
  };
}
