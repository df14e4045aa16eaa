/**
 * A member library's own choice of labels for a shared number (`libraries[].sms.commands.patronLabel`),
 * through the real handlers on DynamoDB Local and the SMS sink: a number whose patrons all belong to
 * the library that chose initials is answered by initial, while the consortium keeps cards; a number
 * shared across two libraries speaks for the consortium and follows its choice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { inboundSms, itemCheckedOut, patronRegistered, phoneNumber, testConfig } from '#test/helpers/factories.ts';
import { startPipeline, type Pipeline } from '#test/helpers/pipeline.ts';

// The consortium keeps the default (cards); Riverside chooses initials for its own patrons.
const config: ConsortiumConfig = {
  ...testConfig,
  sms: { ...testConfig.sms, commands: {} },
  libraries: testConfig.libraries.map((library) =>
    library.id === 'riverside' ? { ...library, sms: { commands: { patronLabel: 'initial' as const } } } : library,
  ),
};

describe("Flow: a member library's own patron labels", () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({ config });
  });
  afterAll(async () => {
    await pipeline.stop();
  });

  const items = async (number: string, ...family: ReturnType<typeof patronRegistered>[]) => {
    expect((await pipeline.publish(...family.map((detail) => ({ detailType: 'PatronRegistered', detail })))).batchItemFailures).toEqual([]);
    const loans = family.map((patron) => ({ detailType: 'ItemCheckedOut', detail: itemCheckedOut(patron.patronId) }));
    expect((await pipeline.publish(...loans)).batchItemFailures).toEqual([]);
    await pipeline.deliverNotices();
    expect((await pipeline.inbound(inboundSms(number, 'ITEMS'))).batchItemFailures).toEqual([]);
    await pipeline.deliverNotices();
    return pipeline.sms.messages.filter((sms) => sms.to === number).at(-1)?.body;
  };

  it("labels by initial on a number of Riverside's patrons only", async () => {
    const number = phoneNumber();
    expect(
      await items(
        number,
        patronRegistered({ patronId: 'RIV-101111', initial: 'J', library: 'riverside', contact: { phone: number } }),
        patronRegistered({ patronId: 'RIV-102222', initial: 'M', library: 'riverside', contact: { phone: number } }),
      ),
    ).toBe('Riverside Library: J.: 1 item, due Thu Nov 5. M.: 1 item, due Thu Nov 5. Reply RENEW to renew.');
  });

  it("labels by card, the consortium's choice, on a number shared by patrons of two libraries", async () => {
    const number = phoneNumber();
    const reply = await items(
      number,
      patronRegistered({ patronId: 'RIV-201111', initial: 'J', library: 'riverside', contact: { phone: number } }),
      patronRegistered({ patronId: 'MAP-205555', initial: 'K', library: 'maplewood', contact: { phone: number } }),
    );
    expect(reply).toMatch(/ #5555: 1 item, due Thu Nov 5\. #1111: 1 item, due Thu Nov 5\. Reply RENEW to renew\.$/);
    expect(reply).not.toMatch(/[JK]\./);
  });
});
