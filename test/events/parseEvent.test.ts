import { describe, expect, it } from 'vitest';
import { EventValidationError } from '#shared/errors.ts';
import { circulationDetailTypes } from '#shared/events/contract.ts';
import { parseCirculationEvent, parseCirculationRecordBody } from '#shared/events/parseEvent.ts';
import { eventBridgeEvent, holdReady, patronRegistered } from '#test/helpers/factories.ts';

function rejection(input: unknown): EventValidationError {
  try {
    parseCirculationEvent(input);
  } catch (error) {
    if (error instanceof EventValidationError) return error;
    throw error;
  }
  throw new Error('expected the event to be rejected');
}

describe('Function: parseCirculationEvent', () => {
  it('accepts a valid PatronRegistered and returns its typed detail', () => {
    const detail = patronRegistered();
    const event = parseCirculationEvent(eventBridgeEvent('PatronRegistered', detail));
    expect(event).toEqual({ detailType: 'PatronRegistered', detail });
  });

  it('names the field and the rule for a bad phone number, never its value', () => {
    const detail = patronRegistered({ contact: { phone: '555-0100 ext 12', email: 'jo.reader@example.net' } });
    const error = rejection(eventBridgeEvent('PatronRegistered', detail));
    expect(error.issues).toEqual([{ field: 'detail.contact.phone', rule: 'must be an E.164 phone number (+ and 8 to 15 digits)' }]);
    expect(error.message).toBe('invalid event: detail.contact.phone must be an E.164 phone number (+ and 8 to 15 digits)');
    expect(error.message).not.toContain('555-0100');
    expect(JSON.stringify(error.context)).not.toContain('jo.reader');
  });

  it('names a bad email address without echoing it', () => {
    const error = rejection(eventBridgeEvent('PatronRegistered', patronRegistered({ contact: { email: 'not-an-address@' } })));
    expect(error.issues).toEqual([{ field: 'detail.contact.email', rule: 'must be an email address' }]);
    expect(error.message).not.toContain('not-an-address');
  });

  it('lists every missing field of an empty HoldReady', () => {
    const error = rejection(eventBridgeEvent('HoldReady', {}));
    expect(error.issues.map((issue) => issue.field).sort()).toEqual(
      [
        'detail.eventId',
        'detail.holdId',
        'detail.occurredAt',
        'detail.patronId',
        'detail.pickupBranch',
        'detail.pickupBy',
        'detail.title',
      ].sort(),
    );
  });

  it('requires an offset on dates', () => {
    const error = rejection(eventBridgeEvent('HoldReady', holdReady('P-1', { pickupBy: '2026-11-11T20:00:00' })));
    expect(error.issues).toEqual([{ field: 'detail.pickupBy', rule: 'must be an ISO 8601 date-time with offset' }]);
  });

  it('rejects an enum value outside the contract', () => {
    const error = rejection(
      eventBridgeEvent('HoldClosed', { eventId: 'e1', occurredAt: '2026-11-04T09:30:00Z', holdId: 'H1', patronId: 'P1', reason: 'lost' }),
    );
    expect(error.issues).toEqual([{ field: 'detail.reason', rule: 'must be "picked-up", "cancelled" or "expired"' }]);
  });

  it('rejects a detail-type that contract v1 does not have', () => {
    const error = rejection(eventBridgeEvent('PatronTeleported', { eventId: 'e1' }));
    expect(error.issues).toEqual([{ field: 'event.detail-type', rule: 'is not a detail-type of contract v1' }]);
  });

  it('rejects ids that could break storage keys', () => {
    const error = rejection(eventBridgeEvent('HoldReady', holdReady('PATRON#1')));
    expect(error.issues).toEqual([{ field: 'detail.patronId', rule: 'must be 1 to 64 letters, digits or ._:- characters' }]);
  });

  it('knows the twelve detail-types of contract v1 and the additive RenewalRefused', () => {
    expect(circulationDetailTypes).toHaveLength(13);
    expect(circulationDetailTypes).toContain('RenewalRefused');
  });

  it('refuses a RenewalRefused whose reason is not one of the four codes, naming the field', () => {
    const detail = { eventId: 'e-1', occurredAt: '2026-11-04T10:00:00-05:00', loanId: 'L-1', requestId: 'sms-1', reason: 'because' };
    expect(() => parseCirculationEvent({ 'detail-type': 'RenewalRefused', source: 'library.circulation', detail })).toThrow(
      /detail\.reason must be "too-many-renewals", "on-hold", "blocked" or "other"/,
    );
    expect(
      parseCirculationEvent({ 'detail-type': 'RenewalRefused', source: 'library.circulation', detail: { ...detail, reason: 'on-hold' } })
        .detailType,
    ).toBe('RenewalRefused');
  });
});

describe('Function: parseCirculationRecordBody', () => {
  it('rejects a body that is not JSON', () => {
    expect(() => parseCirculationRecordBody('{not json')).toThrowError(
      new EventValidationError([{ field: 'body', rule: 'must be a JSON EventBridge event' }]),
    );
  });
});
