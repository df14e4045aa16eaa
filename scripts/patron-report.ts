/**
 * `npm run patron-report -- <patronId>`: everything Bookdrop holds about one patron, with contacts
 * masked, from a deployed stack (or the sandbox). It uses the caller's AWS credentials; showing the
 * masked contacts needs `kms:Decrypt` on the contact key, without it they show as "(encrypted)".
 *
 * Environment: `TABLE_NAME` (the stack output), `CONTACT_KEY_ID` (optional: the contact key ARN),
 * or `CONTACT_KEYS=local` with `LOCAL_KEY_FILE` for the sandbox.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { contactDecrypterFromEnv } from '#shared/contacts/contactDecryption.ts';
import { patronReport } from '#shared/patrons/patronReport.ts';
import { tableContext } from '#shared/table/documentClient.ts';

const patronId = process.argv[2];
const tableName = process.env.TABLE_NAME;
if (!patronId || !tableName) {
  process.stderr.write('usage: TABLE_NAME=<table> [CONTACT_KEY_ID=<key arn>] npm run patron-report -- <patronId>\n');
  process.exit(2);
}
const keys = process.env.CONTACT_KEYS === 'local' ? 'local' : process.env.CONTACT_KEY_ID ? 'kms' : undefined;
const decrypter = keys ? contactDecrypterFromEnv({ ...process.env, CONTACT_KEYS: keys }) : undefined;
const report = await patronReport(tableContext(new DynamoDBClient({}), tableName), patronId, new Date(), decrypter);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
