/**
 * The unsubscribe token of every library-initiated email (the `List-Unsubscribe` URL and the visible
 * link): a MAC over the patron id, the channel and the day it was issued. It holds no contact value,
 * proves which patron may be opted out of which channel, and is honoured for a year.
 *
 * Shape: `base64url("u1|<patronId>|<channel>|<YYYY-MM-DD>") + "." + base64url(HMAC-SHA256)`. The
 * token is the same for a patron's every email of one day, so a scanner or a forwarded email learns
 * nothing more than the patron id and a day.
 */
import { createHash } from 'node:crypto';
import type { Language } from '#shared/patrons/patronProfile.ts';
import { CHANNELS, type Channel } from '#shared/patrons/patronProfile.ts';
import type { MacKey } from '#shared/unsubscribe/macKey.ts';

/** How long a token is honoured: a year from the day it was issued. */
export const TOKEN_VALIDITY_DAYS = 365;
const DAY_MS = 86_400_000;
const VERSION = 'u1';

/** What a valid token proves. */
export interface UnsubscribeClaims {
  readonly patronId: string;
  readonly channel: Channel;
  /** UTC day of issue, `YYYY-MM-DD`. */
  readonly issuedOn: string;
  /** Stable, opaque id of the token: the evidence id of the ledger entry it causes. */
  readonly tokenId: string;
}

/** Why a token is refused: not a token at all, a MAC that does not match, or older than a year. */
export type TokenRejection = 'malformed' | 'tampered' | 'expired';

export type TokenCheck =
  | { readonly valid: true; readonly claims: UnsubscribeClaims }
  | { readonly valid: false; readonly reason: TokenRejection };

const PATRON_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** From the decoded bytes, so two spellings of one token (base64url is lenient) share an id. */
function tokenIdOf(payload: Buffer, mac: Buffer): string {
  return `unsub-${createHash('sha256').update(payload).update(mac).digest('base64url').slice(0, 22)}`;
}

/** Issues and checks unsubscribe tokens with one MAC key. */
export class UnsubscribeTokens {
  public constructor(private readonly key: MacKey) {}

  /** A token for `patronId`'s `channel`, dated `now`'s UTC day. */
  public async issue(patronId: string, channel: Channel, now: Date): Promise<string> {
    const payload = Buffer.from([VERSION, patronId, channel, now.toISOString().slice(0, 10)].join('|'), 'utf8');
    const mac = await this.key.generate(payload);
    return `${payload.toString('base64url')}.${Buffer.from(mac).toString('base64url')}`;
  }

  /** Checks the MAC first, then the age: an expired token is reported only if it is genuine. */
  public async check(token: string, now: Date): Promise<TokenCheck> {
    const match = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return { valid: false, reason: 'malformed' };
    const payload = Buffer.from(match[1]!, 'base64url');
    const [version, patronId, channel, issuedOn, ...rest] = payload.toString('utf8').split('|');
    if (
      version !== VERSION ||
      rest.length > 0 ||
      !PATRON_ID.test(patronId ?? '') ||
      !CHANNELS.includes(channel as Channel) ||
      !DAY.test(issuedOn ?? '') ||
      Number.isNaN(Date.parse(issuedOn ?? ''))
    ) {
      return { valid: false, reason: 'malformed' };
    }
    const mac = Buffer.from(match[2]!, 'base64url');
    if (!(await this.key.verify(payload, mac))) return { valid: false, reason: 'tampered' };
    if (now.getTime() >= Date.parse(issuedOn!) + TOKEN_VALIDITY_DAYS * DAY_MS) return { valid: false, reason: 'expired' };
    return {
      valid: true,
      claims: { patronId: patronId!, channel: channel as Channel, issuedOn: issuedOn!, tokenId: tokenIdOf(payload, mac) },
    };
  }
}

/**
 * The unsubscribe URL: the token, plus the page's language and member library as display hints
 * (they choose the wording and the name on the page; only the token decides what is opted out).
 */
export function unsubscribeUrl(baseUrl: string, token: string, language: Language, libraryId: string | undefined): string {
  const url = new URL(baseUrl);
  url.searchParams.set('token', token);
  url.searchParams.set('lang', language);
  if (libraryId !== undefined) url.searchParams.set('lib', libraryId);
  return url.toString();
}

/** Makes the unsubscribe link of one patron's email. */
export interface UnsubscribeLinks {
  linkFor(patron: { patronId: string; language: Language; libraryId: string | undefined }, channel: Channel, now: Date): Promise<string>;
}

/** Signed links to the unsubscribe endpoint at `baseUrl`. */
export class SignedUnsubscribeLinks implements UnsubscribeLinks {
  public constructor(
    private readonly tokens: UnsubscribeTokens,
    private readonly baseUrl: string,
  ) {}

  public async linkFor(
    patron: { patronId: string; language: Language; libraryId: string | undefined },
    channel: Channel,
    now: Date,
  ): Promise<string> {
    return unsubscribeUrl(this.baseUrl, await this.tokens.issue(patron.patronId, channel, now), patron.language, patron.libraryId);
  }
}
