/**
 * The windows the write-first loan changes open (docs/ordering.md, "write first, check after"): a
 * checkout and a return each write their count first, then one item, then the next; a fault between
 * two writes leaves the work half done, and the redelivery completes it exactly once. A checkout
 * written after its loan's return leaves a loan item beside the tombstone, which the next change of
 * that loan merges in and removes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sumStatistics } from '#shared/circulation/loans.ts';
import type { DetailOf } from '#shared/events/contract.ts';
import { checkoutOnOwnBranch, patronRegistered, uid } from '#test/helpers/factories.ts';
import { injectFaults, isKind, serviceError } from '#test/helpers/faults.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

const checkout = checkoutOnOwnBranch;
const returned = (loan: DetailOf<'ItemCheckedOut'>): DetailOf<'ItemReturned'> => ({
  eventId: uid('rt'),
  occurredAt: '2026-11-05T10:00:00-05:00',
  loanId: loan.loanId,
  patronId: loan.patronId,
});

describe('Write-first loan changes: faults between the writes', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  const loanItems = async (loanId: string) =>
    (await scanAll(pipeline.table)).filter((item) => item.kind === 'loan' && item.loanId === loanId);
  const tombstones = async () => (await scanAll(pipeline.table)).filter((item) => item.kind === 'loan-tombstone');
  const counts = async (branch: string) =>
    sumStatistics((await scanAll(pipeline.table)).filter((item) => item.kind === 'statistics' && item.branch === branch)).map(
      ({ day, counts }) => ({ day, counts }),
    );

  it('a fault after the count, before the loan item: the redelivery writes the loan, counted once', async () => {
    const loan = checkout(uid('P'));
    const raised = injectFaults(pipeline.functionTables.circulation.doc, {
      command: 'PutItemCommand',
      when: (input) => isKind(input.Item, 'loan'),
      errors: [serviceError('InternalServerError', 500)],
    });

    const first = await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan });
    const counted = await counts(loan.branch);
    const second = await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan });

    expect(raised()).toBe(1);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(counted).toEqual([{ day: '2026-11-04', counts: { checkouts: 1 } }]);
    expect(second.batchItemFailures).toEqual([]);
    expect(await loanItems(loan.loanId)).toHaveLength(1);
    expect(await counts(loan.branch)).toEqual([{ day: '2026-11-04', counts: { checkouts: 1 } }]);
  });

  it('a fault after the tombstone, before the link is removed: the redelivery removes it, the return counted once', async () => {
    const loan = checkout(uid('P'));
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan });
    const raised = injectFaults(pipeline.functionTables.circulation.doc, {
      command: 'DeleteItemCommand',
      errors: [serviceError('InternalServerError', 500)],
    });
    const back = returned(loan);

    const first = await pipeline.publish({ detailType: 'ItemReturned', detail: back });
    const halfway = { loans: await loanItems(loan.loanId), tombstones: await tombstones() };
    const second = await pipeline.publish({ detailType: 'ItemReturned', detail: back });
    const third = await pipeline.publish({ detailType: 'ItemReturned', detail: back });

    expect(raised()).toBe(1);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(halfway.loans).toHaveLength(1);
    expect(halfway.tombstones).toHaveLength(1);
    expect([second.batchItemFailures, third.batchItemFailures]).toEqual([[], []]);
    expect(await loanItems(loan.loanId)).toEqual([]);
    expect(await tombstones()).toEqual([expect.objectContaining({ counted: [loan.eventId, back.eventId] })]);
    expect(await counts(loan.branch)).toEqual([
      { day: '2026-11-04', counts: { checkouts: 1 } },
      { day: '2026-11-05', counts: { returns: 1 } },
    ]);
  });

  it('a checkout after its return, interrupted before the merge: the redelivery merges it (history, counts) and removes the loan item', async () => {
    const patron = patronRegistered({ consent: { sms: false, email: false, checkoutHistory: true } });
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron });
    const loan = checkout(patron.patronId);
    const back = returned(loan);
    await pipeline.publish({ detailType: 'ItemReturned', detail: back });
    const raised = injectFaults(pipeline.functionTables.circulation.doc, {
      command: 'TransactWriteItemsCommand',
      errors: [
        serviceError('TransactionCanceledException', 400, 'Transaction cancelled', {
          CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
        }),
      ],
    });

    const first = await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan });
    const stray = await loanItems(loan.loanId);
    const second = await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan });

    expect(raised()).toBe(1);
    expect(first.batchItemFailures).toHaveLength(1);
    // The checkout's loan item, written before it saw the tombstone, waits for the redelivery.
    expect(stray).toEqual([expect.objectContaining({ loan: expect.objectContaining({ status: 'active' }) })]);
    expect(second.batchItemFailures).toEqual([]);
    const items = await scanAll(pipeline.table);
    expect(items.filter((item) => item.kind === 'loan')).toEqual([]);
    expect(items.filter((item) => item.kind === 'history' && item.patronId === patron.patronId)).toEqual([
      expect.objectContaining({ loanId: loan.loanId, checkedOutAt: '2026-11-04T15:00:00.000Z', returnedAt: '2026-11-05T15:00:00.000Z' }),
    ]);
    expect(await counts(loan.branch)).toEqual([
      { day: '2026-11-04', counts: { checkouts: 1 } },
      { day: '2026-11-05', counts: { returns: 1 } },
    ]);
  });

  it('a renewal of a loan whose return committed meanwhile: retried on the returned loan, the loan item removed', async () => {
    const loan = checkout(uid('P'));
    await pipeline.publish({ detailType: 'ItemCheckedOut', detail: loan });
    const back = returned(loan);
    const renewal: DetailOf<'LoanRenewed'> = {
      eventId: uid('rn'),
      occurredAt: '2026-11-04T12:00:00-05:00',
      loanId: loan.loanId,
      patronId: loan.patronId,
      dueAt: '2026-12-02T23:59:00-05:00',
    };
    // The return commits right after the renewal's loan item is written, before the renewal checks the tombstone.
    let returning = true;
    pipeline.functionTables.circulation.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (returning && context.commandName === 'PutItemCommand' && isKind((args.input as { Item?: unknown }).Item, 'loan')) {
          returning = false;
          expect((await pipeline.publish({ detailType: 'ItemReturned', detail: back })).batchItemFailures).toEqual([]);
        }
        return result;
      },
      { step: 'initialize', name: 'returnMeanwhile' },
    );

    expect((await pipeline.publish({ detailType: 'LoanRenewed', detail: renewal })).batchItemFailures).toEqual([]);

    expect(returning).toBe(false);
    expect(await loanItems(loan.loanId)).toEqual([]);
    expect(await counts(loan.branch)).toEqual([
      { day: '2026-11-04', counts: { checkouts: 1, renewals: 1 } },
      { day: '2026-11-05', counts: { returns: 1 } },
    ]);
  });
});
