/** due-soon: loans due in a few days (a scheduled reminder, one digest per patron and day). */
import { defineLoanDigestKind } from '#shared/notices/kinds/loanDigestNotice.ts';

export const dueSoon = defineLoanDigestKind('due-soon', {
  sms: {
    en: (count) =>
      `{library}: {subject} ${count === 1 ? 'is' : 'are'} due {date}. Renew in the catalog or call {phone}. Reply STOP to opt out.`,
    es: (count) =>
      `{library}: {subject} vence${count === 1 ? '' : 'n'} el {date}. Renueve en el catalogo o llame al {phone}. STOP para cancelar.`,
  },
  email: {
    en: ({ date, count }) => ({
      subject: `${count === 1 ? 'An item is' : `${count} items are`} due ${date}`,
      intro: `These items are due on ${date}:`,
      closing: 'You can renew them in the online catalog if nobody else has placed a hold.',
    }),
    es: ({ date, count }) => ({
      subject: `${count === 1 ? 'Un artículo vence' : `${count} artículos vencen`} el ${date}`,
      intro: `Estos artículos vencen el ${date}:`,
      closing: 'Puede renovarlos en el catálogo en línea si nadie más los ha reservado.',
    }),
  },
});
