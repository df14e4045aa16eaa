/**
 * The consent export: every open account's current choice per channel, as CSV lines, for the ILS to
 * reconcile STOP replies, unsubscribes and suppressions with its own records. It reads the audience
 * index (which projects consent and suppression), shard by shard, page by page: no profile and no
 * contact is ever read.
 */
import type { AudienceIndex } from '#shared/patrons/audienceIndex.ts';
import { CHANNELS, type ConsentState, type Suppression, type Channel } from '#shared/patrons/patronProfile.ts';
import { AUDIENCE_SHARDS } from '#shared/table/tableDefinition.ts';

/** The CSV header of the consent export. */
export const CONSENT_EXPORT_HEADER = 'patron_id,channel,opted_in,source,at,suppressed';

/** One CSV line: a patron's current choice on one channel (ids and enums only: nothing to quote). */
export function consentLine(patronId: string, channel: Channel, state: ConsentState, suppression: Suppression | undefined): string {
  return [patronId, channel, state.optedIn, state.source, state.at, suppression ? suppression.reason : ''].join(',');
}

/** Yields the export's lines, one page of the audience at a time. */
export async function* consentExportLines(audience: AudienceIndex): AsyncGenerator<string[]> {
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    let cursor: string | undefined;
    do {
      const page = await audience.page({ shard, cursor });
      const lines: string[] = [];
      for (const member of page.members) {
        for (const channel of CHANNELS) {
          const state = member.consent[channel];
          if (state) lines.push(consentLine(member.patronId, channel, state, member.suppression[channel]));
        }
      }
      yield lines;
      cursor = page.cursor;
    } while (cursor);
  }
}
