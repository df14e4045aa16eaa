/**
 * `GET /privacy` on the sandbox: the privacy chart for the sandbox's configuration, as the HTML page a
 * library publishes. `?lang=es` (or a Spanish `Accept-Language`) gives the Spanish page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { buildPrivacyChart } from '#shared/privacy/privacyChart.ts';
import { CHART_LANGUAGES, type ChartLanguage } from '#shared/privacy/recordInventory.ts';
import { renderHtml } from '#shared/privacy/renderChart.ts';

const isChartLanguage = (value: string): value is ChartLanguage => (CHART_LANGUAGES as readonly string[]).includes(value);

/** The page's language: the `lang` query parameter, else the first chart language the client accepts, else English. */
export function chartLanguageOf(url: URL, acceptLanguage: string | undefined): ChartLanguage | undefined {
  const asked = url.searchParams.get('lang');
  if (asked !== null) return isChartLanguage(asked) ? asked : undefined;
  const accepted = (acceptLanguage ?? '')
    .split(',')
    .map((range) => range.trim().split(';')[0]!.split('-')[0]!.toLowerCase())
    .find(isChartLanguage);
  return accepted ?? 'en';
}

/** Answers `GET /privacy`. */
export function servePrivacyChart(config: ConsortiumConfig, url: URL, req: IncomingMessage, res: ServerResponse): void {
  const language = chartLanguageOf(url, req.headers['accept-language']);
  if (language === undefined) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ __type: 'ValidationException', message: `lang must be one of ${CHART_LANGUAGES.join(', ')}` }));
    return;
  }
  const html = renderHtml(buildPrivacyChart(config, language), (other) => `/privacy?lang=${other}`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-language': language, vary: 'Accept-Language' });
  res.end(html);
}
