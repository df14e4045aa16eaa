/**
 * The sweep index: open loans by due day and ready holds by pick-up day, in shards, each patron's
 * items contiguous. The port the daily sweep reads through, and its DynamoDB adapter (a query of the
 * table's sweep index, page by page).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '#shared/table/documentClient.ts';
import { sweepPartition } from '#shared/table/keys.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';

/** One partition of the index: loans due (`DUE`) or holds to pick up (`PICKUP`) on a day, one shard. */
export interface SweepTarget {
  readonly target: 'DUE' | 'PICKUP';
  readonly day: string;
  readonly shard: number;
}

interface EntryBase {
  /** The patron the item belongs to: a patron's entries are next to each other. */
  readonly patronId: string;
  /** Where a read that stops after this entry resumes (opaque, like a page's cursor). */
  readonly position: string;
}

/** A loan the index lists for its due day. */
export interface SweepLoanEntry extends EntryBase {
  readonly type: 'loan';
  readonly loanId: string;
  readonly title: string;
  readonly dueAt: string;
  /** False for a loan no longer open (returned, kept for a fine): it is reminded of nothing. */
  readonly active: boolean;
  /** The checkout branch, which decides the member library's timings. */
  readonly branch: string | undefined;
}

/** A ready hold the index lists for its pick-up day. */
export interface SweepHoldEntry extends EntryBase {
  readonly type: 'hold';
  readonly holdId: string;
  readonly title: string;
  readonly pickupBranch: string;
  readonly pickupBy: string;
}

export type SweepEntry = SweepLoanEntry | SweepHoldEntry;

export interface SweepRead {
  readonly entries: SweepEntry[];
  /** Where the next read starts; absent after the partition's last entry. */
  readonly cursor: string | undefined;
}

/** The port the sweep reads the index through. */
export interface SweepIndex {
  /** Up to `limit` entries of a partition, in index order, from `cursor` (or the start) on. */
  read(target: SweepTarget, limit: number, cursor: string | undefined): Promise<SweepRead>;
}

type Item = Record<string, unknown>;

export class DynamoSweepIndex implements SweepIndex {
  public constructor(private readonly table: TableContext) {}

  public async read(target: SweepTarget, limit: number, cursor: string | undefined): Promise<SweepRead> {
    const { bySweep } = TABLE.indexes;
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: bySweep.name,
        KeyConditionExpression: '#key = :key',
        ExpressionAttributeNames: { '#key': bySweep.partitionKey },
        ExpressionAttributeValues: { ':key': sweepPartition(target.target, target.day, target.shard) },
        Limit: limit,
        ExclusiveStartKey: cursor === undefined ? undefined : (JSON.parse(cursor) as Item),
      }),
    );
    return {
      entries: (result.Items ?? []).map((item) => (target.target === 'PICKUP' ? holdEntry(item) : loanEntry(item))),
      cursor: result.LastEvaluatedKey ? JSON.stringify(result.LastEvaluatedKey) : undefined,
    };
  }
}

/** The index's sort key is `<patronId>#<loanId or holdId>`. */
function sortParts(item: Item): [string, string] {
  const [patronId = '', subjectId = ''] = String(item.sweepSort).split('#');
  return [patronId, subjectId];
}

/** The start key of a read resuming after `item`: the table's and the index's keys. */
function positionOf(item: Item): string {
  return JSON.stringify({ pk: item.pk, sk: item.sk, sweepKey: item.sweepKey, sweepSort: item.sweepSort });
}

function loanEntry(item: Item): SweepLoanEntry {
  const [patronId, loanId] = sortParts(item);
  const loan = item.loan as { title?: string; dueAt?: { value: string }; status?: string } | undefined;
  return {
    type: 'loan',
    patronId,
    position: positionOf(item),
    loanId,
    title: loan?.title ?? '',
    dueAt: loan?.dueAt?.value ?? '',
    active: loan?.status === 'active',
    branch: (item.dimensions as { branch?: string } | undefined)?.branch,
  };
}

function holdEntry(item: Item): SweepHoldEntry {
  const [patronId, holdId] = sortParts(item);
  return {
    type: 'hold',
    patronId,
    position: positionOf(item),
    holdId,
    title: String(item.title),
    pickupBranch: String(item.pickupBranch),
    pickupBy: String(item.pickupBy),
  };
}
