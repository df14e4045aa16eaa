/**
 * The shape the two hold notices share (`hold-ready`, `hold-expiring`): a hold payload, SMS and email,
 * held during quiet hours, an SMS with or without the title, an email naming the title, branch and
 * pick-up day. Each kind module gives only its words.
 */
import { defineNoticeKind, type ComposeContext, type EmailTemplate, type SmsTemplate } from '#shared/notices/kinds/defineNoticeKind.ts';
import { dayOf, holdPayload, smsTitle } from '#shared/notices/kinds/noticeParts.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

/** A hold as its notices see it. */
interface HoldRequest {
  readonly hold: { readonly title: string; readonly pickupBranch: string; readonly pickupBy: string };
}

/** What the email says, given the title, the pick-up branch's name and the pick-up day. */
export type HoldEmailWords = (hold: { readonly title: string; readonly branch: string; readonly date: string }) => EmailTemplate;

/** The words of a hold notice, per language. */
export interface HoldNoticeWords {
  /** SMS texts with `{library}`, `{branch}`, `{date}` and `{title}` slots: without the title, and with it. */
  readonly sms: Readonly<Record<Language, { readonly untitled: string; readonly titled: string }>>;
  readonly email: Readonly<Record<Language, HoldEmailWords>>;
}

/** Declares a hold notice kind from its words. */
export function defineHoldNoticeKind<const K extends string>(kind: K, words: HoldNoticeWords) {
  const sms =
    (language: Language) =>
    ({ hold }: HoldRequest, context: ComposeContext): SmsTemplate => {
      const title = smsTitle([hold.title], context);
      return {
        text: title === undefined ? words.sms[language].untitled : words.sms[language].titled,
        slots: {
          library: context.branding.shortName,
          branch: context.branchName(hold.pickupBranch),
          date: dayOf(hold.pickupBy, context),
          title: title ?? '',
        },
        shrink: ['title', 'branch', 'library'],
      };
    };
  const email =
    (language: Language) =>
    ({ hold }: HoldRequest, context: ComposeContext): EmailTemplate =>
      words.email[language]({ title: hold.title, branch: context.branchName(hold.pickupBranch), date: dayOf(hold.pickupBy, context) });
  return defineNoticeKind({
    kind,
    payload: holdPayload,
    // Ids only on the queue: the hold id is the request's subject id.
    ids: {},
    channels: ['sms', 'email'],
    quietHours: 'wait-for-morning',
    sms: { en: sms('en'), es: sms('es') },
    email: { en: email('en'), es: email('es') },
  });
}
