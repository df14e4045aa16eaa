/**
 * `npm run patron-report -- <patronId> (--sandbox [url] | --stage <name> [--region <region>])`:
 * everything Bookdrop holds about one patron, with contacts masked. On a stage it uses the caller's
 * AWS credentials; showing the masked contacts needs `kms:Decrypt` on the contact key (stack output
 * ContactKeyArn), without it they show as "(encrypted)".
 *
 * Without --sandbox or --stage it reads the environment as before: `TABLE_NAME`, and
 * `CONTACT_KEY_ID` or `CONTACT_KEYS=local` with `LOCAL_KEY_FILE`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { contactDecrypterFromEnv } from '#shared/contacts/contactDecryption.ts';
import type { ContactDecrypter } from '#shared/contacts/contactCrypto.ts';
import { id } from '#shared/events/contract.ts';
import { patronReport } from '#shared/patrons/patronReport.ts';
import { tableContext } from '#shared/table/documentClient.ts';
import { CliFailure, CliUsageError, explainError, resolveTarget, runCli, splitTargetArgs } from '#scripts/cli/target.ts';

const USAGE = 'usage: npm run patron-report -- <patronId> (--sandbox [url] | --stage <name> [--region <region>])';

await runCli(async () => {
  const argv = process.argv.slice(2);
  const byEnvironment = !argv.some((arg) => /^--(sandbox|stage)(=|$)/.test(arg)) && process.env.TABLE_NAME;
  let client: DynamoDBClient;
  let tableName: string;
  let decrypter: ContactDecrypter | undefined;
  let where: string;
  let patronId: string | undefined;
  if (byEnvironment) {
    patronId = argv[0];
    tableName = process.env.TABLE_NAME!;
    client = new DynamoDBClient({});
    const keys = process.env.CONTACT_KEYS === 'local' ? 'local' : process.env.CONTACT_KEY_ID ? 'kms' : undefined;
    decrypter = keys ? contactDecrypterFromEnv({ ...process.env, CONTACT_KEYS: keys }) : undefined;
    where = `table ${tableName}`;
  } else {
    const { spec, rest } = splitTargetArgs(argv);
    patronId = rest[0];
    if (!patronId || rest.length > 1) throw new CliUsageError('name one patron id');
    const target = await resolveTarget(spec);
    client = new DynamoDBClient(target.clientConfig('dynamodb'));
    tableName = target.tableName;
    decrypter = target.contactDecrypter();
    where = target.description;
  }
  if (!patronId) throw new CliUsageError('name one patron id');
  // A phone number or an email address is not looked up (and not echoed): the report is by ILS patron id.
  if (!id.safeParse(patronId).success) {
    throw new CliUsageError('a patron id is 1 to 64 letters, digits or ._:- characters: name the ILS patron id (never a phone or email)');
  }
  try {
    const report = await patronReport(tableContext(client, tableName), patronId, new Date(), decrypter);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    throw new CliFailure(explainError(error, { doing: `reading patron ${patronId} on ${where}` }), { cause: error });
  } finally {
    client.destroy();
  }
}, USAGE);
