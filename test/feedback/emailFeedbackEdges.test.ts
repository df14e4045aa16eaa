/**
 * SES feedback as SES and SQS really deliver it, against DynamoDB Local: the same event twice (SQS
 * delivers at least once) changes nothing the second time, and a malformed event fails with a reason
 * that names the field (so its dead letter can be read), never an address; a "not-spam" report suppresses nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdReady, patronRegistered, uid } from '#test/helpers/factories.ts';
import { captureLogs } from '#test/helpers/captureLogs.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

/** An SES event-publishing record for a transient or permanent bounce of one notice. */
function bounce(noticeId: string, options: { bounceType?: string; at?: string } = {}) {
  const at = options.at ?? '2026-11-04T15:05:00.000Z';
  return {
    eventType: 'Bounce',
    bounce: {
      bounceType: options.bounceType ?? 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: 'bounced.reader@example.net' }],
      timestamp: at,
      feedbackId: uid('fb'),
    },
    mail: {
      timestamp: '2026-11-04T15:04:00.000Z',
      messageId: uid('ses'),
      destination: ['bounced.reader@example.net'],
      tags: { noticeId: [noticeId] },
    },
  };
}

/** An SES complaint record about one notice, with the feedback type the mailbox provider reported. */
function complaint(noticeId: string, complaintFeedbackType: string) {
  const at = '2026-11-04T15:05:00.000Z';
  return {
    eventType: 'Complaint',
    complaint: {
      complainedRecipients: [{ emailAddress: 'reader@example.net' }],
      timestamp: at,
      feedbackId: uid('fb'),
      complaintFeedbackType,
    },
    mail: { timestamp: at, messageId: uid('ses'), destination: ['reader@example.net'], tags: { noticeId: [noticeId] } },
  };
}

describe('Flow: email feedback, duplicated and malformed', () => {
  let pipeline: Pipeline;
  let noticeId: string;
  let patronId: string;
  beforeEach(async () => {
    pipeline = await startPipeline();
    const patron = patronRegistered();
    patronId = patron.patronId;
    await pipeline.publish({ detailType: 'PatronRegistered', detail: patron }, { detailType: 'HoldReady', detail: holdReady(patronId) });
    await pipeline.deliverNotices();
    noticeId = String((await emailNotice())?.noticeId);
  });
  afterEach(async () => {
    await pipeline.stop();
  });

  const emailNotice = async () =>
    (await scanAll(pipeline.table)).find((item) => item.kind === 'notice' && item.patronId === patronId && item.channel === 'email');

  it('counts a transient bounce delivered twice once', async () => {
    const event = bounce(noticeId, { bounceType: 'Transient' });

    const first = await pipeline.feedback(event);
    const second = await pipeline.feedback(event);

    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    expect((await emailNotice())?.transientBounces).toBe(1);
    await pipeline.feedback(bounce(noticeId, { bounceType: 'Transient' }));
    expect((await emailNotice())?.transientBounces).toBe(2);
  });

  it('fails a bounce whose timestamp is not a date with the field named, suppressing nothing and logging no address', async () => {
    const logs = captureLogs();
    let response: Awaited<ReturnType<Pipeline['feedback']>>;
    try {
      response = await pipeline.feedback(bounce(noticeId, { at: 'yesterday' }));
    } finally {
      logs.restore();
    }

    expect(response.batchItemFailures).toHaveLength(1);
    expect(logs.text()).toContain('sesEvent.bounce.timestamp');
    expect(logs.text()).not.toContain('example.net');
    expect((await pipeline.patrons.get(patronId))?.suppression.email).toBeUndefined();
  });

  it('does not suppress on a "not-spam" report (the provider withdrawing a spam verdict); an abuse report suppresses', async () => {
    await pipeline.feedback(complaint(noticeId, 'not-spam'));
    expect((await pipeline.patrons.get(patronId))?.suppression.email).toBeUndefined();

    await pipeline.feedback(complaint(noticeId, 'abuse'));
    expect((await pipeline.patrons.get(patronId))?.suppression.email?.reason).toBe('complaint');
  });
});
