/**
 * Bookdrop's errors spell their names out: bundles are minified without `keepNames` (it slows every
 * import; infra/bundling.ts), and an error's name is what the logs and dead-letter reasons show.
 * test/infra/bundledContacts.test.ts checks one in a real minified bundle.
 */
import { describe, expect, it } from 'vitest';
import { ContactDecryptionError } from '#shared/contacts/contactDecryption.ts';
import * as errors from '#shared/errors.ts';
import { PermanentDeliveryError } from '#shared/notices/senders.ts';
import { CliFailure, CliUsageError } from '#scripts/cli/target.ts';

describe('Errors: names that survive minification', () => {
  const classes = Object.entries({ ...errors, ContactDecryptionError, PermanentDeliveryError, CliFailure, CliUsageError }).filter(
    ([, value]) => typeof value === 'function' && (value === errors.BookdropError || value.prototype instanceof errors.BookdropError),
  ) as [string, new (...args: never[]) => Error][];

  it('covers every error class', () => {
    expect(classes.map(([exported]) => exported).sort()).toEqual([
      'BookdropError',
      'CliFailure',
      'CliUsageError',
      'ConcurrentUpdateError',
      'ConfigurationError',
      'ContactDecryptionError',
      'EventValidationError',
      'ImportFileError',
      'NoticeTextError',
      'PermanentDeliveryError',
      'RetryableDeliveryError',
    ]);
  });

  it.each(classes)('%s carries its own name as a string, not its (minifiable) class name', (exported, ErrorClass) => {
    const source = ErrorClass.toString();
    // The name is written in the class body, where minification leaves strings alone.
    expect(source).toMatch(new RegExp(`['"]${exported}['"]`));
    const error =
      exported === 'EventValidationError' ? new errors.EventValidationError([]) : new (ErrorClass as new (message: string) => Error)('m');
    expect(error.name).toBe(exported);
  });
});
