/**
 * `npm run demo`: publishes a short, realistic scenario to a running sandbox through the real
 * `@aws-sdk/client-eventbridge`, exactly as an ILS would, and prints what Bookdrop sent. Library texts
 * wait out SMS quiet hours: when the sandbox's clock is in them, the demo first moves that clock to
 * the morning (`POST /sandbox/clock`), so the texts show at any hour, and says so.
 *
 * Target: `--sandbox [url]` (the default: `BOOKDROP_URL` or http://127.0.0.1:4010). A deployed stage
 * is refused: the demo's patrons are fictional, but its email addresses are not simulator addresses.
 */
import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CliUsageError, resolveTarget, runCli, splitTargetArgs } from '#scripts/cli/target.ts';
import { timeIn } from '#shared/clock.ts';
import { loadConfigFile, DEFAULT_CONFIG_FILE } from '#shared/config/loadConfigFile.ts';
import { quietUntil } from '#shared/notices/quietHours.ts';

await runCli(async () => {
  const { spec } = splitTargetArgs(process.argv.slice(2), { defaultSandbox: true });
  if (spec.kind !== 'sandbox')
    throw new CliUsageError('the demo runs against a sandbox only; for a stage use `npm run smoke -- --stage <name>`');
  const target = await resolveTarget(spec);
  const api = target.sandboxUrl!;
  const status = { eventBusName: target.eventBusName };
  const events = new EventBridgeClient(target.clientConfig('eventbridge'));

  // The consortium file the sandbox runs with (its time zone and quiet hours).
  const { timeZone, notices } = loadConfigFile(process.env.BOOKDROP_CONFIG_FILE ?? DEFAULT_CONFIG_FILE);
  const morning = quietUntil(notices.quietHours, timeZone, target.now);
  if (morning) {
    const moved = await fetch(`${api}/sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ now: morning.toISOString() }),
    });
    if (!moved.ok) throw new Error(`the sandbox refused to move its clock (${moved.status}): ${await moved.text()}`);
    const { start, end } = notices.quietHours;
    process.stdout.write(
      [
        `It is ${timeIn(timeZone, target.now)} in ${timeZone} on the sandbox's clock: SMS quiet hours (${start} to ${end})`,
        `hold library texts until morning. The demo moved the sandbox's clock to ${timeIn(timeZone, morning)}`,
        '(POST /sandbox/clock), so the texts show now; a deployment would send them when quiet hours end.',
        'Email is never held.',
        '',
      ].join('\n'),
    );
  }

  const now = Date.now();
  const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  const run = randomUUID().slice(0, 8);
  const ana = `P-${run}-ana`;
  const ben = `P-${run}-ben`;

  async function publish(label: string, detailType: string, detail: Record<string, unknown>) {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: status!.eventBusName,
            Source: 'library.circulation',
            DetailType: detailType,
            Detail: JSON.stringify({ eventId: randomUUID(), occurredAt: iso(0), ...detail }),
          },
        ],
      }),
    );
    const entry = result.Entries?.[0];
    process.stdout.write(`${label.padEnd(58)} ${entry?.ErrorCode ? `rejected: ${entry.ErrorMessage}` : 'accepted'}\n`);
  }

  process.stdout.write(`Publishing to ${api} (bus ${status.eventBusName})\n\n`);
  await publish('Ana registers at Riverside, SMS and email, in Spanish', 'PatronRegistered', {
    patronId: ana,
    library: 'riverside',
    language: 'es',
    contact: { phone: '+15555550143', email: 'ana.garcia@example.net' },
    consent: { sms: true, email: true, checkoutHistory: false },
    policyVersion: '2026-09',
  });
  await publish('Ben registers at Maplewood, email only', 'PatronRegistered', {
    patronId: ben,
    library: 'maplewood',
    contact: { phone: '+15555550178', email: 'ben.okafor@example.net' },
    consent: { sms: false, email: true, checkoutHistory: true },
    policyVersion: '2026-09',
  });
  const holdReady = {
    holdId: `H-${run}-1`,
    patronId: ana,
    title: 'Cien años de soledad',
    pickupBranch: 'riverside-north',
    pickupBy: iso(7 * 86_400_000),
  };
  await publish("Ana's hold is ready at North Branch", 'HoldReady', holdReady);
  await publish('The same HoldReady, delivered again', 'HoldReady', holdReady);
  await publish("Ben's hold is ready at Central", 'HoldReady', {
    holdId: `H-${run}-2`,
    patronId: ben,
    title: 'The Overstory',
    pickupBranch: 'maplewood-central',
    pickupBy: iso(5 * 86_400_000),
  });
  const carla = `P-${run}-carla`;
  await publish('Carla registers with an address that bounces (SES simulator)', 'PatronRegistered', {
    patronId: carla,
    library: 'riverside',
    contact: { email: 'bounce@simulator.amazonses.com' },
    consent: { sms: false, email: true, checkoutHistory: false },
    policyVersion: '2026-09',
  });
  await publish("Carla's hold is ready: the email bounces", 'HoldReady', {
    holdId: `H-${run}-3`,
    patronId: carla,
    title: 'Piranesi',
    pickupBranch: 'riverside-main',
    pickupBy: iso(6 * 86_400_000),
  });
  await publish('A malformed registration (bad phone number)', 'PatronRegistered', {
    patronId: `P-${run}-bad`,
    library: 'riverside',
    contact: { phone: '555-0100' },
    consent: { sms: true, email: false, checkoutHistory: false },
    policyVersion: '2026-09',
  });

  const outbox = (await fetch(`${api}/sandbox/outbox`).then((res) => res.json())) as {
    sms: { to: string; body: string }[];
    email: { to: string; from: string; subject: string }[];
  };
  process.stdout.write(`\nOutbox (all runs of this sandbox): ${outbox.sms.length} SMS, ${outbox.email.length} email\n`);
  for (const sms of outbox.sms.slice(-5)) process.stdout.write(`  SMS   to ${sms.to}: ${sms.body}\n`);
  for (const email of outbox.email.slice(-5)) process.stdout.write(`  email to ${email.to} from ${email.from}: ${email.subject}\n`);
  const carlaReport = (await fetch(`${api}/sandbox/patrons/${carla}`).then((res) => res.json())) as {
    profile: { suppression?: { email?: { reason: string } } };
  };
  process.stdout.write(
    `\nCarla's email channel after the bounce: suppressed (${carlaReport.profile.suppression?.email?.reason ?? 'not suppressed'})\n`,
  );
  process.stdout.write(`What Bookdrop holds about Ana: ${api}/sandbox/patrons/${ana}\n`);
  process.stdout.write(`Events Bookdrop published (PatronConsentChanged, NoticeSent): ${api}/sandbox/events\n`);
});
