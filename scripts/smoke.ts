/**
 * `npm run smoke -- (--stage <name> [--region <region>] | --sandbox [url]) [--library <id>] [--timeout <seconds>]`
 *
 * After a deploy: publishes a registration and a ready hold for the reserved test patron
 * `bookdrop-smoke-test`, whose contacts are the SES mailbox simulator's success address and AWS's
 * US success simulator number (no real person is ever contacted), waits until the notice log shows
 * the hold-ready notice sent on both channels (what the outbox publishes as `NoticeSent`), and prints
 * PASS or FAIL (exit code 0 or 1). The test patron stays registered (simulator contacts only), so
 * each run sends only its new hold's notice. During the consortium's SMS quiet hours (on the target's
 * clock) the hold's text waits for the morning, as every library text does: the run then checks the
 * email and says when the SMS goes, and a run after quiet hours checks both channels.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { loadConfigFile, DEFAULT_CONFIG_FILE } from '#shared/config/loadConfigFile.ts';
import { dayIn, timeIn } from '#shared/clock.ts';
import { quietUntil } from '#shared/notices/quietHours.ts';
import { patronReport } from '#shared/patrons/patronReport.ts';
import { tableContext } from '#shared/table/documentClient.ts';
import { CliFailure, CliUsageError, explainError, resolveTarget, runCli, splitTargetArgs } from '#scripts/cli/target.ts';

/** The reserved test patron: never use this id for a real patron. */
export const SMOKE_PATRON_ID = 'bookdrop-smoke-test';
/** SES mailbox simulator: accepted and delivered, no real mailbox. */
const SIMULATOR_EMAIL = 'success@simulator.amazonses.com';
/** AWS End User Messaging SMS simulator, United States, success: never leaves AWS. */
const SIMULATOR_PHONE = '+14254147755';

const USAGE =
  'usage: npm run smoke -- (--stage <name> [--region <region>] | --sandbox [url]) [--library <id>] [--config <file>] [--timeout <seconds>]';

await runCli(async () => {
  const { spec, rest } = splitTargetArgs(process.argv.slice(2));
  const { values } = parseArgs({
    args: rest,
    options: { library: { type: 'string' }, config: { type: 'string' }, timeout: { type: 'string', default: '120' } },
  });
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) throw new CliUsageError('--timeout takes a whole number of seconds');
  const config = loadConfigFile(values.config ?? DEFAULT_CONFIG_FILE);
  const library = config.libraries.find((candidate) => candidate.id === (values.library ?? config.libraries[0]?.id));
  if (!library)
    throw new CliUsageError(
      `library ${values.library ?? ''} is not in the configuration; known: ${config.libraries.map((lib) => lib.id).join(', ')}`,
    );
  const target = await resolveTarget(spec);
  const events = new EventBridgeClient(target.clientConfig('eventbridge'));
  const dynamo = new DynamoDBClient(target.clientConfig('dynamodb'));
  const run = randomUUID().slice(0, 8);
  const holdId = `smoke-${run}`;
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const smsWaitsUntil = quietUntil(config.notices.quietHours, config.timeZone, target.now);
  const expected = smsWaitsUntil ? ['email'] : ['sms', 'email'];
  // Notices are claimed on the target's clock (a sandbox's may run ahead of this machine's).
  const startedAt = new Date(target.now.getTime() - 1000).toISOString();
  try {
    const publish = async (detailType: string, detail: Record<string, unknown>) => {
      let result: PutEventsCommandOutput;
      try {
        result = await events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: target.eventBusName,
                Source: config.events.source,
                DetailType: detailType,
                Detail: JSON.stringify({ eventId: `${holdId}-${detailType}`, occurredAt: new Date().toISOString(), ...detail }),
              },
            ],
          }),
        );
      } catch (error) {
        throw new CliFailure(explainError(error, { doing: `publishing ${detailType} to ${target.description}` }), { cause: error });
      }
      const entry = result.Entries?.[0];
      if (entry?.ErrorCode)
        throw new CliFailure(`FAIL: ${detailType} was rejected (${entry.ErrorCode}): ${entry.ErrorMessage ?? 'no message'}`);
      say(`  published ${detailType}`);
    };
    say(`Smoke test on ${target.description}, library ${library.id}, test patron ${SMOKE_PATRON_ID}`);
    await publish('PatronRegistered', {
      patronId: SMOKE_PATRON_ID,
      library: library.id,
      language: 'en',
      contact: { phone: SIMULATOR_PHONE, email: SIMULATOR_EMAIL },
      consent: { sms: true, email: true, checkoutHistory: false },
      policyVersion: 'smoke-test',
    });
    await publish('HoldReady', {
      holdId,
      patronId: SMOKE_PATRON_ID,
      title: 'Bookdrop smoke test',
      pickupBranch: library.branches[0]?.id ?? library.id,
      pickupBy: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });

    const table = tableContext(dynamo, target.tableName);
    const deadline = started + timeoutSeconds * 1000;
    let channels: Record<string, string> = {};
    for (;;) {
      let report: Awaited<ReturnType<typeof patronReport>>;
      try {
        report = await patronReport(table, SMOKE_PATRON_ID, new Date(), undefined);
      } catch (error) {
        throw new CliFailure(explainError(error, { doing: `reading the notice log on ${target.description}` }), { cause: error });
      }
      // This run's hold-ready notices: claimed after it started (the test patron's older notices may linger).
      const notices = report.notices.filter((notice) => notice.noticeKind === 'hold-ready' && String(notice.claimedAt) >= startedAt);
      channels = Object.fromEntries(notices.map((notice) => [String(notice.channel), String(notice.status)]));
      if (expected.every((channel) => channels[channel] === 'sent')) break;
      if (Object.values(channels).includes('failed') || Date.now() >= deadline) {
        say(
          `FAIL: hold-ready notice sms=${channels.sms ?? 'none'} email=${channels.email ?? 'none'} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        say('  see the dashboard and docs/operations.md (failed notices, dead letters)');
        return 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    const took = ((Date.now() - started) / 1000).toFixed(1);
    if (smsWaitsUntil) {
      const until = `${dayIn(config.timeZone, smsWaitsUntil)} ${timeIn(config.timeZone, smsWaitsUntil)}`;
      say(`PASS: hold-ready notice sent by email in ${took} s; its SMS waits for the end of quiet hours (${until}, ${config.timeZone})`);
      say('  run the smoke test again after then to check SMS too');
    } else {
      say(`PASS: hold-ready notice sent by SMS and email in ${took} s`);
    }
    return 0;
  } finally {
    events.destroy();
    dynamo.destroy();
  }
}, USAGE);
