/**
 * The sandbox's stream poller when DynamoDB Streams expires an iterator or trims the records under it
 * (faults injected with aws-sdk-client-mock: DynamoDB Local produces them only on long runs): it
 * re-acquires the iterator after the last sequence number it delivered, so every record is handed to
 * the stream handler exactly once and the poll does not fail.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StreamPoller } from '#sandbox/streamPoller.ts';

const STREAM = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-11-29T00:00:00.000';
const record = (sequence: number): StreamRecord => ({
  eventID: `e${sequence}`,
  eventName: 'INSERT',
  dynamodb: {
    Keys: { pk: { S: 'P#1' }, sk: { S: `S#${sequence}` } },
    SequenceNumber: String(sequence).padStart(21, '0'),
    NewImage: { pk: { S: 'P#1' } },
  },
});
const sequence = (n: number) => String(n).padStart(21, '0');

describe('Class: StreamPoller', () => {
  const streams = mockClient(DynamoDBStreamsClient);
  const dynamo = mockClient(DynamoDBClient);
  let delivered: string[];
  let poller: StreamPoller;

  beforeEach(async () => {
    streams.reset();
    dynamo.reset();
    dynamo.on(DescribeTableCommand).resolves({ Table: { LatestStreamArn: STREAM } });
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } });
    streams.on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'it-horizon' });
    delivered = [];
    poller = new StreamPoller('http://127.0.0.1:1', 't', async () => async (event: DynamoDBStreamEvent) => {
      delivered.push(...event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
    });
    await poller.start();
  });

  afterEach(() => poller.stop());

  describe('Method: poll', () => {
    it('re-acquires an expired iterator after the last record it delivered, delivering each record once', async () => {
      streams
        .on(GetRecordsCommand, { ShardIterator: 'it-horizon' })
        .resolves({ Records: [record(1), record(2)], NextShardIterator: 'it-2' });
      streams
        .on(GetRecordsCommand, { ShardIterator: 'it-2' })
        .rejects(new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} }));
      streams
        .on(GetShardIteratorCommand, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: sequence(2) })
        .resolves({ ShardIterator: 'it-after-2' });
      streams.on(GetRecordsCommand, { ShardIterator: 'it-after-2' }).resolves({ Records: [record(3)], NextShardIterator: 'it-4' });
      streams.on(GetRecordsCommand, { ShardIterator: 'it-4' }).resolves({ Records: [], NextShardIterator: 'it-5' });

      const count = await poller.poll();

      expect(count).toBe(3);
      expect(delivered).toEqual([sequence(1), sequence(2), sequence(3)]);
      expect(poller.reacquired).toBe(1);
      expect(poller.positions()).toEqual({ 'shard-1': sequence(3) });
    });

    it('re-acquires after TrimmedDataAccessException, and from the horizon when the last delivered record is itself trimmed', async () => {
      streams.on(GetRecordsCommand, { ShardIterator: 'it-horizon' }).resolves({ Records: [record(1)], NextShardIterator: 'it-2' });
      streams
        .on(GetRecordsCommand, { ShardIterator: 'it-2' })
        .rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
      streams
        .on(GetShardIteratorCommand, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: sequence(1) })
        .rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
      // After the trim the horizon is record 7: a fresh TRIM_HORIZON iterator reads from there.
      streams.on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'it-new-horizon' });
      streams
        .on(GetRecordsCommand, { ShardIterator: 'it-new-horizon' })
        .resolves({ Records: [record(7), record(8)], NextShardIterator: 'it-9' });
      streams.on(GetRecordsCommand, { ShardIterator: 'it-9' }).resolves({ Records: [], NextShardIterator: 'it-10' });

      const count = await poller.poll();

      expect(count).toBe(3);
      expect(delivered).toEqual([sequence(1), sequence(7), sequence(8)]);
      expect(poller.reacquired).toBe(1);
    });

    it('lets another error through: the sandbox reports it instead of hiding it', async () => {
      streams.on(GetRecordsCommand, { ShardIterator: 'it-horizon' }).rejects(new Error('connect ECONNREFUSED'));

      await expect(poller.poll()).rejects.toThrow('ECONNREFUSED');
      expect(delivered).toEqual([]);
    });

    it('gives up after repeated expiries instead of looping forever', async () => {
      streams.on(GetRecordsCommand).rejects(new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} }));

      await expect(poller.poll()).rejects.toThrow('Iterator expired');
      expect(poller.reacquired).toBe(3);
    });
  });
});
