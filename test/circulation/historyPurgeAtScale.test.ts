/**
 * Opting out of checkout history deletes all of it, however much there is: more entries than one
 * query page holds (DynamoDB reads at most 1 MB per page), so the purge has to go page by page. The
 * entries are padded to 2 KB so that two pages take 700 entries rather than 20,000: the same proof in
 * a fraction of the writes.
 */
import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { queryAll, type TableContext } from '#shared/table/documentClient.ts';
import { freshTable } from '#test/helpers/localAws.ts';

const ENTRIES = 700;
/** Bytes of padding per entry: 700 entries of about 2 KB are about 1.4 MB, two query pages. */
const PADDING = 2_048;

describe('PatronService: history purge at scale', () => {
  it(`deletes ${ENTRIES.toLocaleString('en-US')} history entries over several query pages, and nothing else`, async () => {
    const table = await freshTable();
    const patronId = 'P-avid-reader';
    const padding = 'x'.repeat(PADDING);
    const items = Array.from({ length: ENTRIES }, (_, i) => ({
      pk: `PATRON#${patronId}`,
      sk: `HISTORY#2026-01-01T00:00:00.000Z#L-${String(i).padStart(5, '0')}`,
      kind: 'history',
      title: `Title ${i}`,
      padding,
    }));
    items.push({
      pk: `PATRON#${patronId}`,
      sk: 'CONSENT#2026-01-01T00:00:00.000Z#checkoutHistory#e1',
      kind: 'consent-ledger',
      title: '',
      padding: '',
    });
    for (let start = 0; start < items.length; start += 25) {
      let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const result = await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }));
        requests = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
      }
    }
    let queries = 0;
    const counting: TableContext = {
      tableName: table.tableName,
      doc: {
        send: (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
          if (command instanceof QueryCommand) queries++;
          return table.doc.send(command);
        },
      } as DynamoDBDocumentClient,
    };

    const purged = await new PatronService({ patrons: new DynamoPatronStore(counting, 1825) }).purgeHistory(patronId);

    expect(purged).toBe(ENTRIES);
    expect(queries).toBeGreaterThanOrEqual(2);
    const left = await queryAll(table, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PATRON#${patronId}` } });
    expect(left.map((item) => item.kind)).toEqual(['consent-ledger']);
  }, 300_000);
});
