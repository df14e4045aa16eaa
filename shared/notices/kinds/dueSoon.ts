/** due-soon: loans due in a few days (a scheduled reminder, one digest per patron and day). */
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';
import { dueDay, itemsPayload, loanDigest, loanIdsPayload } from '#shared/notices/kinds/noticeParts.ts';

export const dueSoon = defineNoticeKind({
  kind: 'due-soon',
  payload: itemsPayload,
  ids: loanIdsPayload,
  channels: ['sms', 'email'],
  quietHours: 'wait-for-morning',
  sms: {
    en: ({ items }, context) => {
      const digest = loanDigest(items, context);
      return {
        text: `{library}: ${digest.subject} ${digest.count === 1 ? 'is' : 'are'} due {date}. Renew in the catalog or call {phone}. Reply STOP to opt out.`,
        slots: digest.slots,
        shrink: ['title', 'library'],
      };
    },
    es: ({ items }, context) => {
      const digest = loanDigest(items, context);
      return {
        text: `{library}: ${digest.subject} vence${digest.count === 1 ? '' : 'n'} el {date}. Renueve en el catalogo o llame al {phone}. STOP para cancelar.`,
        slots: digest.slots,
        shrink: ['title', 'library'],
      };
    },
  },
  email: {
    en: ({ items }, context) => {
      const date = dueDay(items, context);
      const count = items.length;
      return {
        subject: `${count === 1 ? 'An item is' : `${count} items are`} due ${date}`,
        paragraphs: [
          `These items are due on ${date}:`,
          ...items.map((item) => `- ${item.title}`),
          'You can renew them in the online catalog if nobody else has placed a hold.',
        ],
      };
    },
    es: ({ items }, context) => {
      const date = dueDay(items, context);
      const count = items.length;
      return {
        subject: `${count === 1 ? 'Un artículo vence' : `${count} artículos vencen`} el ${date}`,
        paragraphs: [
          `Estos artículos vencen el ${date}:`,
          ...items.map((item) => `- ${item.title}`),
          'Puede renovarlos en el catálogo en línea si nadie más los ha reservado.',
        ],
      };
    },
  },
});
