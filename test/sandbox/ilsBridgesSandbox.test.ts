/**
 * The ILS bridges end to end in the sandbox, with no AWS account: a signed webhook request registers
 * a patron and readies a hold (the SMS reaches the outbox), and Koha report files dropped in the local
 * drop folder check a loan out and return it.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbox, Sandbox } from '#sandbox/sandbox.ts';
import { signRequest } from '#shared/ilsBridge/webhookSignature.ts';
import { FUTURE_PICKUP_BY, holdReady, patronRegistered } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

describe('Sandbox: ILS bridges', () => {
  let running: TestSandbox;
  let sandbox: Sandbox;
  let api: string;
  let dir: string;

  beforeAll(async () => {
    running = await startTestSandbox();
    ({ sandbox, api, dir } = running);
    sandbox.ils.stop(); // the test scans the drop folder itself, so nothing races it
  });

  afterAll(async () => {
    await running?.stop();
  });

  const secret = () => (JSON.parse(readFileSync(join(dir, 'ils-webhook-secret.json'), 'utf-8')) as { current: string }).current;

  it('a signed webhook batch is validated, put on the bus and delivered; its replay is refused', async () => {
    const patron = patronRegistered({ patronId: '51' });
    const hold = holdReady(patron.patronId, { pickupBy: FUTURE_PICKUP_BY });
    const entries = [
      { 'detail-type': 'PatronRegistered', detail: patron },
      { 'detail-type': 'HoldReady', detail: hold },
    ];
    const body = JSON.stringify({ entries });
    const headers = {
      'content-type': 'application/json',
      // Signed with the real time, as an ILS signs (docs: `date +%s`), although the sandbox's clock is a day ahead.
      ...signRequest(secret(), body, Math.floor(Date.now() / 1000)),
    };

    const first = await fetch(`${api}/ils/events`, { method: 'POST', headers, body });
    const replay = await fetch(`${api}/ils/events`, { method: 'POST', headers, body });
    const outbox = (await (await fetch(`${api}/sandbox/outbox`)).json()) as Outbox;

    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      FailedEntryCount: 0,
      Entries: [{ EventId: expect.any(String) }, { EventId: expect.any(String) }],
    });
    expect(replay.status).toBe(409);
    // One batch: its entries are processed concurrently, so the hold may be applied before the registration
    // (its first notice then finds no consent, and the registration asks again); the opt-in text and the
    // hold notice arrive in either order.
    expect(
      outbox.sms
        .filter((sms) => sms.to === patron.contact.phone)
        .map((sms) => sms.body)
        .sort(),
    ).toEqual(
      [
        'Riverside Library: You will get library notices by text. Msg frequency varies. Msg & data rates may apply. ' +
          'Reply HELP for help, STOP to cancel.',
        'Riverside Library: Your hold is ready at North Branch. Pick up by Wed Nov 10. Reply HELP for help, STOP to opt out.',
      ].sort(),
    );
  });

  it('an unsigned request is refused with a sentence that says what to do', async () => {
    const response = await fetch(`${api}/ils/events`, { method: 'POST', body: JSON.stringify({ entries: [] }) });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ __type: 'Unauthorized', message: 'the X-Bookdrop-Signature header is missing' });
  });

  it('Koha loans snapshots dropped in the folder check a loan out, then return it; a bad file is rejected with a report', async () => {
    const header = 'issue_id,borrowernumber,itemnumber,title,itype,branchcode,issuedate,date_due,lastreneweddate';
    const incoming = join(dir, 'ils-drop', 'incoming', 'koha-current-loans');
    mkdirSync(incoming, { recursive: true });
    const scan = async () =>
      (
        (await (
          await fetch(`${api}/sandbox/ils/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
        ).json()) as {
          files: { file: string; outcome?: { status: string; events: number } }[];
        }
      ).files;
    const loans = async () =>
      ((await (await fetch(`${api}/sandbox/patrons/51`)).json()) as { loans: { loanId: string }[] }).loans.map((loan) => loan.loanId);

    writeFileSync(
      join(incoming, 'current-loans-20261104T080000.csv'),
      `${header}\n9001,51,7001,Piranesi,BK,RPL,2026-11-01 10:00:00,2026-11-22 23:59:00,\n`,
    );
    const checkedOut = await scan();
    const afterCheckout = await loans();
    writeFileSync(join(incoming, 'current-loans-20261104T090000.csv'), `${header}\n`);
    const returned = await scan();
    const afterReturn = await loans();
    writeFileSync(
      join(incoming, 'current-loans-20261104T100000.csv'),
      `${header}\n9002,51,7002,Dune,BK,RPL,someday,2026-11-22 23:59:00,\n`,
    );
    const rejected = await scan();

    expect(checkedOut).toEqual([
      {
        file: 'incoming/koha-current-loans/current-loans-20261104T080000.csv',
        outcome: expect.objectContaining({ status: 'processed', events: 1 }),
      },
    ]);
    expect(afterCheckout).toEqual(['9001']);
    expect(returned).toEqual([
      {
        file: 'incoming/koha-current-loans/current-loans-20261104T090000.csv',
        outcome: expect.objectContaining({ status: 'processed', events: 1 }),
      },
    ]);
    expect(afterReturn).toEqual([]);
    expect(rejected[0]?.outcome?.status).toBe('rejected');
    expect(existsSync(join(incoming, 'current-loans-20261104T100000.csv'))).toBe(false);
    expect(
      JSON.parse(readFileSync(join(dir, 'ils-drop', 'rejections', 'koha-current-loans', 'current-loans-20261104T100000.json'), 'utf-8'))
        .issues,
    ).toEqual([{ line: 2, column: 'issuedate', rule: 'must be a date in one of the formats yyyy-MM-dd HH:mm:ss, yyyy-MM-dd' }]);
  });

  it('the watcher leaves a file alone while it is still being written, so a snapshot cut short returns no loan', async () => {
    const header = 'issue_id,borrowernumber,itemnumber,title,itype,branchcode,issuedate,date_due,lastreneweddate';
    const row = '9101,52,7101,Beloved,BK,RPL,2026-11-01 10:00:00,2026-11-22 23:59:00,\n';
    const incoming = join(dir, 'ils-drop', 'incoming', 'koha-current-loans');
    mkdirSync(incoming, { recursive: true });
    const loans = async () =>
      ((await (await fetch(`${api}/sandbox/patrons/52`)).json()) as { loans: { loanId: string }[] }).loans.map((loan) => loan.loanId);
    writeFileSync(join(incoming, 'current-loans-20261105T080000.csv'), `${header}\n${row}`);
    await sandbox.ils.scan();
    expect(await loans()).toEqual(['9101']);

    // The next snapshot, copied in two writes: the watcher polls between them, then twice after.
    const next = join(incoming, 'current-loans-20261105T090000.csv');
    writeFileSync(next, `${header}\n`);
    const whileWriting = await sandbox.ils.poll();
    appendFileSync(next, row);
    const changed = await sandbox.ils.poll();
    const settled = await sandbox.ils.poll();

    expect(whileWriting).toEqual([]);
    expect(changed).toEqual([]);
    expect(settled).toEqual([
      { file: 'incoming/koha-current-loans/current-loans-20261105T090000.csv', outcome: expect.objectContaining({ status: 'processed' }) },
    ]);
    expect(await loans()).toEqual(['9101']);
  });
});
