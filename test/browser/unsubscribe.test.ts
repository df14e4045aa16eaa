/**
 * The unsubscribe link as a patron and a mailbox provider use it, against the sandbox, in a real
 * headless Chromium (Debian's `chromium`, driven by playwright-core): the link in a sandbox email
 * opens the page, the button confirms, the confirmation page shows; consent is then off, the ILS got
 * `PatronConsentChanged`, and the next notice is not emailed. A one-click POST does the same.
 *
 * `BOOKDROP_SCREENSHOT_DIR=docs/images` also saves the screenshots the docs show.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbox, Sandbox } from '#sandbox/sandbox.ts';
import type { DetailOf } from '#shared/events/contract.ts';
import { FUTURE_PICKUP_BY, holdReady, patronRegistered, testConfig } from '#test/helpers/factories.ts';
import { startTestSandbox, type TestSandbox } from '#test/helpers/testSandbox.ts';

/** The launch the toolchain prescribes for Debian's chromium (root needs --no-sandbox). */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--headless',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

type OutboxEmail = Outbox['email'][number];
type Report = {
  profile: { consent: { email: { optedIn: boolean; source: string } } };
  ledger: { topic: string; source: string; optedIn: boolean; evidenceId: string }[];
};

describe('Browser: unsubscribe from a sandbox email', () => {
  let sandbox: Sandbox;
  let api: string;
  let events: EventBridgeClient;
  let browser: Browser;
  const screenshotDir = process.env.BOOKDROP_SCREENSHOT_DIR;

  let running: TestSandbox | undefined;

  beforeAll(async () => {
    running = await startTestSandbox();
    ({ sandbox, api, events } = running);
    browser = await chromium.launch(CHROMIUM);
    if (screenshotDir) mkdirSync(screenshotDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const put = async (detailType: string, detail: unknown) => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: sandbox.eventBusName, Source: 'library.circulation', DetailType: detailType, Detail: JSON.stringify(detail) },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
  };
  const json = async <T>(path: string) => (await (await fetch(`${api}${path}`)).json()) as T;
  const emailsTo = async (address: string | undefined) =>
    (await json<Outbox>('/sandbox/outbox')).email.filter((email) => email.to === address);
  const smsTo = async (phone: string | undefined) => (await json<Outbox>('/sandbox/outbox')).sms.filter((sms) => sms.to === phone);
  const report = (patronId: string) => json<Report>(`/sandbox/patrons/${patronId}`);
  const consentEvents = async (patronId: string) =>
    (await json<{ events: { 'detail-type': string; detail: Record<string, unknown> }[] }>('/sandbox/events')).events
      .filter(
        (event) =>
          event['detail-type'] === 'PatronConsentChanged' && event.detail.patronId === patronId && event.detail.channel === 'email',
      )
      .map((event) => event.detail);

  /** A registered, email-opted-in patron with one hold-ready email in the outbox. */
  async function patronWithEmail(overrides: Partial<DetailOf<'PatronRegistered'>>) {
    const patron = patronRegistered(overrides);
    await put('PatronRegistered', patron);
    await put('HoldReady', holdReady(patron.patronId, { pickupBy: FUTURE_PICKUP_BY }));
    const [email, ...more] = await emailsTo(patron.contact.email);
    expect(more).toEqual([]);
    return { patron, email: email! };
  }

  const shoot = async (page: Page, name: string) => {
    if (screenshotDir) await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
  };

  /** Opens the email's HTML as a mail client shows it and follows its "stop these emails" link. */
  async function clickEmailLink(page: Page, email: OutboxEmail, linkText: string) {
    await page.setContent(email.html);
    const link = page.getByRole('link', { name: linkText });
    const href = await link.getAttribute('href');
    const [response] = await Promise.all([page.waitForNavigation(), link.click()]);
    return { href, status: response?.status() };
  }

  async function unsubscribeInBrowser(
    language: 'en' | 'es',
    library: string,
    words: { link: string; button: string; done: string; reopt: string },
  ) {
    const { patron, email } = await patronWithEmail({ language, library });
    const listUnsubscribe = /^<(.+)>$/.exec(email.headers['List-Unsubscribe'] ?? '')?.[1];
    expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(email.text).toContain(`${words.link}: ${listUnsubscribe}`);
    const page = await browser.newPage({ viewport: { width: 800, height: 640 } });
    try {
      const opened = await clickEmailLink(page, email, words.link);
      expect(opened.href).toBe(listUnsubscribe);
      expect(opened.status).toBe(200);
      expect(page.url().startsWith(`${api}/unsubscribe?`)).toBe(true);
      expect(await page.getAttribute('html', 'lang')).toBe(language);
      await expect.poll(() => page.getByRole('button', { name: words.button }).isVisible()).toBe(true);
      expect(await page.textContent('.library')).toBe(testConfig.libraries.find((lib) => lib.id === library)?.name);
      await shoot(page, `unsubscribe-page-${language}`);
      // Opening the page (as a link scanner would) changes nothing.
      expect((await report(patron.patronId)).profile.consent.email.optedIn).toBe(true);

      const [confirmed] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: words.button }).click()]);
      expect(confirmed?.status()).toBe(200);
      expect(await page.textContent('h1')).toBe(words.done);
      expect(await page.textContent('main')).toContain(words.reopt);
      await shoot(page, `unsubscribe-done-${language}`);
    } finally {
      await page.close();
    }
    return patron;
  }

  /** Consent off with ledger source email-unsubscribe, one event to the ILS, and no next email (the SMS still goes). */
  async function expectUnsubscribed(patron: DetailOf<'PatronRegistered'>) {
    const after = await report(patron.patronId);
    expect(after.profile.consent.email).toMatchObject({ optedIn: false, source: 'email-unsubscribe' });
    const entries = after.ledger.filter((entry) => entry.source === 'email-unsubscribe');
    expect(entries).toEqual([expect.objectContaining({ topic: 'email', optedIn: false, evidenceId: expect.stringMatching(/^unsub-/) })]);
    expect(await consentEvents(patron.patronId)).toEqual([
      expect.objectContaining({ channel: 'email', optedIn: true, source: 'registration' }),
      { patronId: patron.patronId, channel: 'email', optedIn: false, source: 'email-unsubscribe', at: expect.any(String) },
    ]);
    const textsBefore = (await smsTo(patron.contact.phone)).length;
    await put('HoldReady', holdReady(patron.patronId, { pickupBy: FUTURE_PICKUP_BY }));
    expect(await emailsTo(patron.contact.email)).toHaveLength(1);
    expect(await smsTo(patron.contact.phone)).toHaveLength(textsBefore + 1);
  }

  it.each([
    {
      language: 'en' as const,
      library: 'riverside',
      words: {
        link: 'Stop these emails',
        button: 'Stop email notices',
        done: 'You will no longer get email notices',
        reopt: 'Turn email notices back on in your account preferences in the online catalog',
      },
    },
    {
      language: 'es' as const,
      library: 'maplewood',
      words: {
        link: 'Dejar de recibir estos correos',
        button: 'Dejar de recibir avisos por correo',
        done: 'Ya no recibirá avisos por correo',
        reopt: 'Vuelva a activar los avisos por correo en las preferencias de su cuenta en el catálogo en línea',
      },
    },
  ])(
    'opens the link from an email ($language, $library), confirms, shows the confirmation; then no email goes out',
    async ({ language, library, words }) => {
      const patron = await unsubscribeInBrowser(language, library, words);
      await expectUnsubscribed(patron);
    },
    120_000,
  );

  it('opts out on a mailbox provider’s one-click POST, once however often it is repeated', async () => {
    const { patron, email } = await patronWithEmail({ language: 'en', library: 'riverside' });
    const url = /^<(.+)>$/.exec(email.headers['List-Unsubscribe'] ?? '')?.[1] ?? '';
    const oneClick = () =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

    const first = await oneClick();
    const again = await oneClick();

    expect(url.startsWith(`${api}/unsubscribe?token=`)).toBe(true);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(first.headers.get('cache-control')).toBe('no-store');
    await expectUnsubscribed(patron);
  }, 120_000);

  it('shows a clear page, not an error, for a tampered link, and changes nothing', async () => {
    const { patron, email } = await patronWithEmail({ language: 'en', library: 'riverside' });
    const url = new URL(/^<(.+)>$/.exec(email.headers['List-Unsubscribe'] ?? '')?.[1] ?? '');
    const token = url.searchParams.get('token') ?? '';
    // Another patron's id in the payload, the same MAC.
    const [payload, mac] = token.split('.');
    const forged = Buffer.from(Buffer.from(payload!, 'base64url').toString('utf8').replace(patron.patronId, 'P-someone-else')).toString(
      'base64url',
    );
    url.searchParams.set('token', `${forged}.${mac}`);
    const page = await browser.newPage();
    try {
      const response = await page.goto(url.toString());
      expect(response?.status()).toBe(400);
      expect(await page.textContent('h1')).toBe('This link does not work');
      expect(await page.getByRole('button').count()).toBe(0);
      const post = await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
      expect(post.status).toBe(400);
    } finally {
      await page.close();
    }
    expect((await report(patron.patronId)).profile.consent.email.optedIn).toBe(true);
  }, 120_000);
});
