/**
 * The configuration's time zone check: canonical zones are looked up in the runtime's list (no
 * formatter is built at cold start), aliases still pass, anything else is refused by name.
 */
import { describe, expect, it } from 'vitest';
import { parseConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { testConfig } from '#test/helpers/factories.ts';

describe('Function: parseConsortiumConfig (time zone)', () => {
  it('accepts canonical zones and aliases, and refuses what is not a zone', () => {
    for (const timeZone of ['America/New_York', 'Pacific/Honolulu', 'UTC', 'US/Eastern']) {
      expect(parseConsortiumConfig({ ...testConfig, timeZone }).timeZone).toBe(timeZone);
    }
    expect(() => parseConsortiumConfig({ ...testConfig, timeZone: 'Mars/Olympus_Mons' })).toThrow(
      'config.timeZone must be an IANA time zone such as America/New_York',
    );
  });

  it('refuses an SMS rate above 100 parts a second and an unknown origination type', () => {
    expect(() => parseConsortiumConfig({ ...testConfig, sms: { ...testConfig.sms, messagePartsPerSecond: 101 } })).toThrow(
      'config.sms.messagePartsPerSecond must be at most 100',
    );
    expect(() => parseConsortiumConfig({ ...testConfig, sms: { ...testConfig.sms, originationType: 'pager' } })).toThrow(
      /config\.sms\.originationType/,
    );
  });
});
