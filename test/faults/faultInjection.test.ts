/**
 * Fault injection against the real emulators (docs/faults.md has the table these tests back): each
 * fault ends with the notice delivered once or the event applied once, or with the message failed
 * back to its queue with a reason (so the queue retries and, in the end, dead-letters it). Never
 * silently dropped, never sent twice.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ContactDecrypter } from '#shared/contacts/contactCrypto.ts';
import { CLAIM_LEASE_SECONDS, OUTCOME_UNKNOWN } from '#shared/notices/noticeLog.ts';
import type { NoticeRequest } from '#shared/notices/noticeKinds.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#sandbox/localServices.ts';
import { checkoutOnOwnBranch, holdReady, patronRegistered, uid } from '#test/helpers/factories.ts';
import { injectFaults, isKind, serviceError } from '#test/helpers/faults.ts';
import { emailsTo, scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

/** Registers a patron on the given channels and returns the hold-ready request for them. */
async function holdRequestFor(local: Pipeline, channels: { sms: boolean; email: boolean }) {
  const patron = patronRegistered({ consent: { ...channels, checkoutHistory: false } });
  await local.publish({ detailType: 'PatronRegistered', detail: patron });
  await local.deliverNotices();
  await local.publish({ detailType: 'HoldReady', detail: holdReady(patron.patronId) });
  const [request] = local.queue.take() as NoticeRequest[];
  return { patron, request: request! };
}

