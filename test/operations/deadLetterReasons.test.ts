/**
 * Why a dead letter is dead, as `npm run redrive -- <queue> --dry-run` prints it: the reason names
 * fields and rules, never a value from the message.
 */
import { describe, expect, it } from 'vitest';
import { deadLetterReason } from '#shared/operations/deadLetterReasons.ts';
import { eventBridgeEvent, patronRegistered, preferencesChanged } from '#test/helpers/factories.ts';

const NOW = new Date('2026-11-05T15:00:00Z');
const letter = (detailType: string, detail: unknown) => ({ body: JSON.stringify(eventBridgeEvent(detailType, detail)) });

describe('Function: deadLetterReason', () => {
  it('says a patron event dated ahead of the clock is applied by a redrive once that time has passed, without its values', () => {
    const patron = patronRegistered();
    const ahead = preferencesChanged(patron.patronId, { contact: { email: 'ahead@example.net' } }, { occurredAt: '9999-12-31T23:59:59Z' });

    const reason = deadLetterReason(letter('PatronPreferencesChanged', ahead), NOW);

    expect(reason).toEqual({
      kind: 'PatronPreferencesChanged',
      reason:
        "detail.occurredAt must not be more than 5 minutes ahead of Bookdrop's clock (check the ILS's clock): " +
        'a redrive applies it once that time has passed',
    });
    expect(JSON.stringify(reason)).not.toMatch(/9999|ahead@example|P-/);
  });

  it('tells a contract violation (fix the producer) from a valid event the consumer failed', () => {
    const patron = patronRegistered();

    expect(deadLetterReason(letter('PatronRegistered', { ...patron, contact: { phone: '555' } }), NOW).reason).toBe(
      'invalid event: detail.contact.phone must be an E.164 phone number (+ and 8 to 15 digits) (fix the producer; redriving fails again)',
    );
    expect(deadLetterReason(letter('PatronRegistered', patron), NOW).reason).toBe(
      'valid event that the consumer failed: see the function logs for its message id, fix, then redrive',
    );
  });

  it('reads an SES feedback event from the email-feedback queue: a malformed one names the field, a valid one points to the logs', () => {
    const ses = (timestamp: string) => ({
      body: JSON.stringify({
        eventType: 'Bounce',
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'gone@example.net' }], timestamp, feedbackId: 'fb-1' },
        mail: { timestamp: '2026-11-04T15:04:00.000Z', messageId: 'ses-1', destination: ['gone@example.net'], tags: { noticeId: ['n-1'] } },
      }),
    });

    const malformed = deadLetterReason(ses('yesterday'), NOW);
    const valid = deadLetterReason(ses('2026-11-04T15:05:00.000Z'), NOW);

    expect(malformed).toEqual({
      kind: 'SES Bounce',
      reason: 'invalid event: sesEvent.bounce.timestamp must be an ISO 8601 date-time (not as SES publishes it: check its sender)',
    });
    expect(valid).toEqual({
      kind: 'SES Bounce',
      reason: 'SES feedback that email-feedback failed: see its logs for the message id, fix, then redrive',
    });
    expect(JSON.stringify([malformed, valid])).not.toContain('gone@example');
  });
});
