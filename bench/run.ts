/**
 * `npm run bench`: figures that tests must not time. Starts DynamoDB Local and the local SES, then:
 *
 * 1. DynamoDB requests per notice: registers patrons, readies a hold for each, and counts (with SDK
 *    middleware) the notifier's requests while it delivers the hold-ready notices (SMS and email).
 *    Budget: at most one read and two writes per notice.
 * 2. SMS over the notice corpus: every kind, both languages, titles on and off: segments and encoding.
 * 3. Notifier throughput on this machine (informational: shared machines are noisy).
 * 4. The daily sweep over 100,000 open loans, 5% due on its target days: items read per item due.
 * 5. The patron import: a 100,000-row Koha report, patrons per second and write units per patron,
 *    against bare BatchWriteItem requests of the same items.
 * 6. The ILS report-file bridge over a 50,000-row Koha loans snapshot: time and events per second.
 * 7. Cold start: each function's import against the import of the SDK clients it uses (bench/coldStartBench.ts).
 * 8. Broadcasts: a 100,000-patron service update at each SMS rate and SES's, simulated (bench/broadcastBench.ts).
 * 9. DynamoDB capacity units per event type (HoldReady with both channels, a checkout and its return)
 *    against their floors, and KMS calls per notice (bench/capacityBench.ts).
 */
import { benchHoldReady, benchRegistration } from '#bench/benchPatrons.ts';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { buildCirculationService } from '#functions/circulation/app.ts';
import { buildNotifier } from '#functions/notifier/app.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, ensureTable, startDynamoDbLocal, startSesLocal } from '#sandbox/localServices.ts';
import { SmsSink } from '#sandbox/smsSink.ts';
import { fixedClock } from '#shared/clock.ts';
import { loadConfigFile } from '#shared/config/loadConfigFile.ts';
import { EsdkContactCrypto, LocalPhoneBlindIndex, localContactKeyring } from '#shared/contacts/contactCrypto.ts';
import { KeyedNoticeIds, localKeyDerivation } from '#shared/notices/noticeIds.ts';
import { composeNotice } from '#shared/notices/compose.ts';
import { gsm7Length, isGsm7 } from '#shared/notices/gsm7.ts';
import { NOTICE_KINDS, isNoticeRequest, type NotifierMessage } from '#shared/notices/noticeKinds.ts';
import { SesEmailSender, SnsSmsSender } from '#shared/notices/senders.ts';
import { tableContext } from '#shared/table/documentClient.ts';
import { LIBRARIES, TITLES, corpusCases } from '#test/helpers/noticeCorpus.ts';
import { sweepBench } from '#bench/sweepBench.ts';
import { LocalMacKey } from '#shared/unsubscribe/macKey.ts';
import { SignedUnsubscribeLinks, UnsubscribeTokens } from '#shared/unsubscribe/unsubscribeToken.ts';
import { printImportFigures, runImportBench } from '#bench/importBench.ts';
import { ilsBridgeBench, type BridgeRun } from '#bench/ilsBridgeBench.ts';
import { coldStartHeading, coldStartLines, runColdStartBench } from '#bench/coldStartBench.ts';
import { broadcastBench, broadcastLines } from '#bench/broadcastBench.ts';
import { capacityBench, capacityLines } from '#bench/capacityBench.ts';

const PATRONS = Number(process.env.BENCH_PATRONS ?? 200);
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);

