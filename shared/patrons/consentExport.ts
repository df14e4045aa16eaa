/**
 * The consent export: every open account's current choice per channel, as CSV lines, for the ILS to
 * reconcile STOP replies, unsubscribes and suppressions with its own records. It reads the audience
 * index (which projects consent and suppression), shard by shard, page by page: no profile and no
 * contact is ever read.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CHANNELS, type ConsentState, type ConsentTopic, type Suppression, type Channel } from '#shared/patrons/patronProfile.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { audiencePartition, patronIdOf } from '#shared/table/keys.ts';
import { AUDIENCE_SHARDS, TABLE } from '#shared/table/tableDefinition.ts';

/** The CSV header of the consent export. */
export const CONSENT_EXPORT_HEADER = 'patron_id,channel,opted_in,source,at,suppressed';

/** One CSV line: a patron's current choice on one channel (ids and enums only: nothing to quote). */
export function consentLine(patronId: string, channel: Channel, state: ConsentState, suppression: Suppression | undefined): string {
  return [patronId, channel, state.optedIn, state.source, state.at, suppression ? suppression.reason : ''].join(',');
}

/** Yields the export's lines, one page of the audience index at a time. */
export async function* consentExportLines(table: TableContext): AsyncGenerator<string[]> {
  const index = TABLE.indexes.byAudience;
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await table.doc.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#audience = :audience',
          ExpressionAttributeNames: { '#audience': index.partitionKey },
          ExpressionAttributeValues: { ':audience': audiencePartition(shard) },
          ExclusiveStartKey: startKey,
        }),
      );
      const lines: string[] = [];
      for (const item of page.Items ?? []) {
        const patronId = patronIdOf(String(item.pk));
        const consent = (item.consent ?? {}) as Partial<Record<ConsentTopic, ConsentState>>;
        const suppression = (item.suppression ?? {}) as Partial<Record<Channel, Suppression>>;
        for (const channel of CHANNELS) {
          const state = consent[channel];
          if (state) lines.push(consentLine(patronId, channel, state, suppression[channel]));
        }
      }
      yield lines;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
