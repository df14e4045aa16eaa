/**
 * How many automatic replies a number may get per library day: at most 5 (configurable), whatever it
 * sends, and at most 1 for a number outside the consortium's countries, so reply storms and SMS
 * pumping through foreign numbers cost nothing.
 */
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';

/** Replies per number and day. @default 5 */
export const DEFAULT_REPLIES_PER_NUMBER = 5;
/** Replies per day to a number outside the configured countries. @default 1 */
export const DEFAULT_REPLIES_PER_FOREIGN_NUMBER = 1;
/** Country calling codes of the consortium's patrons. @default ['+1'] (the North American Numbering Plan) */
export const DEFAULT_COUNTRY_CODES: readonly string[] = ['+1'];

/** The most automatic replies `number` (E.164) may get today. */
export function dailyReplyLimit(config: ConsortiumConfig, number: string): number {
  const replies = config.sms.replies ?? {};
  const home = (replies.countryCodes ?? DEFAULT_COUNTRY_CODES).some((code) => number.startsWith(code));
  return home
    ? (replies.perNumberPerDay ?? DEFAULT_REPLIES_PER_NUMBER)
    : (replies.perForeignNumberPerDay ?? DEFAULT_REPLIES_PER_FOREIGN_NUMBER);
}
