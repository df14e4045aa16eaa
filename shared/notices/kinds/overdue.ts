/** overdue: loans past their due date (a scheduled reminder, 1, 7 and 14 days after by default). */
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';
import { dueDay, itemsPayload, loanDigest, loanIdsPayload } from '#shared/notices/kinds/noticeParts.ts';

export const overdue = defineNoticeKind({
  kind: 'overdue',
  payload: itemsPayload,
  ids: loanIdsPayload,
  channels: ['sms', 'email'],
  quietHours: 'wait-for-morning',
  sms: {
    en: ({ items }, context) => {
      const digest = loanDigest(items, context);
      return {
        text: `{library}: ${digest.subject} ${digest.count === 1 ? 'was' : 'were'} due {date}. Please return or renew. Help: {phone}. STOP to opt out.`,
        slots: digest.slots,
        shrink: ['title', 'library'],
      };
    },
    es: ({ items }, context) => {
      const digest = loanDigest(items, context);
      return {
        text: `{library}: ${digest.subject} vencio el {date}. Devuelva o renueve pronto. Ayuda: {phone}. STOP para cancelar.`,
        slots: digest.slots,
        shrink: ['title', 'library'],
      };
    },
  },
  email: {
    en: ({ items }, context) => {
      const date = dueDay(items, context);
      return {
        subject: `Overdue since ${date}: please return or renew`,
        paragraphs: [
          `These items were due on ${date}:`,
          ...items.map((item) => `- ${item.title}`),
          'Please return or renew them as soon as you can.',
        ],
      };
    },
    es: ({ items }, context) => {
      const date = dueDay(items, context);
      return {
        subject: `Artículos vencidos desde el ${date}`,
        paragraphs: [
          `Estos artículos vencieron el ${date}:`,
          ...items.map((item) => `- ${item.title}`),
          'Devuélvalos o renuévelos lo antes posible.',
        ],
      };
    },
  },
});
