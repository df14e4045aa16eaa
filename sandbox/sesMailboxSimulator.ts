/**
 * The SES mailbox simulator, for the sandbox: an email sent to `bounce@simulator.amazonses.com` or
 * `complaint@simulator.amazonses.com` produces the SES event that AWS would publish through the
 * configuration set (a permanent bounce or a complaint), tagged with the notice id as Bookdrop tags it.
 */
import { randomUUID } from 'node:crypto';
import type { StoredEmail } from '#sandbox/localServices.ts';

export const SIMULATOR = {
  bounce: 'bounce@simulator.amazonses.com',
  complaint: 'complaint@simulator.amazonses.com',
} as const;

/** The SES event for a simulated recipient, or `undefined` for any other recipient. */
export function simulatedFeedback(email: StoredEmail, noticeId: string | undefined, at: Date): Record<string, unknown> | undefined {
  const to = email.destination.to;
  const mail = {
    timestamp: new Date(email.at * 1000).toISOString(),
    messageId: email.messageId,
    source: email.from,
    destination: to,
    tags: { 'ses:configuration-set': ['bookdrop-sandbox'], ...(noticeId ? { noticeId: [noticeId] } : {}) },
  };
  if (to.includes(SIMULATOR.bounce)) {
    return {
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: SIMULATOR.bounce }],
        timestamp: at.toISOString(),
        feedbackId: randomUUID(),
      },
      mail,
    };
  }
  if (to.includes(SIMULATOR.complaint)) {
    return {
      eventType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: SIMULATOR.complaint }], timestamp: at.toISOString(), feedbackId: randomUUID() },
      mail,
    };
  }
  return undefined;
}
