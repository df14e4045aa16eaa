/**
 * `npm run export-consent -- (--sandbox [url] | --stage <name>) [--out <file>]`: every open
 * account's current consent per channel as CSV (patron id, channel, opted in, source, time,
 * suppression), for the ILS to reconcile STOP replies, unsubscribes and suppressions. No contact
 * value is read or written.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '#shared/errors.ts';
import { DynamoAudienceIndex } from '#shared/patrons/audienceIndex.ts';
import { CONSENT_EXPORT_HEADER, consentExportLines } from '#shared/patrons/consentExport.ts';
import { tableContext } from '#shared/table/documentClient.ts';
import { describeAwsError, resolveTarget, withSandboxDefault } from './cli/importTarget.ts';

const USAGE = 'usage: npm run export-consent -- (--sandbox [url] | --stage <name> [--stack <name>]) [--out <file>]\n';

function fail(status: number, message: string): never {
  process.stderr.write(`export-consent: ${message}\n`);
  process.exit(status);
}

let options: { sandbox?: string | undefined; stage?: string | undefined; stack?: string | undefined; out?: string | undefined };
try {
  options = parseArgs({
    args: withSandboxDefault(process.argv.slice(2)),
    options: { sandbox: { type: 'string' }, stage: { type: 'string' }, stack: { type: 'string' }, out: { type: 'string' } },
  }).values;
} catch (error) {
  fail(2, `${(error as Error).message}\n${USAGE}`);
}

const write = (stream: NodeJS.WritableStream, text: string) =>
  new Promise<void>((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));

try {
  // Nothing is decrypted: the contact keys are not needed.
  const target = await resolveTarget({ ...options, needsKeys: false });
  const table = tableContext(target.dynamodb, target.tableName);
  const stream: NodeJS.WritableStream | WriteStream = options.out ? createWriteStream(options.out) : process.stdout;
  let rows = 0;
  try {
    await write(stream, `${CONSENT_EXPORT_HEADER}\n`);
    for await (const lines of consentExportLines(new DynamoAudienceIndex(table))) {
      if (lines.length > 0) await write(stream, `${lines.join('\n')}\n`);
      rows += lines.length;
    }
  } catch (error) {
    fail(3, describeAwsError(error, `reading consent from ${target.label}`));
  }
  if (options.out) {
    await new Promise((resolve) => (stream as WriteStream).end(resolve));
    process.stderr.write(`export-consent: ${rows} rows written to ${options.out}\n`);
  }
} catch (error) {
  if (error instanceof ConfigurationError) fail(2, error.message);
  fail(3, describeAwsError(error, 'exporting consent'));
}