/** Delivers a request as the queue would: again after each failure, up to `receives` times. */
async function deliverWithRetries(local: Pipeline, request: NoticeRequest, receives = 5): Promise<{ failures: string[] }> {
  const failures: string[] = [];
  for (let receive = 1; receive <= receives; receive++) {
    try {
      await local.notifier.deliver(request);
      return { failures };
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  return { failures };
}

const noticeItems = async (local: Pipeline, patronId: string) =>
  (await scanAll(local.table)).filter((item) => item.kind === 'notice' && item.patronId === patronId && item.noticeKind === 'hold-ready');

describe('Faults at the email provider (SES)', () => {
  it('throttling, then a 5xx: retried through the queue, the email goes once', async () => {
    const ses = new SESv2Client({ endpoint: inject('sesEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const raised = injectFaults(ses, {
      command: 'SendEmailCommand',
      errors: [serviceError('TooManyRequestsException', 429, 'Maximum sending rate exceeded.'), serviceError('InternalFailure', 500)],
    });
    pipeline = await startPipeline({ sesClient: ses });
    const { patron, request } = await holdRequestFor(pipeline, { sms: false, email: true });

    const { failures } = await deliverWithRetries(pipeline, request);

    expect(raised()).toBe(2);
    expect(failures).toEqual(['ses failed, will retry: TooManyRequestsException', 'ses failed, will retry: InternalFailure']);
    expect((await emailsTo(patron.contact.email!)).filter((email) => email.subject.includes('hold'))).toHaveLength(1);
    expect(await noticeItems(pipeline, patron.patronId)).toEqual([expect.objectContaining({ channel: 'email', status: 'sent' })]);
  });

  it('a permanent refusal ends as failed with its reason and NoticeFailed, without retries', async () => {
    const ses = new SESv2Client({ endpoint: inject('sesEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    injectFaults(ses, { command: 'SendEmailCommand', errors: [serviceError('MessageRejected', 400, 'Email address is not verified.')] });
    pipeline = await startPipeline({ sesClient: ses });
    const { patron, request } = await holdRequestFor(pipeline, { sms: false, email: true });

    const { failures } = await deliverWithRetries(pipeline, request);
    await pipeline.deliverNotices();

    expect(failures).toEqual([]);
    expect(await noticeItems(pipeline, patron.patronId)).toEqual([
      expect.objectContaining({ status: 'failed', reason: 'ses:MessageRejected' }),
    ]);
    expect(pipeline.outbound.published).toContainEqual({
      detailType: 'NoticeFailed',
      detail: expect.objectContaining({ patronId: patron.patronId, channel: 'email', reason: 'ses:MessageRejected' }),
    });
  });
});

describe('Faults at the SMS provider (SNS)', () => {
  it('a 5xx and throttling: retried, the text goes once; the email is not sent again', async () => {
    pipeline = await startPipeline();
    const local = pipeline;
    const raised = injectFaults(local.snsClient, {
      command: 'PublishCommand',
      when: (input) => String(input.Message ?? '').includes('hold'),
      errors: [serviceError('InternalErrorException', 500), serviceError('ThrottledException', 429, 'Rate exceeded')],
    });
    const { patron, request } = await holdRequestFor(local, { sms: true, email: true });

    const { failures } = await deliverWithRetries(local, request);

    expect(raised()).toBe(2);
    expect(failures).toHaveLength(2);
    expect(local.sms.messages.filter((sms) => sms.to === patron.contact.phone && sms.body.includes('hold'))).toHaveLength(1);
    expect((await emailsTo(patron.contact.email!)).filter((email) => email.subject.includes('hold'))).toHaveLength(1);
  });
});

describe('Faults at the key service (KMS)', () => {
  it('throttled decryption releases the claim; the retry sends once', async () => {
    let throttles = 0;
    const throttledOnce = (inner: ContactDecrypter): ContactDecrypter => ({
      decrypt: async (cipher, binding) => {
        if (throttles-- > 0) throw serviceError('ThrottlingException', 400, 'Rate exceeded');
        return inner.decrypt(cipher, binding);
      },
    });
    pipeline = await startPipeline({ decrypter: throttledOnce });
    const { patron, request } = await holdRequestFor(pipeline, { sms: true, email: false });
    throttles = 1;

    const { failures } = await deliverWithRetries(pipeline, request);

    expect(failures).toEqual(['delivery interrupted']);
    expect(pipeline.sms.messages.filter((sms) => sms.to === patron.contact.phone && sms.body.includes('hold'))).toHaveLength(1);
    expect(await noticeItems(pipeline, patron.patronId)).toEqual([expect.objectContaining({ status: 'sent' })]);
  });
});

describe('Faults at the table (DynamoDB) in the circulation function', () => {
  const checkout = checkoutOnOwnBranch;

  // A checkout writes its count (one item keyed by its event), then its loan item: the fault hits the loan item.
  for (const [label, error] of [
    ['throughput exceeded', serviceError('ProvisionedThroughputExceededException', 400)],
    ['an internal error', serviceError('InternalServerError', 500)],
  ] as const) {
    it(`${label}: the record fails back to the queue with no loan written; the redelivery applies it once`, async () => {
      pipeline = await startPipeline();
      const raised = injectFaults(pipeline.functionTables.circulation.doc, {
        command: 'PutItemCommand',
        when: (input) => isKind(input.Item, 'loan'),
        errors: [error],
      });
      const event = checkout(uid('P'));

      const first = await pipeline.publish({ detailType: 'ItemCheckedOut', detail: event });
      const afterFirst = await scanAll(pipeline.table);
      const second = await pipeline.publish({ detailType: 'ItemCheckedOut', detail: event });
      const third = await pipeline.publish({ detailType: 'ItemCheckedOut', detail: event });

      expect(raised()).toBe(1);
      expect(first.batchItemFailures).toHaveLength(1);
      expect(afterFirst.filter((item) => item.kind === 'loan')).toEqual([]);
      expect([second.batchItemFailures, third.batchItemFailures]).toEqual([[], []]);
      const items = await scanAll(pipeline.table);
      expect(items.filter((item) => item.kind === 'loan')).toHaveLength(1);
      expect(items.filter((item) => item.kind === 'statistics')).toEqual([expect.objectContaining({ checkouts: 1, branch: event.branch })]);
    });
  }
});

describe('A crash between the provider accepting a message and the outcome record', () => {
  it('is never sent twice: a retry during the lease waits, after the lease the notice ends failed as outcome-unknown', async () => {
    pipeline = await startPipeline();
    const { patron, request } = await holdRequestFor(pipeline, { sms: true, email: false });
    const raised = injectFaults(pipeline.functionTables.notifier.doc, {
      command: 'UpdateItemCommand',
      // The outcome record of a sent notice (marshalled or not, depending on the middleware's place).
      when: (input) => /":status":(\{"S":)?"sent"/.test(JSON.stringify(input.ExpressionAttributeValues ?? {})),
      errors: [serviceError('InternalServerError', 500)],
    });
    const texts = () => pipeline!.sms.messages.filter((sms) => sms.to === patron.contact.phone && sms.body.includes('hold'));

    await expect(pipeline.notifier.deliver(request)).rejects.toThrow();
    expect(raised()).toBe(1);
    expect(texts()).toHaveLength(1);

    // The queue redelivers while the claim's lease runs: the notice is not sent again.
    await expect(pipeline.notifier.deliver(request)).rejects.toThrow('notice is being sent by another worker');
    expect(texts()).toHaveLength(1);

    // After the lease: recorded as failed (outcome unknown) and announced, still sent once.
    pipeline.clock.set(new Date(pipeline.clock.now().getTime() + (CLAIM_LEASE_SECONDS + 1) * 1000));
    expect(await pipeline.notifier.deliver(request)).toEqual({ sms: 'failed', email: 'not-opted-in' });
    await pipeline.deliverNotices();
    expect(texts()).toHaveLength(1);
    expect(await noticeItems(pipeline, patron.patronId)).toEqual([expect.objectContaining({ status: 'failed', reason: OUTCOME_UNKNOWN })]);
    expect(pipeline.outbound.published).toContainEqual({
      detailType: 'NoticeFailed',
      detail: expect.objectContaining({ patronId: patron.patronId, channel: 'sms', reason: OUTCOME_UNKNOWN }),
    });
    // And a later redelivery changes nothing.
    expect(await pipeline.notifier.deliver(request)).toEqual({ sms: 'duplicate', email: 'not-opted-in' });
  });
});
