import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdReady, patronRegistered, sqsEvent } from '#test/helpers/factories.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { captureLogs } from '#test/helpers/captureLogs.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

describe('Function: circulation handler', () => {
  let pipeline: Pipeline;
  beforeEach(async () => {
    pipeline = await startPipeline();
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  it('fails only the invalid record of a batch, names the field in the log, and writes nothing for it', async () => {
    const good = patronRegistered();
    const bad = patronRegistered({ contact: { phone: '(555) 010-0199', email: 'bad.record@example.net' } });
    const logs = captureLogs();
    let response: Awaited<ReturnType<Pipeline['publish']>>;
    try {
      response = await pipeline.publish({ detailType: 'PatronRegistered', detail: good }, { detailType: 'PatronRegistered', detail: bad });
    } finally {
      logs.restore();
    }

    expect(response.batchItemFailures).toHaveLength(1);
    const items = await scanAll(pipeline.table);
    expect(items.some((item) => item.patronId === bad.patronId)).toBe(false);
    expect(items.some((item) => item.patronId === good.patronId && item.sk === 'PROFILE')).toBe(true);
    const failure = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.message === 'record failed');
    expect(failure).toMatchObject({
      level: 'ERROR',
      errorName: 'EventValidationError',
      errorMessage: 'invalid event: detail.contact.phone must be an E.164 phone number (+ and 8 to 15 digits)',
    });
    expect(logs.text()).not.toContain('010-0199');
    expect(logs.text()).not.toContain('bad.record@example.net');
  });

  it('reports a record whose detail is not an object as failed, saying so', async () => {
    const logs = captureLogs();
    try {
      const response = await pipeline.publish({ detailType: 'HoldReady', detail: 'not an object' });
      expect(response.batchItemFailures).toHaveLength(1);
    } finally {
      logs.restore();
    }
    expect(logs.text()).toContain('invalid event: event.detail is required and must be an object');
  });

  it('enqueues one hold-ready request per HoldReady and none for a stale one', async () => {
    const patron = patronRegistered();
    const hold = holdReady(patron.patronId, { occurredAt: '2026-11-04T10:00:00-05:00' });
    const older = { ...hold, eventId: 'evt-older', occurredAt: '2026-11-04T09:00:00-05:00' };
    // Separate batches: records of one batch are processed concurrently, in no set order.
    await pipeline.publish({ detailType: 'HoldReady', detail: hold });
    await pipeline.publish({ detailType: 'HoldReady', detail: older });
    expect(pipeline.queue.requests).toEqual([
      // Ids only: the notifier reads the title and pick-up details from the table when it sends.
      {
        type: 'notice',
        kind: 'hold-ready',
        patronId: patron.patronId,
        subjectId: hold.holdId,
        subjectVersion: '2026-11-12T01:00:00.000Z',
        causationId: hold.eventId,
      },
    ]);
  });

  it('answers an empty batch with no failures', async () => {
    const { createCirculationHandler } = await import('#functions/circulation/app.ts');
    const handler = createCirculationHandler({ apply: async () => undefined } as never);
    const { lambdaContext } = await import('#sandbox/localQueues.ts');
    expect(await handler(sqsEvent(), lambdaContext('circulation'))).toEqual({ batchItemFailures: [] });
  });
});
