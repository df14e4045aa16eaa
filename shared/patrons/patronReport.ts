/**
 * The patron data report: everything Bookdrop holds about one patron, with contacts masked.
 * Every patron-linked record lives in the patron's partition, so this is one paginated query.
 */
import type { ContactDecrypter } from '#shared/contacts/contactCrypto.ts';
import { isExpired, queryAll, type TableContext } from '#shared/table/documentClient.ts';
import { CHANNELS, type Channel } from '#shared/patrons/patronProfile.ts';
import { PATRON_RECORD, patronPartition } from '#shared/table/keys.ts';

/** `+15555550123` → `+1•••••••23`: enough for a patron to recognise, useless to anyone else. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 2)}${'•'.repeat(Math.max(0, phone.length - 4))}${phone.slice(-2)}`;
}

/** `jane.doe@example.org` → `j•••@example.org`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '•••' : `${email[0]}•••${email.slice(at)}`;
}

type Item = Record<string, unknown>;

export interface PatronReport {
  readonly patronId: string;
  readonly profile: Item | null;
  readonly contacts: Partial<Record<Channel, string | null>>;
  readonly ledger: Item[];
  readonly holds: Item[];
  readonly loans: Item[];
  readonly fines: Item[];
  readonly history: Item[];
  readonly notices: Item[];
  /** Loans named by renewal requests made by text (request ids and times). */
  readonly renewals: Item[];
  readonly other: Item[];
}

const HIDDEN = new Set(['pk', 'sk', 'contacts', 'phoneIndex']);
const visible = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([key]) => !HIDDEN.has(key)));

export async function patronReport(
  table: TableContext,
  patronId: string,
  now: Date,
  decrypter: ContactDecrypter | undefined,
): Promise<PatronReport> {
  const items = (
    await queryAll(table, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': patronPartition(patronId) },
      ConsistentRead: true,
    })
  ).filter((item) => !isExpired(item, now));
  const bySort = (prefix: string) => items.filter((item) => String(item.sk).startsWith(prefix)).map(visible);
  const profile = items.find((item) => item.sk === 'PROFILE');
  const contacts: Partial<Record<Channel, string | null>> = {};
  const stored = (profile?.contacts ?? {}) as Partial<Record<Channel, { cipher: string | null }>>;
  for (const channel of CHANNELS) {
    const cipher = stored[channel]?.cipher;
    if (cipher === undefined) continue;
    if (cipher === null || decrypter === undefined) {
      contacts[channel] = cipher === null ? null : '(encrypted)';
      continue;
    }
    const plain = await decrypter.decrypt(cipher, { patronId, channel });
    contacts[channel] = channel === 'sms' ? maskPhone(plain) : maskEmail(plain);
  }
  return {
    patronId,
    profile: profile ? visible(profile) : null,
    contacts,
    ledger: bySort(PATRON_RECORD.consent),
    holds: bySort(PATRON_RECORD.hold),
    loans: bySort(PATRON_RECORD.loan),
    fines: bySort(PATRON_RECORD.fine),
    history: bySort(PATRON_RECORD.history),
    notices: bySort(PATRON_RECORD.notice),
    renewals: bySort(PATRON_RECORD.renewing),
    other: items.filter((item) => !Object.values(PATRON_RECORD).some((prefix) => String(item.sk).startsWith(prefix))).map(visible),
  };
}