process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const config = loadConfigFile();
const [dynamo, ses] = await Promise.all([startDynamoDbLocal(), startSesLocal()]);
const clock = fixedClock('2026-11-04T15:00:00Z');
const sms = new SmsSink(clock);
await sms.start();
try {
  const local = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const setupClient = new DynamoDBClient({ endpoint: dynamo.endpoint, ...local });
  const notifierClient = new DynamoDBClient({ endpoint: dynamo.endpoint, ...local });
  const counts = new Map<string, number>();
  notifierClient.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName ?? 'unknown', (counts.get(context.commandName ?? 'unknown') ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  await ensureTable(setupClient, 'bookdrop-bench');
  const crypto = new EsdkContactCrypto(localContactKeyring(randomBytes(32)));
  const queued: NotifierMessage[] = [];
  const circulation = buildCirculationService({
    table: tableContext(setupClient, 'bookdrop-bench'),
    config,
    encrypter: crypto,
    phoneIndex: new LocalPhoneBlindIndex(randomBytes(32)),
    noticeQueue: { enqueue: async (messages) => void queued.push(...messages) },
    clock,
  });
  const notifier = buildNotifier({
    table: tableContext(notifierClient, 'bookdrop-bench'),
    config,
    clock,
    decrypter: crypto,
    noticeIds: new KeyedNoticeIds(localKeyDerivation(randomBytes(32))),
    sms: new SnsSmsSender(new SNSClient({ endpoint: sms.endpoint, ...local }), undefined),
    email: new SesEmailSender(new SESv2Client({ endpoint: ses.endpoint, ...local }), 'bookdrop-bench'),
    later: { enqueue: async (messages) => void queued.push(...messages) },
    unsubscribe: new SignedUnsubscribeLinks(new UnsubscribeTokens(new LocalMacKey(randomBytes(32))), 'http://127.0.0.1/unsubscribe'),
  });

  for (let i = 0; i < PATRONS; i++) {
    const patronId = `P-bench-${i}`;
    await circulation.apply(benchRegistration(patronId, i, 1_000_000, 'patron'));
    await circulation.apply(benchHoldReady(patronId, i));
  }
  const requests = queued.filter(isNoticeRequest).filter((message) => message.kind === 'hold-ready');
  const started = performance.now();
  for (const request of requests) await notifier.deliver(request);
  const elapsed = performance.now() - started;

  const notices = requests.length * 2;
  const reads = [...counts].filter(([name]) => READS.has(name)).reduce((sum, [, n]) => sum + n, 0);
  const writes = [...counts].filter(([name]) => !READS.has(name)).reduce((sum, [, n]) => sum + n, 0);
  const line = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(44)} ${value}\n`);
  process.stdout.write(`\nDynamoDB requests per notice (${requests.length} hold-ready requests, ${notices} notices: SMS + email)\n`);
  line('requests by command', [...counts].map(([name, n]) => `${name.replace('Command', '')} ${n}`).join(', '));
  line('reads per notice (budget 1)', (reads / notices).toFixed(2));
  line('writes per notice (budget 2)', (writes / notices).toFixed(2));
  line('reads per request (both channels)', (reads / requests.length).toFixed(2));
  line('SMS sent / emails sent', `${sms.messages.length} / ${requests.length}`);
  line('notifier time per request, this machine', `${(elapsed / requests.length).toFixed(1)} ms (both channels, sequential)`);

  const segments = new Map<number, number>();
  let gsm = 0;
  let total = 0;
  let longest = 0;
  for (const { request, context } of corpusCases(NOTICE_KINDS)) {
    const text = composeNotice(request, context).sms;
    const length = gsm7Length(text);
    const parts = isGsm7(text) ? (length <= 160 ? 1 : Math.ceil(length / 153)) : Math.ceil(text.length / 67);
    segments.set(parts, (segments.get(parts) ?? 0) + 1);
    if (isGsm7(text)) gsm++;
    longest = Math.max(longest, length);
    total++;
  }
  process.stdout.write(
    `\nSMS over the notice corpus (${NOTICE_KINDS.length} kinds x 2 languages x titles on/off x ${LIBRARIES.length} libraries x ${TITLES.length} titles)\n`,
  );
  line('messages', String(total));
  line('encoding', `GSM-7 ${gsm}, UCS-2 ${total - gsm}`);
  line(
    'segments',
    [...segments]
      .sort(([a], [b]) => a - b)
      .map(([parts, n]) => `${parts}: ${n}`)
      .join(', '),
  );
  line('longest (GSM-7 septets)', String(longest));
  const capacityTable = 'bookdrop-bench-capacity';
  await ensureTable(setupClient, capacityTable, { streams: false });
  const capacity = await capacityBench(dynamo.endpoint, capacityTable, config, Number(process.env.BENCH_CAPACITY_REPETITIONS ?? 20));
  process.stdout.write(
    `\nDynamoDB capacity units per event, by AWS's rules (${capacity.repetitions} of each; floors in bench/capacityBench.ts)\n`,
  );
  for (const [label, value] of capacityLines(capacity)) line(label, value);
  const sweepTable = 'bookdrop-bench-sweep';
  await ensureTable(setupClient, sweepTable);
  const figures = await sweepBench(tableContext(setupClient, sweepTable), config);
  process.stdout.write(
    `\nDaily sweep (${figures.loans.toLocaleString('en-US')} open loans, ${figures.due.toLocaleString('en-US')} due on the target days)\n`,
  );
  line('index items read per item due (budget 1.05)', (figures.read / figures.due).toFixed(3));
  line('pages / digest notice requests', `${figures.pages} / ${figures.notices}`);
  line('sweep run time, this machine', `${figures.sweepSeconds.toFixed(1)} s (loading the loans took ${figures.loadSeconds.toFixed(0)} s)`);
  printImportFigures(await runImportBench(setupClient, config), line);
  const bridgeTable = 'bookdrop-bench-ils';
  await ensureTable(setupClient, bridgeTable);
  const bridge = await ilsBridgeBench(tableContext(setupClient, bridgeTable), config);
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  const bridgeLine = (label: string, run: BridgeRun) => {
    const rates = `${n(run.events)} events (${n(run.events / run.seconds)}/s), ${n(run.rows / run.seconds)} rows/s`;
    line(label, `${run.seconds.toFixed(1)} s, ${rates}`);
  };
  process.stdout.write(`\nILS report-file bridge (Koha current-loans file of ${n(bridge.first.rows)} rows, snapshot in DynamoDB Local)\n`);
  bridgeLine('first snapshot (every loan a checkout)', bridge.first);
  bridgeLine('next snapshot (returns, renewals, new loans)', bridge.next);
  line(
    'next snapshot changes',
    Object.entries(bridge.next.counts)
      .map(([name, count]) => `${name} ${n(count)}`)
      .join(', '),
  );
  line('PutEvents requests (first / next)', `${n(bridge.first.putEventsRequests)} / ${n(bridge.next.putEventsRequests)}`);
  const coldStart = await runColdStartBench();
  process.stdout.write(`\n${coldStartHeading()}\n`);
  process.stdout.write(`${coldStartLines(coldStart).join('\n')}\n`);
  const recipients = Number(process.env.BENCH_BROADCAST_PATRONS ?? 100_000);
  const broadcasts = await broadcastBench(recipients, config.email.messagesPerSecond);
  process.stdout.write(
    `\nBroadcast of a service update to ${n(recipients)} patrons (simulated providers, virtual clock; target: floor + 10%)\n`,
  );
  process.stdout.write(`${broadcastLines(broadcasts).join('\n')}\n`);
  process.stdout.write('\n');
} finally {
  await sms.stop();
  await Promise.all([dynamo.stop(), ses.stop()]);
}
