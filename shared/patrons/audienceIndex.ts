/**
 * The audience of fan-out notices and of the consent export: every open account's consent and
 * suppressions, by shard, without reading a profile or a contact. The port and its DynamoDB adapter,
 * which reads the table's audience index (it projects only consent and suppression).
 */
import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, ConsentState, ConsentTopic, Suppression } from '#shared/patrons/patronProfile.ts';
import type { TableContext } from '#shared/table/documentClient.ts';
import { audiencePartition, patronIdOf } from '#shared/table/keys.ts';
import { AUDIENCE_SHARDS, TABLE } from '#shared/table/tableDefinition.ts';

/** One open account as the audience lists it. */
export interface AudienceMember {
  readonly patronId: string;
  readonly consent: Partial<Record<ConsentTopic, ConsentState>>;
  readonly suppression: Partial<Record<Channel, Suppression>>;
}

/** Which part of the audience to read. */
export interface AudienceQuery {
  /** One of `AUDIENCE_SHARDS` shards. */
  readonly shard: number;
  /** Only the accounts of this member library; every account when absent. */
  readonly library?: string | undefined;
  /** At most this many members; the whole shard's next page when absent. */
  readonly limit?: number | undefined;
  /** Where the previous page ended (opaque: from {@link AudiencePage.cursor}). */
  readonly cursor?: string | undefined;
}

export interface AudiencePage {
  readonly members: AudienceMember[];
  /** Where the next page starts; absent after the shard's last page. */
  readonly cursor: string | undefined;
}

/** The port the fan-out and the consent export read the audience through. */
export interface AudienceIndex {
  page(query: AudienceQuery): Promise<AudiencePage>;
}

/** The audience shard of a patron's account: spreads profile writes over the index's partitions. */
export function audienceShard(patronId: string): number {
  return createHash('sha256').update(patronId).digest()[0]! % AUDIENCE_SHARDS;
}

/** True if the member opted in to at least one channel (a fan-out notice can reach them). */
export function reachable(member: AudienceMember): boolean {
  return member.consent.sms?.optedIn === true || member.consent.email?.optedIn === true;
}

export class DynamoAudienceIndex implements AudienceIndex {
  public constructor(private readonly table: TableContext) {}

  public async page(query: AudienceQuery): Promise<AudiencePage> {
    const { byAudience } = TABLE.indexes;
    const byLibrary = query.library !== undefined;
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: byAudience.name,
        KeyConditionExpression: byLibrary ? '#audience = :audience AND begins_with(#key, :library)' : '#audience = :audience',
        ExpressionAttributeNames: { '#audience': byAudience.partitionKey, ...(byLibrary ? { '#key': byAudience.sortKey } : {}) },
        ExpressionAttributeValues: {
          ':audience': audiencePartition(query.shard),
          ...(byLibrary ? { ':library': `${query.library}#` } : {}),
        },
        Limit: query.limit,
        ExclusiveStartKey: query.cursor === undefined ? undefined : (JSON.parse(query.cursor) as Record<string, unknown>),
      }),
    );
    return {
      members: (result.Items ?? []).map((item) => ({
        patronId: patronIdOf(String(item.pk)),
        consent: (item.consent ?? {}) as AudienceMember['consent'],
        suppression: (item.suppression ?? {}) as AudienceMember['suppression'],
      })),
      cursor: result.LastEvaluatedKey ? JSON.stringify(result.LastEvaluatedKey) : undefined,
    };
  }
}
