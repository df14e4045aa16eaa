/**
 * Property: whatever order and however often circulation events arrive, the final state equals the
 * state after delivering each once, in order. Generated sequences against DynamoDB Local.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dayStatistics } from '#shared/circulation/circulationStore.ts';
import { holdReady, patronRegistered } from '#test/helpers/factories.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

/** Runs per test run: each is two patrons' worth of events against DynamoDB Local. */
const RUNS = 100;
/** Runs of the registration-and-hold property: each is two patrons, notices delivered after every event. */
const HOLD_RUNS = 30;

interface LoanPlan {
  readonly renewals: number;
  readonly returned: boolean;
  readonly material: 'book' | 'dvd';
}

type Template = { detailType: 'ItemCheckedOut' | 'LoanRenewed' | 'ItemReturned'; detail: (world: string) => Record<string, unknown> };

/** The in-order events of a plan; ids and branches depend on the world they are delivered in. */
function eventsOf(run: number, plans: readonly LoanPlan[]): Template[] {
  const events: Template[] = [];
  plans.forEach((plan, index) => {
    const loanId = (world: string) => `L-${run}-${world}-${index}`;
    const patronId = (world: string) => `P-${run}-${world}`;
    const day = (offset: number) => new Date(Date.UTC(2026, 10, 2 + index * 3 + offset, 15)).toISOString();
    events.push({
      detailType: 'ItemCheckedOut',
      detail: (world) => ({
        eventId: `co-${run}-${index}`,
        occurredAt: day(0),
        loanId: loanId(world),
        patronId: patronId(world),
        itemId: `I-${run}-${world}-${index}`,
        title: `Title ${index}`,
        materialType: plan.material,
        branch: `B-${run}-${world}`,
        dueAt: day(21),
      }),
    });
    for (let renewal = 0; renewal < plan.renewals; renewal++) {
      events.push({
        detailType: 'LoanRenewed',
        detail: (world) => ({
          eventId: `rn-${run}-${index}-${renewal}`,
          occurredAt: day(1 + renewal),
          loanId: loanId(world),
          patronId: patronId(world),
          dueAt: day(28 + renewal * 7),
        }),
      });
    }
    if (plan.returned) {
      events.push({
        detailType: 'ItemReturned',
        detail: (world) => ({ eventId: `rt-${run}-${index}`, occurredAt: day(5), loanId: loanId(world), patronId: patronId(world) }),
      });
    }
  });
  return events;
}

const sequenceArbitrary = fc
  .array(
    fc.record({
      renewals: fc.integer({ min: 0, max: 2 }),
      returned: fc.boolean(),
      material: fc.constantFrom('book' as const, 'dvd' as const),
    }),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .chain((plans) => {
    const count = plans.reduce((sum, plan) => sum + 1 + plan.renewals + (plan.returned ? 1 : 0), 0);
    const indices = [...Array(count).keys()];
    // A delivery order: every event at least once, some twice, in any order.
    return fc
      .subarray(indices)
      .chain((duplicates) => {
        const deliveries = [...indices, ...duplicates];
        return fc.shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length });
      })
      .map((order) => [plans, order] as const);
  });

