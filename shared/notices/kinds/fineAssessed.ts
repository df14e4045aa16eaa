/** fine-assessed: a charge was added to the patron's account. The reason stays out of SMS: it may name a title. */
import * as z from 'zod/mini';
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';
import { formatMoney } from '#shared/notices/kinds/noticeParts.ts';

export const fineAssessed = defineNoticeKind({
  kind: 'fine-assessed',
  payload: { fine: z.object({ amount: z.string(), currency: z.string(), reason: z.string() }) },
  ids: {},
  channels: ['sms', 'email'],
  quietHours: 'wait-for-morning',
  sms: {
    en: ({ fine }, context) => ({
      text: '{library}: A charge of {amount} was added to your account. Details in the catalog or at the library. Reply STOP to opt out.',
      slots: { library: context.branding.shortName, amount: formatMoney(fine.amount, fine.currency, 'en') },
      shrink: ['library'],
    }),
    es: ({ fine }, context) => ({
      text: '{library}: Se agrego un cargo de {amount} a su cuenta. Detalles en el catalogo o en la biblioteca. STOP para cancelar.',
      slots: { library: context.branding.shortName, amount: formatMoney(fine.amount, fine.currency, 'es') },
      shrink: ['library'],
    }),
  },
  email: {
    en: ({ fine }) => {
      const amount = formatMoney(fine.amount, fine.currency, 'en');
      return {
        subject: `A charge of ${amount} on your account`,
        paragraphs: [
          `A charge of ${amount} was added to your account.`,
          `Reason: ${fine.reason}.`,
          'You can pay it in the online catalog or at any library desk.',
        ],
      };
    },
    es: ({ fine }) => {
      const amount = formatMoney(fine.amount, fine.currency, 'es');
      return {
        subject: `Cargo de ${amount} en su cuenta`,
        paragraphs: [
          `Se agregó un cargo de ${amount} a su cuenta.`,
          `Motivo: ${fine.reason}.`,
          'Puede pagarlo en el catálogo en línea o en cualquier biblioteca.',
        ],
      };
    },
  },
});
