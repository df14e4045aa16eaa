/** hold-expiring: the last day to pick up a ready hold (a scheduled reminder). */
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';
import { dayOf, holdPayload, smsTitle } from '#shared/notices/kinds/noticeParts.ts';

export const holdExpiring = defineNoticeKind({
  kind: 'hold-expiring',
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
            ? '{library}: Your hold at {branch} expires {date}. Pick it up by then or it goes to the next patron. STOP to opt out.'
            : '{library}: Last day to pick up "{title}" at {branch}: {date}. Reply STOP to opt out.',
        slots: { library: context.branding.shortName, branch: context.branchName(hold.pickupBranch), date: dayOf(hold.pickupBy, context), title: title ?? '' },
        shrink: ['title', 'branch', 'library'],
      };
    },
    es: ({ hold }, context) => {
      const title = smsTitle([hold.title], context);
      return {
        text:
          title === undefined
            ? '{library}: Su reserva en {branch} vence el {date}. Recojala antes o pasara al siguiente. STOP para cancelar.'
            : '{library}: Ultimo dia para recoger "{title}" en {branch}: {date}. Responda STOP para cancelar.',
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
        subject: `Your hold at ${branch} expires ${date}`,
        paragraphs: [`Your hold "${hold.title}" at ${branch} expires on ${date}.`, 'Pick it up by then; after that it goes to the next patron in line.'],
      };
    },
    es: ({ hold }, context) => {
      const branch = context.branchName(hold.pickupBranch);
      const date = dayOf(hold.pickupBy, context);
      return {
        subject: `Su reserva en ${branch} vence el ${date}`,
        paragraphs: [`Su reserva "${hold.title}" en ${branch} vence el ${date}.`, 'Recójala antes de esa fecha; después pasará a la siguiente persona en la lista.'],
      };
    },
  },
});
