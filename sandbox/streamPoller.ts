/**
 * Reads DynamoDB Local's stream of a table and hands its records to the stream handler in the shape
 * Lambda gives them, retrying a failed record as the event source mapping does. Deletions the sandbox
 * made on behalf of TTL are marked as TTL deletions (`userIdentity` of the DynamoDB service), exactly
 * as AWS marks them. An iterator that expired or points at trimmed records is re-acquired after the
 * last sequence number delivered, so nothing is delivered twice and nothing is skipped that exists.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetRecordsCommandOutput,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#sandbox/localServices.ts';
import { lambdaContext } from '#sandbox/localQueues.ts';

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

/** Attempts per record before it goes to the on-failure list (the deployed mapping's retry limit + 1). */
export const STREAM_ATTEMPTS = 4;
const BATCH_SIZE = 100;

export interface FailedStreamRecord {
  readonly sequenceNumber: string;
  readonly eventName: string;
  /** The record itself, kept for redrive. */
  readonly record: DynamoDBRecord;
}

/** Errors after which a shard iterator is re-acquired instead of failing the poll. */
const STALE_ITERATOR = new Set(['ExpiredIteratorException', 'TrimmedDataAccessException']);
/** Re-acquisitions per shard in one poll before the error is let through. */
const MAX_REACQUIRE = 3;

