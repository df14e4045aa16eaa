/**
 * The one source of truth for Bookdrop's DynamoDB table: keys, indexes, TTL attribute and stream.
 * The CDK stack builds the table from it, and the sandbox and tests create DynamoDB Local tables
 * from it with {@link createTableInput}.
 *
 * Single-table layout (pk / sk):
 * - `PATRON#<patronId>` / `PROFILE`: consent, language, library, encrypted contacts, phone blind index
 * - `PATRON#<patronId>` / `HOLD#<holdId>`: an open hold
 * - `PATRON#<patronId>` / `CONSENT#<at>#<topic>#<evidenceId>`: consent ledger entry, TTL
 * - `PATRON#<patronId>` / `NOTICE#<kind>#<subject>#<version>#<channel>`: notice log (dedupe, status), TTL
 *
 * Everything linked to a patron lives in the patron's partition: one query lists it (the patron
 * data report) and one paginated sweep deletes it (account closed).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds after which DynamoDB TTL deletes the item; reads treat it as absent from then on. */
  ttlAttribute: 'expiresAt',
  /** The stream carries TTL deletions to the expiry consumer. */
  streamView: 'NEW_AND_OLD_IMAGES',
  indexes: {
    /** Patrons by phone blind index (keyed hash), for inbound SMS. */
    byPhone: { name: 'byPhone', partitionKey: 'phoneIndex', sortKey: 'pk', projection: 'KEYS_ONLY' },
    /**
     * Open accounts by member library, for fan-out notices (service and policy updates). Sparse: only
     * profiles of open accounts carry `audience` (one of {@link AUDIENCE_SHARDS} shards) and
     * `audienceKey` (`<library>#<patronId>`); the consent is projected so the fan-out reads no profile.
     */
    byAudience: {
      name: 'byAudience',
      partitionKey: 'audience',
      sortKey: 'audienceKey',
      projection: 'INCLUDE',
      include: ['consent', 'suppression'],
    },
    /**
     * Open loans by due day and ready holds by pickup day, for the daily sweep: `sweepKey` is
     * `DUE#<day>#<shard>` or `PICKUP#<day>#<shard>` (day in the library's time zone, shard by patron),
     * `sweepSort` is `<patronId>#<loanId|holdId>`, so a patron's items are next to each other.
     */
    bySweep: {
      name: 'bySweep',
      partitionKey: 'sweepKey',
      sortKey: 'sweepSort',
      projection: 'INCLUDE',
      include: ['loan', 'dimensions', 'title', 'pickupBranch', 'pickupBy', 'patronId'],
    },
    /** Notices by their opaque id, for SES feedback (bounces, complaints) tagged with it. */
    byNoticeId: { name: 'byNoticeId', partitionKey: 'noticeId', projection: 'KEYS_ONLY' },
  },
} as const;

/** Shards of the audience index, so no single index partition takes every profile write. */
export const AUDIENCE_SHARDS = 8;

/** Shards of each sweep day, so a busy due day is read (and written) over several partitions. */
export const SWEEP_SHARDS = 4;

/** One global secondary index of the table. */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly projection: 'KEYS_ONLY' | 'INCLUDE';
  readonly include?: readonly string[];
}

/** Every index, as the CDK stack and DynamoDB Local both build them. */
export const INDEXES: readonly IndexDefinition[] = Object.values(TABLE.indexes);

/** CreateTable input for DynamoDB Local, equivalent to what the CDK stack deploys. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const index of INDEXES) {
    attributes.add(index.partitionKey);
    if (index.sortKey) attributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: INDEXES.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : []),
      ],
      Projection: { ProjectionType: index.projection, ...(index.include ? { NonKeyAttributes: [...index.include] } : {}) },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamView },
  };
}
