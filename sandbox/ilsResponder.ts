/**
 * The sandbox plays the ILS for renewals asked for by text: each `RenewalRequested` Bookdrop
 * publishes is answered, as an ILS would, with `LoanRenewed` for the loans it renews and
 * `RenewalRefused` for the others, both carrying the request id (or `LoanRenewed` without it, as many
 * ILSs send their renewals: `echoRequestId: false`). How it answers is configurable
 * (`POST /sandbox/ils/renewals`, docs/sandbox.md): renew all, refuse some, or stay silent (so the
 * patron hears that the library system did not answer once the deadline passes).
 */
import * as z from 'zod/mini';
import { processClock } from '#shared/clock.ts';
import type { OutboundDetail } from '#shared/events/contract.ts';
import { describeIssues } from '#shared/events/issues.ts';
import type { PutEventsEntry } from '#sandbox/putEventsContract.ts';

const reason = z.enum(['too-many-renewals', 'on-hold', 'blocked', 'other']);

/** How the sandbox ILS answers renewal requests. */
export const ilsResponderSchema = z.object({
  /** `renew-all`: every loan renewed; `refuse-some`: the loans in `refuse` refused (every second loan when it is empty); `silent`: no answer. */
  mode: z.enum(['renew-all', 'refuse-some', 'silent'], { error: 'must be "renew-all", "refuse-some" or "silent"' }),
  /** Days a renewal adds, from the sandbox's now. @default 14 */
  renewDays: z.optional(z.int().check(z.gte(1), z.lte(365))),
  /** Loan id → why the ILS refuses it (for `refuse-some`). */
  refuse: z.optional(z.record(z.string(), reason)),
  /** Whether `LoanRenewed` carries the request id (`RenewalRefused` always does). @default true */
  echoRequestId: z.optional(z.boolean()),
});
export type IlsResponderSettings = z.infer<typeof ilsResponderSchema>;

/** Reads settings from an API body; a clear error names the field. */
export function parseIlsResponderSettings(body: unknown): IlsResponderSettings {
  const checked = ilsResponderSchema.safeParse(body);
  if (checked.success) return checked.data;
  throw new Error(
    `invalid ILS responder settings: ${describeIssues(checked.error.issues, 'body')
      .map((issue) => `${issue.field} ${issue.rule}`)
      .join('; ')}`,
  );
}

export class IlsResponder {
  /** @default renew every loan, 14 days from now */
  public settings: IlsResponderSettings = { mode: 'renew-all' };
  private answered = 0;

  public constructor(private readonly source: string) {}

  /** The ILS's answers to one `RenewalRequested`, as PutEvents entries (none when silent). */
  public answer(request: OutboundDetail<'RenewalRequested'>): PutEventsEntry[] {
    if (this.settings.mode === 'silent') return [];
    const now = processClock.now();
    const dueAt = new Date(now.getTime() + (this.settings.renewDays ?? 14) * 86_400_000).toISOString();
    const refuse = this.settings.refuse ?? {};
    const everySecond = this.settings.mode === 'refuse-some' && Object.keys(refuse).length === 0;
    return request.loanIds.map((loanId, index) => {
      const eventId = `sandbox-ils-${request.requestId}-${loanId}-${++this.answered}`;
      const base = { eventId, occurredAt: now.toISOString(), loanId, requestId: request.requestId };
      const refused =
        this.settings.mode === 'refuse-some' ? (refuse[loanId] ?? (everySecond && index % 2 === 1 ? 'on-hold' : undefined)) : undefined;
      const [detailType, detail] =
        refused === undefined
          ? ([
              'LoanRenewed',
              {
                ...base,
                patronId: request.patronId,
                dueAt,
                ...(this.settings.echoRequestId === false ? { requestId: undefined } : {}),
              },
            ] as const)
          : (['RenewalRefused', { ...base, reason: refused }] as const);
      return { Source: this.source, DetailType: detailType, Detail: JSON.stringify(detail) };
    });
  }
}