export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly dynamo: DynamoDBClient;
  private streamArn = '';
  private readonly iterators = new Map<string, string | undefined>();
  /** The last sequence number delivered per shard: where a re-acquired iterator resumes. */
  private readonly delivered = new Map<string, string>();
  /** Keys the sandbox deleted on behalf of TTL, and the (sandbox) time of each deletion. */
  private readonly ttlKeys = new Map<string, Date>();
  public failed: FailedStreamRecord[] = [];
  /** How many times an iterator was re-acquired (expired or trimmed). */
  public reacquired = 0;

  public constructor(
    endpoint: string,
    private readonly tableName: string,
    private readonly handler: () => Promise<StreamHandler>,
  ) {
    const options = { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    this.streams = new DynamoDBStreamsClient(options);
    this.dynamo = new DynamoDBClient(options);
  }

  /**
   * Starts reading the table's stream: after `positions` (last sequence number delivered per shard,
   * from an earlier run on the same stream), or from the beginning.
   */
  public async start(positions: Record<string, string> = {}): Promise<void> {
    const { Table } = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`table ${this.tableName} has no stream`);
    if (Table.LatestStreamArn !== this.streamArn) {
      this.iterators.clear();
      this.delivered.clear();
    }
    this.streamArn = Table.LatestStreamArn;
    for (const [shardId, sequence] of Object.entries(positions)) this.delivered.set(shardId, sequence);
    await this.discoverShards();
  }

  /** Where reading stands: the last sequence number delivered per shard. */
  public positions(): Record<string, string> {
    return Object.fromEntries(this.delivered);
  }

  public stop(): void {
    this.streams.destroy();
    this.dynamo.destroy();
  }

  /** Marks the next REMOVE of these keys as a TTL deletion made at `at` (the sandbox clock). */
  public markTtlDeletion(pk: string, sk: string, at?: Date): void {
    this.ttlKeys.set(`${pk}\u0000${sk}`, at ?? new Date());
  }

  private async discoverShards(): Promise<void> {
    const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || this.iterators.has(shard.ShardId)) continue;
      this.iterators.set(shard.ShardId, await this.acquire(shard.ShardId));
    }
  }

  /** An iterator just after the last record delivered from the shard, or at its oldest record. */
  private async acquire(shardId: string): Promise<string | undefined> {
    const after = this.delivered.get(shardId);
    const request = after
      ? { StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: after }
      : { StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      return (await this.streams.send(new GetShardIteratorCommand(request))).ShardIterator;
    } catch (error) {
      // The last record delivered is itself trimmed: everything after it that still exists is at the horizon.
      if (!after || (error as Error).name !== 'TrimmedDataAccessException') throw error;
      const horizon = { StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' as const };
      return (await this.streams.send(new GetShardIteratorCommand(horizon))).ShardIterator;
    }
  }

  /** One GetRecords page, re-acquiring the iterator when it expired or its records were trimmed. */
  private async page(shardId: string, iterator: string): Promise<GetRecordsCommandOutput> {
    let current = iterator;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.streams.send(new GetRecordsCommand({ ShardIterator: current, Limit: 1000 }));
      } catch (error) {
        if (!STALE_ITERATOR.has((error as Error).name) || attempt >= MAX_REACQUIRE) throw error;
        this.reacquired++;
        const fresh = await this.acquire(shardId);
        if (!fresh) return { Records: [], NextShardIterator: undefined, $metadata: {} };
        current = fresh;
      }
    }
  }

  /** Delivers the records that failed every attempt once more; returns how many still fail. */
  public async redriveFailed(): Promise<{ redriven: number; stillFailing: number }> {
    const records = this.failed.map((failure) => failure.record);
    this.failed = [];
    for (let start = 0; start < records.length; start += BATCH_SIZE) await this.deliver(records.slice(start, start + BATCH_SIZE));
    return { redriven: records.length, stillFailing: this.failed.length };
  }

  /** Delivers every record available now; returns how many it delivered. */
  public async poll(): Promise<number> {
    let delivered = 0;
    let closedShard = false;
    for (const [shardId, iterator] of this.iterators) {
      if (!iterator) continue;
      let current: string | undefined = iterator;
      for (;;) {
        const page: GetRecordsCommandOutput = await this.page(shardId, current);
        current = page.NextShardIterator;
        const records = (page.Records ?? []).map((record: StreamRecord) => this.toLambdaRecord(record));
        for (let start = 0; start < records.length; start += BATCH_SIZE) {
          const batch = records.slice(start, start + BATCH_SIZE);
          await this.deliver(batch);
          const last = batch[batch.length - 1]?.dynamodb?.SequenceNumber;
          if (last) this.delivered.set(shardId, last);
        }
        delivered += records.length;
        if (records.length === 0 || !current) break;
      }
      this.iterators.set(shardId, current);
      if (!current) closedShard = true;
    }
    if (closedShard) await this.discoverShards();
    return delivered;
  }

  private async deliver(batch: DynamoDBRecord[]): Promise<void> {
    const handler = await this.handler();
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let failedFrom: number;
      try {
        const response = await handler({ Records: pending }, lambdaContext('table-stream'));
        const failures = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
        // Like the event source mapping: resume from the earliest failed record.
        failedFrom =
          failures.length === 0 ? -1 : Math.min(...failures.map((id) => pending.findIndex((r) => r.dynamodb?.SequenceNumber === id)));
      } catch {
        failedFrom = 0;
      }
      if (failedFrom < 0) return;
      if (attempt >= STREAM_ATTEMPTS) {
        const [first, ...rest] = pending.slice(failedFrom);
        if (first)
          this.failed.push({ sequenceNumber: first.dynamodb?.SequenceNumber ?? '', eventName: first.eventName ?? '', record: first });
        pending = rest;
        attempt = 0;
        continue;
      }
      pending = pending.slice(failedFrom);
    }
  }

  private toLambdaRecord(record: StreamRecord): DynamoDBRecord {
    const keys = record.dynamodb?.Keys;
    const key = `${keys?.pk?.S ?? ''}\u0000${keys?.sk?.S ?? ''}`;
    const deletedAt = record.eventName === 'REMOVE' ? this.ttlKeys.get(key) : undefined;
    const ttl = deletedAt !== undefined && this.ttlKeys.delete(key);
    const created = deletedAt ?? record.dynamodb?.ApproximateCreationDateTime;
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion,
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      eventSourceARN: this.streamArn,
      dynamodb: {
        ...(restoreEmptyMaps(record.dynamodb) as DynamoDBRecord['dynamodb']),
        ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : (created as number | undefined),
      },
      ...(ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    };
  }
}

/**
 * The streams client deserializes an empty map attribute (`{"M":{}}`) into `{}`, which no longer
 * says what it is; Lambda delivers `{"M":{}}`. Bookdrop stores empty maps, never empty lists.
 */
function restoreEmptyMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restoreEmptyMaps);
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  return Object.fromEntries(
    entries.map(([key, inner]) => [
      key,
      inner !== null &&
      typeof inner === 'object' &&
      !Array.isArray(inner) &&
      !(inner instanceof Date) &&
      Object.keys(inner).length === 0 &&
      key !== 'M'
        ? { M: {} }
        : restoreEmptyMaps(inner),
    ]),
  );
}
