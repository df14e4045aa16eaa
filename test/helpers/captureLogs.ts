/**
 * Captures everything written to stdout and stderr (where Powertools logs go) while a test runs,
 * so it can assert that no personal data reaches a log line. The log level is the test file's
 * (`POWERTOOLS_LOG_LEVEL`, WARN by default).
 */
import { vi } from 'vitest';

export function captureLogs(): { lines: string[]; text(): string; restore(): void } {
  const lines: string[] = [];
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
    },
  };
}
