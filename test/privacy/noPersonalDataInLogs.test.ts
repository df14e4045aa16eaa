/**
 * Runs the flows of the suite with every log line captured at DEBUG level, including failures whose
 * provider errors quote the phone number, and finds no phone number, email address or title from
 * the fixtures in any log line, error or outbound event. Nor a first initial or the labels made of
 * it (a family texting RENEW and ITEMS, labelled by initial), nor a name sent where an initial goes.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  holdReady,
  inboundSms,
  itemCheckedOut,
  loanRenewed,
  patronRegistered,
  phoneNumber,
  preferencesChanged,
  testConfig,
  uid,
} from '#test/helpers/factories.ts';
import { captureLogs } from '#test/helpers/captureLogs.ts';
import { scanAll } from '#test/helpers/localAws.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

// Every log line, DEBUG included: set before the logger is created at import.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const TITLE = 'Cien años de soledad (Edición Conmemorativa)';
/** Initials no other fixture text holds, and a name sent where an initial goes (refused). */
const INITIALS = ['Ŵ', 'ŵ'];
const NAME_AS_INITIAL = 'Wilhelmina';

describe('Privacy: logs', () => {
  const logs = { text: '' };
  const secrets: string[] = [
    TITLE,
    NAME_AS_INITIAL,
    ...INITIALS,
    ...INITIALS.flatMap((letter) => {
      const code = letter.codePointAt(0)!.toString(16).padStart(4, '0');
      return [`\\u${code}`, `\\u${code.toUpperCase()}`];
    }),
  ];
  /** The reply labels the family's initials become (both W in GSM-7, told apart by card). */
  const labels = ['W. #7001', 'W. #7002'];
  let pipeline: Pipeline;
  let smsBodies = '';

  beforeAll(async () => {
    const sns = new SNSClient({ region: 'us-east-1' });
    const snsMock = mockClient(sns);
    pipeline = await startPipeline({
      snsClient: sns,
      config: { ...testConfig, sms: { ...testConfig.sms, commands: { patronLabel: 'initial' } } },
    });
    const capture = captureLogs();
    try {
      const happy = patronRegistered({ language: 'es' });
      const failing = patronRegistered({ consent: { sms: true, email: false, checkoutHistory: false } });
      const invalid = patronRegistered({ contact: { phone: '555 0100 ext 7', email: 'broken@@example.net' } });
      const closing = patronRegistered();
      secrets.push(...[happy, failing, invalid, closing].flatMap((p) => [p.contact.phone!, p.contact.email!]));
      secrets.push('555 0100 ext 7', 'broken@@example.net');
      const shared = phoneNumber();
      const family = INITIALS.map((initial, index) =>
        patronRegistered({ patronId: `${uid('P')}-700${index + 1}`, initial, contact: { phone: shared, email: `w${index}@example.net` } }),
      );
      const named = { ...patronRegistered(), initial: NAME_AS_INITIAL };
      secrets.push(shared, ...family.map((member) => member.contact.email!), ...labels);

      // The general behaviour first: aws-sdk-client-mock lets the later, more specific one win.
      snsMock.on(PublishCommand).resolves({ MessageId: uid('sns') });
      snsMock.on(PublishCommand, { PhoneNumber: failing.contact.phone }).rejects(
        Object.assign(new Error(`Invalid parameter: PhoneNumber Reason: ${failing.contact.phone} is not valid to publish to`), {
          name: 'InvalidParameterException',
          $metadata: { httpStatusCode: 400 },
        }),
      );

      await pipeline.publish(
        { detailType: 'PatronRegistered', detail: happy },
        { detailType: 'PatronRegistered', detail: failing },
        { detailType: 'PatronRegistered', detail: invalid },
        { detailType: 'PatronRegistered', detail: closing },
      );
      await pipeline.publish(
        { detailType: 'HoldReady', detail: holdReady(happy.patronId, { title: TITLE }) },
        { detailType: 'HoldReady', detail: holdReady(failing.patronId, { title: TITLE }) },
        { detailType: 'PatronPreferencesChanged', detail: preferencesChanged(happy.patronId, { contact: { phone: null } }) },
        { detailType: 'PatronClosed', detail: { eventId: uid('evt'), occurredAt: '2026-11-05T10:00:00Z', patronId: closing.patronId } },
      );
      await pipeline.deliverNotices();

      // A family labelled by initial: RENEW, the ILS answering without request ids, ITEMS.
      await pipeline.publish(...family.map((detail) => ({ detailType: 'PatronRegistered', detail })), {
        detailType: 'PatronRegistered',
        detail: named,
      });
      const loans = family.map((member) => itemCheckedOut(member.patronId, { title: TITLE }));
      await pipeline.publish(...loans.map((detail) => ({ detailType: 'ItemCheckedOut', detail })));
      const text = (body: string) => inboundSms(shared, body);
      await pipeline.inbound(text('RENEW'));
      await pipeline.publish(...loans.map((loan) => ({ detailType: 'LoanRenewed', detail: loanRenewed(loan) })));
      await pipeline.deliverNotices();
      await pipeline.inbound(text('ITEMS'));
      await pipeline.deliverNotices();
      smsBodies = snsMock
        .commandCalls(PublishCommand)
        .map((call) => call.args[0].input.Message ?? '')
        .join('\n');

      const notice = (await scanAll(pipeline.table)).find((item) => item.kind === 'notice' && item.channel === 'email');
      await pipeline.feedback({
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          timestamp: '2026-11-04T16:00:00Z',
          feedbackId: uid('fb'),
          bouncedRecipients: [{ emailAddress: happy.contact.email }],
        },
        mail: {
          timestamp: '2026-11-04T15:00:00Z',
          messageId: uid('ses'),
          destination: [happy.contact.email],
          tags: { noticeId: [String(notice?.noticeId)] },
        },
      });
      await pipeline.feedback({ eventType: 'Bounce', mail: { destination: [happy.contact.email] } });
    } finally {
      capture.restore();
      logs.text = capture.text();
    }
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('captured the flows, failures included', () => {
    expect(logs.text).toContain('"message":"record failed"');
    expect(logs.text).toContain('invalid event: detail.contact.phone must be an E.164 phone number');
    expect(logs.text).toContain('"outcome":"failed"');
    expect(logs.text).toContain('"outcome":"sent"');
    expect(logs.text).toContain('"message":"email feedback"');
    expect(logs.text).toContain('invalid event: sesEvent.mail.messageId');
    expect(logs.text).toContain('invalid event: detail.initial must be exactly one letter (a first initial, never a name)');
    // The family's replies went out, labelled by initial: so the labels were made, and the logs below are checked against them.
    for (const label of labels) expect(smsBodies).toContain(`${label}: renewed 1`);
    expect(smsBodies).toContain(`${labels[0]}: 1 item`);
  });

  it('holds no phone number, email address or title', () => {
    for (const secret of secrets) expect(logs.text, secret).not.toContain(secret);
    // Not even a recognisable fragment of a phone number.
    for (const secret of secrets.filter((value) => value.startsWith('+1'))) expect(logs.text).not.toContain(secret.slice(2));
  });

  it('publishes no contact or title in outbound events', () => {
    const published = JSON.stringify(pipeline.outbound.published);
    expect(pipeline.outbound.published.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(published).not.toContain(secret);
    expect(published).not.toContain('"initial"');
    expect(pipeline.outbound.published.some((event) => event.detailType === 'RenewalRequested')).toBe(true);
  });
});
