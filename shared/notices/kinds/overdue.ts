/** overdue: loans past their due date (a scheduled reminder, 1, 7 and 14 days after by default). */
import { defineLoanDigestKind } from '#shared/notices/kinds/loanDigestNotice.ts';

export const overdue = defineLoanDigestKind('overdue', {
  sms: {
    en: (count) =>
      `{library}: {subject} ${count === 1 ? 'was' : 'were'} due {date}. Please return or renew. Help: {phone}. STOP to opt out.`,
    es: () => '{library}: {subject} vencio el {date}. Devuelva o renueve pronto. Ayuda: {phone}. STOP para cancelar.',
  },
  email: {
    en: ({ date }) => ({
      subject: `Overdue since ${date}: please return or renew`,
      intro: `These items were due on ${date}:`,
      closing: 'Please return or renew them as soon as you can.',
    }),
    es: ({ date }) => ({
      subject: `Artículos vencidos desde el ${date}`,
      intro: `Estos artículos vencieron el ${date}:`,
      closing: 'Devuélvalos o renuévelos lo antes posible.',
    }),
  },
});
