/**
 * `GET /privacy` on the sandbox: the privacy chart for the sandbox's configuration, as the HTML page a
 * library publishes. `?lang=es` (or a Spanish `Accept-Language`) gives the Spanish page.
 */
import type { ApiResponse } from '#sandbox/httpApi.ts';
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
export function privacyChartResponse(config: ConsortiumConfig, url: URL, acceptLanguage: string | undefined): ApiResponse {
  const language = chartLanguageOf(url, acceptLanguage);
  if (language === undefined) {
    return { status: 400, body: { __type: 'ValidationException', message: `lang must be one of ${CHART_LANGUAGES.join(', ')}` } };
  }
  const html = renderHtml(buildPrivacyChart(config, language), (other) => `/privacy?lang=${other}`);
  return { body: html, contentType: 'text/html; charset=utf-8', headers: { 'content-language': language, vary: 'Accept-Language' } };
}
