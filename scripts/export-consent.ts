/**
 * `npm run export-consent -- (--sandbox [url] | --stage <name>) [--out <file>]`: every open
 * account's current consent per channel as CSV (patron id, channel, opted in, source, time,
 * suppression), for the ILS to reconcile STOP replies, unsubscribes and suppressions. No contact
 * value is read or written.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '#shared/errors.ts';
import { DynamoAudienceIndex } from '#shared/patrons/audienceIndex.ts';
import { CONSENT_EXPORT_HEADER, consentExportLines } from '#shared/patrons/consentExport.ts';
import { tableContext } from '#shared/table/documentClient.ts';
import {
  CliFailure,
  CliUsageError,
  cannotWrite,
  explainError,
  resolveTarget,
  splitTargetArgs,
  type TargetSpec,
} from '#scripts/cli/target.ts';

const USAGE = 'usage: npm run export-consent -- (--sandbox [url] | --stage <name> [--region <region>]) [--out <file>]\n';

function fail(status: number, message: string): never {
  process.stderr.write(`export-consent: ${message}\n`);
  process.exit(status);
}

let options: { out?: string | undefined };
let spec: TargetSpec;
try {
  const split = splitTargetArgs(process.argv.slice(2));
  spec = split.spec;
  options = parseArgs({ args: split.rest, options: { out: { type: 'string' } } }).values;
} catch (error) {
  fail(2, `${(error as Error).message}\n${USAGE}`);
}

try {
  // Nothing is decrypted: the contact keys are not needed.
  const target = await resolveTarget(spec);
  const table = tableContext(new DynamoDBClient(target.clientConfig('dynamodb')), target.tableName);
  // A file is written beside its name and renamed when whole: a failure leaves no partial export, and the last good one stays.
  const partial = options.out === undefined ? undefined : `${options.out}.partial`;
  let fd: number | undefined;
  if (partial !== undefined) {
    try {
      fd = openSync(partial, 'w');
    } catch (error) {
      fail(2, cannotWrite(options.out!, error));
    }
  }
  const write = (text: string) =>
    fd === undefined
      ? new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())))
      : void writeSync(fd, text);
  let rows = 0;
  try {
    await write(`${CONSENT_EXPORT_HEADER}\n`);
    for await (const lines of consentExportLines(new DynamoAudienceIndex(table))) {
      if (lines.length > 0) await write(`${lines.join('\n')}\n`);
      rows += lines.length;
    }
  } catch (error) {
    if (fd !== undefined) {
      closeSync(fd);
      rmSync(partial!, { force: true });
    }
    fail(3, explainError(error, { doing: `reading consent from ${target.description}` }));
  }
  if (fd !== undefined) {
    closeSync(fd);
    renameSync(partial!, options.out!);
    process.stderr.write(`export-consent: ${rows} rows written to ${options.out}\n`);
  }
} catch (error) {
  if (error instanceof ConfigurationError || error instanceof CliUsageError) fail(2, error.message);
  if (error instanceof CliFailure) fail(3, error.message);
  fail(3, explainError(error, { doing: 'exporting consent' }));
}
