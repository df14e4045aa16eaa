/**
 * Event handling is a typed map from detail type to handler: a detail type without a handler is a
 * type error (checked by `tsc --noEmit`, which `npm test` runs first), not a silently dropped event.
 */
import { describe, expect, it } from 'vitest';
import type { CirculationHandlers } from '#shared/circulation/circulationService.ts';
import { circulationDetailTypes } from '#shared/events/contract.ts';

describe('Type: CirculationHandlers', () => {
  it('refuses a handler map that leaves a detail type out', () => {
    // @ts-expect-error: every detail type but PatronClosed lacks a handler, so this must not compile.
    const incomplete: CirculationHandlers = { PatronClosed: async () => {} };
    expect(Object.keys(incomplete)).toEqual(['PatronClosed']);
  });

  it('covers every inbound detail type of the contract', () => {
    const complete: Record<keyof CirculationHandlers, true> = {
      PatronRegistered: true,
      PatronPreferencesChanged: true,
      PatronClosed: true,
      ItemCheckedOut: true,
      LoanRenewed: true,
      ItemReturned: true,
      HoldReady: true,
      HoldClosed: true,
      FineAssessed: true,
      FineResolved: true,
      ServiceUpdatePublished: true,
      PrivacyPolicyUpdated: true,
      RenewalRefused: true,
    };
    expect(Object.keys(complete).sort()).toEqual([...circulationDetailTypes].sort());
  });
});
