/**
 * The patron's one-click unsubscribe: a valid token opts its patron's channel out at once (ledger
 * source `email-unsubscribe`, the token's id as evidence; the table stream then announces
 * `PatronConsentChanged`). Idempotent: a channel already off, a closed account or an unknown patron
 * changes nothing, so a repeated click or a provider's retry writes nothing twice.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Clock } from '#shared/clock.ts';
import type { BookdropLogger, BookdropMetrics } from '#shared/observability.ts';
import { applyChannelConsent, type PatronProfile, type ProfileChange } from '#shared/patrons/patronProfile.ts';
import type { PatronService } from '#shared/patrons/patronService.ts';
import type { TokenCheck, TokenRejection, UnsubscribeClaims, UnsubscribeTokens } from '#shared/unsubscribe/unsubscribeToken.ts';

export interface UnsubscribeDeps {
  readonly tokens: UnsubscribeTokens;
  /** Writes consent only: this function holds no contact key. */
  readonly patronService: PatronService;
  readonly clock: Clock;
  readonly logger: BookdropLogger;
  readonly metrics: BookdropMetrics;
}

/** What an unsubscribe did: opted out now, nothing to do, or a refused token. */
export type UnsubscribeOutcome = 'opted-out' | 'already-off' | TokenRejection;

/**
 * The opt-out a valid token asks for, as a pure merge: only a stored, open profile whose channel is
 * opted in changes (an empty profile would otherwise be created for an unknown patron).
 */
export function unsubscribeChange(profile: PatronProfile, claims: UnsubscribeClaims, at: string): ProfileChange {
  const unchanged: ProfileChange = { profile, ledger: [], contacts: [], changed: false };
  if (profile.version === 0 || profile.closedAt !== undefined || profile.consent[claims.channel]?.optedIn !== true) return unchanged;
  return applyChannelConsent(profile, claims.channel, false, {
    at,
    source: 'email-unsubscribe',
    policyVersion: profile.policyVersion?.value,
    evidenceId: claims.tokenId,
  });
}

export class Unsubscribe {
  public constructor(private readonly deps: UnsubscribeDeps) {}

  /** Checks a token without changing anything (the page a link opens: link scanners fetch it too). */
  public async view(token: string): Promise<TokenCheck> {
    const checked = await this.deps.tokens.check(token, this.deps.clock.now());
    this.deps.metrics.addMetric(`unsubscribe-page-${checked.valid ? 'valid' : checked.reason}`, MetricUnit.Count, 1);
    return checked;
  }

  /** Opts the token's patron out of its channel (the one-click POST and the page's button). */
  public async confirm(token: string): Promise<UnsubscribeOutcome> {
    const checked = await this.deps.tokens.check(token, this.deps.clock.now());
    const outcome = checked.valid ? await this.optOut(checked.claims) : checked.reason;
    this.deps.metrics.addMetric(`unsubscribe-${outcome}`, MetricUnit.Count, 1);
    this.deps.logger.info('unsubscribe', {
      outcome,
      ...(checked.valid ? { patronId: checked.claims.patronId, channel: checked.claims.channel, tokenId: checked.claims.tokenId } : {}),
    });
    return outcome;
  }

  private async optOut(claims: UnsubscribeClaims): Promise<UnsubscribeOutcome> {
    const at = this.deps.clock.now().toISOString();
    const result = await this.deps.patronService.update(claims.patronId, (profile) => unsubscribeChange(profile, claims, at));
    return result.changed ? 'opted-out' : 'already-off';
  }
}
