/**
 * Clients for the local AWS stand-ins started by the global setup, and a fresh table per caller,
 * created from the same definition the CDK stack deploys.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, ensureTable, readSesStore, type StoredEmail } from '#sandbox/localServices.ts';
import { EsdkContactCrypto, LocalPhoneBlindIndex, localContactKeyring } from '#shared/contacts/contactCrypto.ts';
import { KeyedNoticeIds, localKeyDerivation } from '#shared/notices/noticeIds.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';
import { LocalMacKey } from '#shared/unsubscribe/macKey.ts';
import { UnsubscribeTokens } from '#shared/unsubscribe/unsubscribeToken.ts';

export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

export function sesClient(): SESv2Client {
  return new SESv2Client({ endpoint: inject('sesEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/**
 * A new, empty table in DynamoDB Local; with a stream only when the caller reads it (`streams: true`):
 * stream records of every table slow all stream-enabled writes of the shared instance.
 */
export async function freshTable(
  client: DynamoDBClient = dynamoClient(),
  options: { readonly streams?: boolean } = {},
): Promise<TableContext> {
  const name = `bookdrop-test-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, name, { streams: options.streams ?? false });
  return tableContext(client, name);
}

/** Every item of a table, unmarshalled. */
export async function scanAll(table: TableContext): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, never> | undefined;
  const client = table.doc as unknown as DynamoDBClient;
  do {
    const page = await client.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  return items;
}

/** Emails the local SES accepted for `to`. */
export async function emailsTo(to: string): Promise<StoredEmail[]> {
  return (await readSesStore(inject('sesEndpoint'))).filter((email) => email.destination.to.includes(to));
}

/** Fresh local keys: contact crypto, phone blind index and unsubscribe tokens, as the sandbox uses them. */
export function localKeys() {
  const crypto = new EsdkContactCrypto(localContactKeyring(randomBytes(32)));
  const unsubscribeKey = new LocalMacKey(randomBytes(32));
  return {
    crypto,
    phoneIndex: new LocalPhoneBlindIndex(randomBytes(32)),
    unsubscribeKey,
    unsubscribeTokens: new UnsubscribeTokens(unsubscribeKey),
    noticeIds: new KeyedNoticeIds(localKeyDerivation(randomBytes(32))),
  };
}

/** Where the test pipeline's unsubscribe links point (nothing listens there: tests call the endpoint's code). */
export const TEST_UNSUBSCRIBE_URL = 'https://unsubscribe.bookdrop.test/unsubscribe';
