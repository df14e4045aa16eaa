/** hold-ready: a hold waits at its pickup branch. */
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';
import { dayOf, holdPayload, smsTitle } from '#shared/notices/kinds/noticeParts.ts';

export const holdReady = defineNoticeKind({
  kind: 'hold-ready',
  payload: holdPayload,
  ids: {},
  channels: ['sms', 'email'],
  quietHours: 'wait-for-morning',
  sms: {
    en: ({ hold }, context) => {
      const title = smsTitle([hold.title], context);
      return {
        text:
          title === undefined
            ? '{library}: Your hold is ready at {branch}. Pick up by {date}. Reply HELP for help, STOP to opt out.'
            : '{library}: "{title}" is ready at {branch}. Pick up by {date}. Reply STOP to opt out.',
        slots: { library: context.branding.shortName, branch: context.branchName(hold.pickupBranch), date: dayOf(hold.pickupBy, context), title: title ?? '' },
        shrink: ['title', 'branch', 'library'],
      };
    },
    es: ({ hold }, context) => {
      const title = smsTitle([hold.title], context);
      return {
        text:
          title === undefined
            ? '{library}: Su reserva esta lista en {branch}. Recojala antes del {date}. Responda HELP para ayuda, STOP para cancelar.'
            : '{library}: "{title}" esta listo en {branch}. Recojalo antes del {date}. Responda STOP para cancelar.',
        slots: { library: context.branding.shortName, branch: context.branchName(hold.pickupBranch), date: dayOf(hold.pickupBy, context), title: title ?? '' },
        shrink: ['title', 'branch', 'library'],
      };
    },
  },
  email: {
    en: ({ hold }, context) => {
      const branch = context.branchName(hold.pickupBranch);
      const date = dayOf(hold.pickupBy, context);
      return {
        subject: `Your hold is ready at ${branch}`,
        paragraphs: [`Your hold "${hold.title}" is ready for pickup at ${branch}.`, `Please pick it up by ${date}. After that it goes to the next patron in line.`],
      };
    },
    es: ({ hold }, context) => {
      const branch = context.branchName(hold.pickupBranch);
      const date = dayOf(hold.pickupBy, context);
      return {
        subject: `Su reserva está lista en ${branch}`,
        paragraphs: [`Su reserva "${hold.title}" está lista para recoger en ${branch}.`, `Recójala antes del ${date}. Después pasará a la siguiente persona en la lista.`],
      };
    },
  },
});
