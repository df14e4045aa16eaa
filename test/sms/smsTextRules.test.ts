/**
 * The text rules enforced before any SMS is composed: the configuration refuses a short name SMS
 * cannot carry, and the event contract refuses a service update or policy summary with nothing left
 * in GSM-7 (a clear error naming the field, never its text).
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, EventValidationError } from '#shared/errors.ts';
import { parseConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { parseCirculationEvent } from '#shared/events/parseEvent.ts';
import { dailyReplyLimit } from '#shared/sms/replyCaps.ts';
import { eventBridgeEvent, testConfig, uid } from '#test/helpers/factories.ts';

const withLibrary = (changes: Record<string, unknown>) => ({
  ...testConfig,
  libraries: [{ ...testConfig.libraries[0], ...changes }, ...testConfig.libraries.slice(1)],
});

describe('Function: parseConsortiumConfig (SMS names)', () => {
  it.each(['📚📚📚', '中央図書館', '12345', '--- ---', 'Biblioteka Łódź'])('refuses the short name %j', (shortName) => {
    expect(() => parseConsortiumConfig(withLibrary({ shortName }))).toThrow(
      new ConfigurationError(
        'invalid consortium configuration: config.libraries.0.shortName must use only the GSM-7 alphabet and contain a letter (it names the library in every SMS)',
      ),
    );
  });

  it('refuses a name SMS cannot carry when no short name stands in for it', () => {
    const config = withLibrary({ name: '中央図書館', shortName: undefined });
    expect(() => parseConsortiumConfig(config)).toThrow(
      'config.libraries.0.shortName is required: name must use only the GSM-7 alphabet and contain a letter',
    );
    expect(parseConsortiumConfig(withLibrary({ name: '中央図書館', shortName: 'Chuo Library' })).libraries[0]?.shortName).toBe(
      'Chuo Library',
    );
  });

  it('accepts GSM-7 letters beyond ASCII (Ærø, Müller, Δ) and reads reply caps with their defaults', () => {
    const config = parseConsortiumConfig(withLibrary({ shortName: 'Ærø Bibliotek' }));
    expect(config.libraries[0]?.shortName).toBe('Ærø Bibliotek');
    expect(dailyReplyLimit(config, '+18455550111')).toBe(5);
    expect(dailyReplyLimit(config, '+447700900123')).toBe(1);
    const custom = parseConsortiumConfig({
      ...testConfig,
      sms: { ...testConfig.sms, replies: { perNumberPerDay: 3, countryCodes: ['+1', '+44'] } },
    });
    expect(dailyReplyLimit(custom, '+447700900123')).toBe(3);
    expect(dailyReplyLimit(custom, '+33612345678')).toBe(1);
  });
});

describe('Event contract: texts patrons get by SMS', () => {
  const occurredAt = '2026-11-20T10:00:00-05:00';
  it.each([
    ['ServiceUpdatePublished', { eventId: uid('e'), occurredAt, message: { en: '🎉🎉🎉' } }, 'detail.message.en'],
    ['ServiceUpdatePublished', { eventId: uid('e'), occurredAt, message: { en: 'Closed Monday', es: '🎉 ✨' } }, 'detail.message.es'],
    ['PrivacyPolicyUpdated', { eventId: uid('e'), occurredAt, policyVersion: '2027-01', summary: { en: '👍' } }, 'detail.summary.en'],
  ])('refuses a %s whose text has nothing left in GSM-7 (%#)', (detailType, detail, field) => {
    let error: unknown;
    try {
      parseCirculationEvent(eventBridgeEvent(detailType, detail));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).issues).toEqual([
      { field, rule: 'must keep a letter or digit when written in the GSM-7 alphabet of SMS (not only emoji or symbols)' },
    ]);
  });

  it('accepts text in any script: it is transliterated for SMS', () => {
    const event = parseCirculationEvent(
      eventBridgeEvent('ServiceUpdatePublished', { eventId: uid('e'), occurredAt, message: { en: '図書館は休館します 🎉' } }),
    );
    expect(event.detailType).toBe('ServiceUpdatePublished');
  });
});
