/**
 * The notifier's concurrency, batch size and send spacing come from the configured rates (a short
 * code at 100 message parts a second, SES at 14 emails a second), and no function runs with source
 * maps enabled (docs/decisions/0009-no-source-maps-in-functions.md).
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { notifierThroughput } from '#shared/notices/broadcastRate.ts';
import { testConfig } from '#test/helpers/factories.ts';
import { nagApp } from '#test/helpers/nagApp.ts';

const config = {
  ...testConfig,
  sms: { ...testConfig.sms, originationType: 'short-code' as const, messagePartsPerSecond: 100 },
  email: { messagesPerSecond: 14 },
};

describe('Stack: BookdropStack (notifier throughput)', () => {
  let template: Template;

  beforeAll(() => {
    template = Template.fromStack(new BookdropStack(nagApp(), 'Bookdrop', { config }));
  });

  it("drives the notifier with the concurrency and batch size the rates need, and spaces each instance's sends", () => {
    const expected = notifierThroughput({ smsPartsPerSecond: 100, emailsPerSecond: 14 }, 30);
    expect(expected).toEqual({ maxConcurrency: 50, batchSize: 5, smsIntervalMs: 500, emailIntervalMs: 3_572 });
    const notifier = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('NotifierConsumer'));
    if (!notifier) throw new Error('no notifier function');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: notifier[0] },
      BatchSize: expected.batchSize,
      ScalingConfig: { MaximumConcurrency: expected.maxConcurrency },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SMS_MIN_INTERVAL_MS: '500', EMAIL_MIN_INTERVAL_MS: '3572' }) },
    });
  });

  it('runs no function with --enable-source-maps', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }[];
    expect(functions.length).toBeGreaterThanOrEqual(8);
    for (const fn of functions) expect(fn.Properties.Environment?.Variables?.NODE_OPTIONS).toBeUndefined();
  });
});
