/** hold-expiring: the last day to pick up a ready hold (a scheduled reminder). */
import { defineHoldNoticeKind } from '#shared/notices/kinds/holdNotice.ts';

export const holdExpiring = defineHoldNoticeKind('hold-expiring', {
  sms: {
    en: {
      untitled: '{library}: Your hold at {branch} expires {date}. Pick it up by then or it goes to the next patron. STOP to opt out.',
      titled: '{library}: Last day to pick up "{title}" at {branch}: {date}. Reply STOP to opt out.',
    },
    es: {
      untitled: '{library}: Su reserva en {branch} vence el {date}. Recojala antes o pasara al siguiente. STOP para cancelar.',
      titled: '{library}: Ultimo dia para recoger "{title}" en {branch}: {date}. Responda STOP para cancelar.',
    },
  },
  email: {
    en: ({ title, branch, date }) => ({
      subject: `Your hold at ${branch} expires ${date}`,
      paragraphs: [
        `Your hold "${title}" at ${branch} expires on ${date}.`,
        'Pick it up by then; after that it goes to the next patron in line.',
      ],
    }),
    es: ({ title, branch, date }) => ({
      subject: `Su reserva en ${branch} vence el ${date}`,
      paragraphs: [
        `Su reserva "${title}" en ${branch} vence el ${date}.`,
        'Recójala antes de esa fecha; después pasará a la siguiente persona en la lista.',
      ],
    }),
  },
});
