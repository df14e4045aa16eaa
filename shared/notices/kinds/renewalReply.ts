/**
 * renewal-reply: the one answer to a patron's RENEW by text (shared/sms/renewalRequests.ts), sent to
 * the number that asked through the patron whose SMS it is. A direct answer to the patron's own
 * message: quiet hours do not hold it. Its words are fixed on the request's record when the request
 * closes (in the language of the command, one GSM-7 segment, no titles); the notifier reads them from
 * there by the request id (the notice's subject), so the family's labels never sit in a queue.
 */
import * as z from 'zod/mini';
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';

const template = ({ reply }: { reply: { text: string } }) => ({ text: '{reply}', slots: { reply: reply.text }, shrink: [] });
const reply = z.object({ text: z.string().check(z.minLength(1)) });

export const renewalReply = defineNoticeKind({
  kind: 'renewal-reply',
  payload: { reply },
  ids: {},
  channels: ['sms'],
  quietHours: 'send-at-once',
  sms: { en: template, es: template },
});
