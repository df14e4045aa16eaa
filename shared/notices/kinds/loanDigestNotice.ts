/**
 * The shape the two loan reminders share (`due-soon`, `overdue`): a digest of the patron's loans due on
 * one day, SMS and email, held during quiet hours, the SMS naming one title (if the library allows) and
 * how many more, the email listing every title. Each kind module gives only its words.
 */
import { defineNoticeKind, type ComposeContext, type EmailTemplate, type SmsTemplate } from '#shared/notices/kinds/defineNoticeKind.ts';
import { dueDay, itemsPayload, loanDigest, loanIdsPayload } from '#shared/notices/kinds/noticeParts.ts';
import type { Language } from '#shared/patrons/patronProfile.ts';

/** The loans of a reminder as its templates see them. */
interface LoansRequest {
  readonly items: readonly { readonly title: string; readonly dueAt: string }[];
}

/** What the email says around the list of titles, given the due day and the number of loans. */
export interface LoanDigestEmailWords {
  readonly subject: string;
  /** The line before the list of titles. */
  readonly intro: string;
  /** The line after it. */
  readonly closing: string;
}

/** The words of a loan reminder, per language. */
export interface LoanDigestWords {
  /**
   * The SMS text, given how many loans it names; `{library}`, `{date}` and `{phone}` are slots, and the
   * digest's subject (one title and how many more, or a count) goes where `{subject}` stands.
   */
  readonly sms: Readonly<Record<Language, (count: number) => string>>;
  readonly email: Readonly<Record<Language, (digest: { readonly date: string; readonly count: number }) => LoanDigestEmailWords>>;
}

/** Declares a loan reminder kind from its words. */
export function defineLoanDigestKind<const K extends string>(kind: K, words: LoanDigestWords) {
  const sms =
    (language: Language) =>
    ({ items }: LoansRequest, context: ComposeContext): SmsTemplate => {
      const digest = loanDigest(items, context);
      return {
        text: words.sms[language](digest.count).replace('{subject}', () => digest.subject),
        slots: digest.slots,
        shrink: ['title', 'library'],
      };
    };
  const email =
    (language: Language) =>
    ({ items }: LoansRequest, context: ComposeContext): EmailTemplate => {
      const { subject, intro, closing } = words.email[language]({ date: dueDay(items, context), count: items.length });
      return { subject, paragraphs: [intro, ...items.map((item) => `- ${item.title}`), closing] };
    };
  return defineNoticeKind({
    kind,
    payload: itemsPayload,
    // Ids only on the queue: the loans' titles and due dates are read at send time.
    ids: loanIdsPayload,
    channels: ['sms', 'email'],
    quietHours: 'wait-for-morning',
    sms: { en: sms('en'), es: sms('es') },
    email: { en: email('en'), es: email('es') },
  });
}
