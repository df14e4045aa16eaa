/** hold-ready: a hold waits at its pickup branch. */
import { defineHoldNoticeKind } from '#shared/notices/kinds/holdNotice.ts';

export const holdReady = defineHoldNoticeKind('hold-ready', {
  sms: {
    en: {
      untitled: '{library}: Your hold is ready at {branch}. Pick up by {date}. Reply HELP for help, STOP to opt out.',
      titled: '{library}: "{title}" is ready at {branch}. Pick up by {date}. Reply STOP to opt out.',
    },
    es: {
      untitled: '{library}: Su reserva esta lista en {branch}. Recojala antes del {date}. Responda HELP para ayuda, STOP para cancelar.',
      titled: '{library}: "{title}" esta listo en {branch}. Recojalo antes del {date}. Responda STOP para cancelar.',
    },
  },
  email: {
    en: ({ title, branch, date }) => ({
      subject: `Your hold is ready at ${branch}`,
      paragraphs: [
        `Your hold "${title}" is ready for pickup at ${branch}.`,
        `Please pick it up by ${date}. After that it goes to the next patron in line.`,
      ],
    }),
    es: ({ title, branch, date }) => ({
      subject: `Su reserva está lista en ${branch}`,
      paragraphs: [
        `Su reserva "${title}" está lista para recoger en ${branch}.`,
        `Recójala antes del ${date}. Después pasará a la siguiente persona en la lista.`,
      ],
    }),
  },
});
