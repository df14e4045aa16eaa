/**
 * Opting out of checkout history deletes all of it, however much there is: 20,000 entries, in pages.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { queryAll } from '#shared/table/documentClient.ts';
import { freshTable } from '#test/helpers/localAws.ts';

const ENTRIES = 20_000;

describe('PatronService: history purge at scale', () => {
  it(`deletes ${ENTRIES.toLocaleString('en-US')} history entries and nothing else`, async () => {
    const table = await freshTable();
    const patronId = 'P-avid-reader';
    const items = Array.from({ length: ENTRIES }, (_, i) => ({
      pk: `PATRON#${patronId}`,
      sk: `HISTORY#2026-01-01T00:00:00.000Z#L-${String(i).padStart(5, '0')}`,
      kind: 'history',
      title: `Title ${i}`,
    }));
    items.push({ pk: `PATRON#${patronId}`, sk: 'CONSENT#2026-01-01T00:00:00.000Z#checkoutHistory#e1', kind: 'consent-ledger', title: '' });
    for (let start = 0; start < items.length; start += 25) {
      let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const result = await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }));
        requests = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
      }
    }

    const purged = await new PatronService({ patrons: new DynamoPatronStore(table, 1825) }).purgeHistory(patronId);

    expect(purged).toBe(ENTRIES);
    const left = await queryAll(table, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PATRON#${patronId}` } });
    expect(left.map((item) => item.kind)).toEqual(['consent-ledger']);
  }, 300_000);
});
