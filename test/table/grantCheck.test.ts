/**
 * The test pipeline's stand-in for IAM (test/helpers/grantCheck.ts): a function's DynamoDB client
 * refuses what its manifest does not grant, and allows a patron-partition query only in a patron
 * partition, as the stack's `dynamodb:LeadingKeys` condition does; its SNS and SES clients refuse the
 * SNS and SES actions the manifest does not grant.
 */
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { OptInPhoneNumberCommand, SNSClient } from '@aws-sdk/client-sns';
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { inboundSmsManifest } from '#functions/inbound-sms/manifest.ts';
import { notifierManifest } from '#functions/notifier/manifest.ts';
import { tableStreamManifest } from '#functions/table-stream/manifest.ts';
import { patronKey, patronPartition } from '#shared/table/keys.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { grantCheckedClient, grantCheckedTable, type Refusal } from '#test/helpers/grantCheck.ts';
import { freshTable, sesClient } from '#test/helpers/localAws.ts';

describe('Test helper: grant-checked table', () => {
  let table: TableContext;
  beforeAll(async () => {
    table = await freshTable();
  });

  it('refuses an action the manifest does not grant, with AccessDeniedException, and records it', async () => {
    const refusals: Refusal[] = [];
    const inbound = grantCheckedTable(table, inject('dynamoEndpoint'), inboundSmsManifest, refusals);
    const batchGet = inbound.doc.send(new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: [patronKey('P-1')] } } }));
    await expect(batchGet).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'inbound-sms is not granted dynamodb:BatchGetItem on the table (functions/inbound-sms/manifest.ts)',
    });
    expect(refusals).toEqual([{ functionName: 'inbound-sms', action: 'dynamodb:BatchGetItem', resource: 'table' }]);
    // A granted action goes through.
    await expect(inbound.doc.send(new GetCommand({ TableName: table.tableName, Key: patronKey('P-1') }))).resolves.toBeDefined();
    expect(refusals).toHaveLength(1);
  });

  it('allows a patron-partition query only in a patron partition', async () => {
    const refusals: Refusal[] = [];
    const inbound = grantCheckedTable(table, inject('dynamoEndpoint'), inboundSmsManifest, refusals);
    const query = (pk: string) =>
      inbound.doc.send(
        new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }),
      );
    await expect(query(patronPartition('P-1'))).resolves.toBeDefined();
    await expect(query('STATS#2026-11-04')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(refusals).toEqual([{ functionName: 'inbound-sms', action: 'dynamodb:Query', resource: 'table' }]);
  });

  it('tells an index query from a table query, and checks each operation of a transaction', async () => {
    const refusals: Refusal[] = [];
    const notifier = grantCheckedTable(table, inject('dynamoEndpoint'), notifierManifest, refusals);
    const byNoticeId = TABLE.indexes.byNoticeId;
    // The notifier may query its indexes but not the table itself.
    await expect(
      notifier.doc.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: byNoticeId.name,
          KeyConditionExpression: `${byNoticeId.partitionKey} = :id`,
          ExpressionAttributeValues: { ':id': 'N-1' },
        }),
      ),
    ).resolves.toBeDefined();
    const stream = grantCheckedTable(table, inject('dynamoEndpoint'), tableStreamManifest, refusals);
    const transaction = stream.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table.tableName, Item: { pk: 'PURGE#1', sk: 'A' } } },
          { Delete: { TableName: table.tableName, Key: { pk: 'PURGE#1', sk: 'B' } } },
        ],
      }),
    );
    await expect(transaction).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(refusals).toEqual([{ functionName: 'table-stream', action: 'dynamodb:DeleteItem', resource: 'table' }]);
  });
});

describe('Test helper: grant-checked SNS and SES clients', () => {
  it("refuses an SES or SNS action the function's manifest does not grant, before any request, and records it", async () => {
    const refusals: Refusal[] = [];
    const inboundSes = grantCheckedClient(sesClient(), 'ses', 'email', inboundSmsManifest, refusals);
    const notifierSns = grantCheckedClient(
      new SNSClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
      'sns',
      'sms',
      notifierManifest,
      refusals,
    );
    const email = new SendEmailCommand({
      FromEmailAddress: 'library@example.org',
      Destination: { ToAddresses: ['patron@example.net'] },
      Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } } },
    });

    await expect(inboundSes.send(email)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'inbound-sms is not granted ses:SendEmail on the email (functions/inbound-sms/manifest.ts)',
    });
    await expect(notifierSns.send(new OptInPhoneNumberCommand({ phoneNumber: '+15550100000' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(refusals).toEqual([
      { functionName: 'inbound-sms', action: 'ses:SendEmail', resource: 'email' },
      { functionName: 'notifier', action: 'sns:OptInPhoneNumber', resource: 'sms' },
    ]);
    // A granted action goes through to the local SES.
    const notifierSes = grantCheckedClient(sesClient(), 'ses', 'email', notifierManifest, refusals);
    await expect(notifierSes.send(email)).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(refusals).toHaveLength(2);
  });
});
