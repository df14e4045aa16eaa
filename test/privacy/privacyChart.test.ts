/**
 * The privacy chart: its figures follow the configuration and the inventory, vendors sit beside
 * Bookdrop's rows, the committed chart in docs/ is the one the generator writes for the default
 * configuration, the HTML page has the structure assistive technology needs, and the sandbox serves
 * it at /privacy.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSandbox } from '#sandbox/httpApi.ts';
import type { Sandbox } from '#sandbox/sandbox.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { buildPrivacyChart, retentionText, type ChartTable, type PrivacyChart } from '#shared/privacy/privacyChart.ts';
import { contactDecrypters, readersOfRecords } from '#shared/privacy/functionAccess.ts';
import { CHART_LANGUAGES, RECORD_KINDS, retentionDays } from '#shared/privacy/recordInventory.ts';
import { chartFiles, renderHtml, renderMarkdown } from '#shared/privacy/renderChart.ts';
import { testConfig } from '#test/helpers/factories.ts';

const config: ConsortiumConfig = {
  ...testConfig,
  retention: {
    deadLetterDays: 3,
    pointInTimeRecoveryDays: 9,
    checkoutHistoryDays: 730,
    noticeLogDays: 45,
    inboundSmsLogDays: 14,
    consentLedgerDays: 2555,
    openLoanDays: 400,
    openHoldDays: 21,
    openFineDays: 1000,
  },
  vendors: [
    {
      name: 'Example Texts Inc.',
      service: { en: 'Delivers text messages' },
      dataRetained: { en: 'Phone numbers for 90 days', es: 'Números de teléfono durante 90 días' },
      policyUrl: 'https://texts.example.com/privacy',
    },
  ],
};

const table = (chart: PrivacyChart, id: string): ChartTable => chart.sections.find((section) => section.id === id)!.table!;
const cellText = (cell: unknown) => (typeof cell === 'string' ? cell : JSON.stringify(cell));
const rowNamed = (chartTable: ChartTable, name: string) => chartTable.rows.find((row) => row[0] === name);

describe('Privacy chart: content', () => {
  it('states every retention figure as the configuration sets it, in both languages', () => {
    for (const language of CHART_LANGUAGES) {
      const chart = buildPrivacyChart(config, language);
      for (const entry of RECORD_KINDS) {
        const row = rowNamed(table(chart, entry.bookkeeping ? 'bookkeeping' : 'records'), entry.name[language]);
        expect(row, entry.kind).toBeDefined();
        expect(row).toContain(retentionText(entry.retention, config, language));
        for (const expiry of entry.retention.expiries ?? []) {
          const days = retentionDays(expiry.days, config);
          expect(retentionText(entry.retention, config, language)).toContain(language === 'en' ? `${days} days` : `${days} días`);
        }
      }
    }
    const english = table(buildPrivacyChart(config, 'en'), 'records');
    expect(rowNamed(english, 'Notice log')?.[3]).toBe('Expires 45 days after the notice. Setting: retention.noticeLogDays.');
    expect(rowNamed(english, 'Consent history')?.[3]).toContain('2555 days');
    expect(rowNamed(english, 'Open loan')?.[3]).toContain('Expires 400 days after the due date');
    expect(rowNamed(english, 'Open loan')?.[3]).toContain('Expires 1000 days after the return');
  });

  it('puts the vendors beside Bookdrop’s own rows, with their policy link, and marks text the vendor gave only in English', () => {
    const spanish = buildPrivacyChart(config, 'es');
    const summary = table(spanish, 'summary');
    const own = summary.rows.filter((row) => row[0] === config.consortium.name);
    expect(own).toHaveLength(RECORD_KINDS.filter((entry) => !entry.bookkeeping).length);
    const vendor = summary.rows.find((row) => row[0] === 'Example Texts Inc.')!;
    expect(vendor).toEqual([
      'Example Texts Inc.',
      'Números de teléfono durante 90 días',
      { text: 'Delivers text messages', lang: 'en' },
      'Según la política del proveedor',
      { href: 'https://texts.example.com/privacy', text: 'https://texts.example.com/privacy' },
    ]);
    const html = renderHtml(spanish, (language) => `privacy-chart.${language}.html`);
    expect(html).toContain('<span lang="en">Delivers text messages</span>');
    expect(html).toContain('<a href="https://texts.example.com/privacy">');
  });

  it('names as readers the functions the grants allow, and the decrypters only where contacts are stored', () => {
    const records = table(buildPrivacyChart(config, 'en'), 'records');
    for (const entry of RECORD_KINDS.filter((kind) => !kind.bookkeeping)) {
      const readers = cellText(rowNamed(records, entry.name.en)?.[5]);
      for (const reader of readersOfRecords()) expect(readers, entry.kind).toContain(reader);
      const decryptNote = `Only ${contactDecrypters().join(', ')} can decrypt`;
      expect(readers.includes(decryptNote), entry.kind).toBe((entry.encrypted ?? []).length > 0);
    }
  });

  it('lists the other places data can be: queues, dead-letter queues, the stream, backups and logs', () => {
    const places = table(buildPrivacyChart(config, 'en'), 'places').rows.map((row) => [row[0], row[2]]);
    expect(places).toEqual(
      expect.arrayContaining([
        ['Input queue of circulation', '4 days'],
        ['Dead-letter queue of circulation', '3 days'],
        ['Table stream', '24 hours'],
        ['Point-in-time recovery backups', '9 days'],
        ['Function logs', '30 days'],
      ]),
    );
  });

  it('shows configuration text holding HTML as text, never as markup, in Markdown and in HTML', () => {
    const tag = '<script>alert(1)</script> & <img src=x onerror=alert(2)>';
    const hostile: ConsortiumConfig = {
      ...config,
      consortium: { ...config.consortium, name: `Consortium ${tag}` },
      vendors: (config.vendors ?? []).map((vendor) => ({ ...vendor, name: `Vendor ${tag}`, service: { en: `Texts ${tag}` } })),
    };
    const chart = buildPrivacyChart(hostile, 'en');
    const markdown = renderMarkdown(chart, () => 'x.md');
    const html = renderHtml(chart, () => 'x.html');

    for (const page of [markdown, html]) {
      expect(page).not.toMatch(/<script|<img/);
      expect(page).toContain('Vendor &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;');
    }
    expect(markdown).toContain('# Privacy chart: Consortium &lt;script&gt;');
  });

  it('escapes table syntax in Markdown', () => {
    const piped: ConsortiumConfig = { ...config, consortium: { ...config.consortium, name: 'A | B Libraries' } };
    const markdown = renderMarkdown(buildPrivacyChart(piped, 'en'), () => 'x.md');
    expect(markdown).toContain('| A \\| B Libraries |');
  });
});

describe('Privacy chart: committed docs', () => {
  it('are what `npm run privacy-chart` writes for the default configuration (regenerate them if this fails)', () => {
    for (const [name, content] of Object.entries(chartFiles(testConfig))) {
      expect(readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8'), name).toBe(content);
    }
  });
});

describe('Privacy chart: HTML page structure', () => {
  for (const language of CHART_LANGUAGES) {
    it(`declares its language, has one h1, a working skip link and captioned tables with headers (${language})`, () => {
      const chart = buildPrivacyChart(config, language);
      const html = renderHtml(chart, (other) => `privacy-chart.${other}.html`);
      expect(html).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${language}">`));
      expect(html.match(/<h1>/g)).toHaveLength(1);
      expect(html).toContain('<a class="skip" href="#main">');
      expect(html).toContain('<main id="main"');
      const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]);
      expect(new Set(ids).size).toBe(ids.length);
      const tables = html.split('<table>').slice(1);
      expect(tables).toHaveLength(chart.sections.filter((section) => section.table).length);
      for (const [index, tableHtml] of tables.entries()) {
        const expected = chart.sections.filter((section) => section.table)[index]!.table!;
        expect(tableHtml).toMatch(/^\n<caption id="[^"]+">[^<]+<\/caption>/);
        expect(tableHtml.match(/<th scope="col">/g)).toHaveLength(expected.columns.length);
        expect(tableHtml.match(/<tr><th scope="row">/g)).toHaveLength(expected.rows.length);
      }
      for (const other of chart.otherLanguages) {
        expect(html).toContain(`hreflang="${other.language}" lang="${other.language}"`);
        expect(html).toContain(`<link rel="alternate" hreflang="${other.language}"`);
      }
      expect(html).not.toContain('<script');
    });
  }
});

describe('Sandbox: GET /privacy', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    // The route needs nothing of the sandbox but its configuration.
    server = await serveSandbox({ config } as unknown as Sandbox, 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves the chart page for the sandbox configuration, in English by default', async () => {
    const response = await fetch(`${base}/privacy`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toBe(renderHtml(buildPrivacyChart(config, 'en'), (other) => `/privacy?lang=${other}`));
    expect(html).toContain('Expires 45 days after the notice');
  });

  it('serves Spanish for ?lang=es and for a Spanish Accept-Language, and refuses an unknown language', async () => {
    const asked = await fetch(`${base}/privacy?lang=es`);
    expect(asked.headers.get('content-language')).toBe('es');
    expect(await asked.text()).toContain('<html lang="es">');
    const negotiated = await fetch(`${base}/privacy`, { headers: { 'accept-language': 'es-US,es;q=0.9,en;q=0.8' } });
    expect(await negotiated.text()).toContain('<html lang="es">');
    const unknown = await fetch(`${base}/privacy?lang=fr`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toBe('lang must be one of en, es');
  });
});