describe('Property: circulation events in any order', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  });
  afterAll(async () => {
    await pipeline.stop();
  });

  /** Everything stored for one world, with the world's name taken out of ids. */
  async function stateOf(run: number, world: string, plans: readonly LoanPlan[]) {
    const { tableName, doc } = pipeline.table;
    const get = async (key: { pk: string; sk: string }) => (await doc.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    const { Items = [] } = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `PATRON#P-${run}-${world}` },
      }),
    );
    const normalise = (item: Record<string, unknown>): Record<string, unknown> => {
      const { version: _version, ...rest } = item;
      return {
        ...rest,
        ...(Array.isArray(rest.counted) ? { counted: [...rest.counted].sort() } : {}),
        // The sweep shard comes from a hash of the patron id, which differs between the two worlds.
        ...(typeof rest.sweepKey === 'string' ? { sweepKey: rest.sweepKey.replace(/#\d+$/, '#shard') } : {}),
      };
    };
    const patronItems = Items.filter((item) => item.sk !== 'PROFILE' && !String(item.sk).startsWith('CONSENT#')).map(normalise);
    const tombstones: unknown[] = [];
    const stats: unknown[] = [];
    for (const [index, plan] of plans.entries()) {
      const hash = createHash('sha256').update(`L-${run}-${world}-${index}`).digest('base64url').slice(0, 32);
      const tombstone = await get({ pk: `LOANDONE#${hash}`, sk: 'LOAN' });
      if (tombstone) tombstones.push({ index, ...normalise(tombstone), pk: undefined });
      for (let offset = 0; offset <= 5; offset++) {
        const day = new Date(Date.UTC(2026, 10, 2 + index * 3 + offset, 15)).toISOString().slice(0, 10);
        const stat = (await dayStatistics(pipeline.table, day)).find(
          (total) => total.branch === `B-${run}-${world}` && total.materialType === plan.material,
        );
        if (stat) stats.push({ index, offset, ...stat });
      }
    }
    const sorted = patronItems.sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    return JSON.parse(JSON.stringify({ sorted, tombstones, stats }).replaceAll(`-${world}`, '-W')) as unknown;
  }

  it(`ends in the in-order state (${RUNS} generated sequences, duplicates included)`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary, async ([plans, order]) => {
        run++;
        const events = eventsOf(run, plans);
        for (const world of ['inorder', 'shuffled']) {
          await pipeline.publish({
            detailType: 'PatronRegistered',
            detail: patronRegistered({ patronId: `P-${run}-${world}`, consent: { sms: false, email: false, checkoutHistory: true } }),
          });
        }
        for (const event of events) await pipeline.publish({ detailType: event.detailType, detail: event.detail('inorder') });
        for (const index of order) {
          const event = events[index]!;
          await pipeline.publish({ detailType: event.detailType, detail: event.detail('shuffled') });
        }
        const expected = await stateOf(run, 'inorder', plans);
        const actual = await stateOf(run, 'shuffled', plans);
        expect(actual).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  /** The notices recorded for one world's patron: kind, subject and channel, with its status. */
  async function noticesOf(patronId: string, world: string) {
    const { Items = [] } = await pipeline.table.doc.send(
      new QueryCommand({
        TableName: pipeline.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :notice)',
        ExpressionAttributeValues: { ':pk': `PATRON#${patronId}`, ':notice': 'NOTICE#' },
      }),
    );
    return Items.map((item) => `${String(item.sk).replaceAll(`-${world}`, '-W')} ${String(item.status)}`).sort();
  }

  it(`announces a ready hold whether it is applied before or after its patron's registration, and a hold past its pick-up date in neither order (${HOLD_RUNS} sequences)`, async () => {
    let run = 0;
    const arbitrary = fc.record({
      sms: fc.boolean(),
      email: fc.boolean(),
      // The clock is 2026-11-04T15:00Z: a week ahead; half an hour ahead, written with the ILS's
      // offset (a string comparison with the clock would call it past); already past.
      pickupBy: fc.constantFrom('2026-11-11T20:00:00-05:00', '2026-11-04T10:30:00-05:00', '2026-11-04T09:45:00-05:00'),
      // Deliveries of [registration, hold]: each at least once, some twice, in any order.
      order: fc.subarray([0, 1]).chain((duplicates) => fc.shuffledSubarray([0, 1, ...duplicates], { minLength: 2 + duplicates.length })),
    });
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ sms, email, pickupBy, order }) => {
        const late = pickupBy === '2026-11-04T09:45:00-05:00';
        run++;
        const eventsIn = (world: string) => {
          const patronId = `PH-${run}-${world}`;
          return [
            {
              detailType: 'PatronRegistered',
              detail: patronRegistered({ eventId: `reg-${run}`, patronId, consent: { sms, email, checkoutHistory: false } }),
            },
            {
              detailType: 'HoldReady',
              detail: holdReady(patronId, {
                eventId: `hold-${run}`,
                holdId: `H-${run}-${world}`,
                pickupBy,
              }),
            },
          ];
        };
        for (const event of eventsIn('inorder')) await pipeline.publish(event);
        await pipeline.deliverNotices();
        const shuffled = eventsIn('shuffled');
        for (const index of order) {
          await pipeline.publish(shuffled[index]!);
          await pipeline.deliverNotices();
        }
        const expected = await noticesOf(`PH-${run}-inorder`, 'inorder');
        expect(expected.filter((notice) => notice.includes('hold-ready'))).toHaveLength(late ? 0 : Number(sms) + Number(email));
        expect(await noticesOf(`PH-${run}-shuffled`, 'shuffled')).toEqual(expected);
      }),
      { numRuns: HOLD_RUNS },
    );
  }, 300_000);
});
