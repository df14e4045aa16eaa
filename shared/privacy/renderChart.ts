/**
 * Lays out a privacy chart as Markdown (for the repository's docs) and as a standalone, accessible
 * HTML page a library can publish: language declared (and on every phrase in another language),
 * a skip link, headings in order, tables with captions and column and row headers, scrollable
 * table regions reachable by keyboard, no script, and print-friendly styles.
 */
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { buildPrivacyChart, generatedNote, type Cell, type ChartTable, type PrivacyChart } from '#shared/privacy/privacyChart.ts';
import { CHART_LANGUAGES, type ChartLanguage } from '#shared/privacy/recordInventory.ts';

/** Where the chart in each language lives, relative to the page being rendered. */
export type ChartHref = (language: ChartLanguage) => string;

const PAGE_WORDS: Record<ChartLanguage, { skip: string; contents: string; otherLanguage: string }> = {
  en: { skip: 'Skip to the chart', contents: 'Contents', otherLanguage: 'This chart in another language' },
  es: { skip: 'Ir a la tabla', contents: 'Contenido', otherLanguage: 'Esta tabla en otro idioma' },
};

/** Markdown renderers that allow HTML would run configuration text such as `<script>`: outside code spans it is escaped. */
const escapeInlineHtml = (text: string) =>
  text
    .split('`')
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('`');
const escapeMarkdown = (text: string) => escapeInlineHtml(text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' '));

function markdownCell(cell: Cell): string {
  if (typeof cell === 'string') return escapeMarkdown(cell);
  if ('code' in cell) return cell.code.map((name) => `\`${name}\``).join(', ');
  if ('href' in cell) return `[${escapeMarkdown(cell.text)}](${cell.href})`;
  return escapeMarkdown(cell.text);
}

function markdownTable(table: ChartTable): string[] {
  return [
    `*${escapeMarkdown(table.caption)}*`,
    '',
    `| ${table.columns.map(escapeMarkdown).join(' | ')} |`,
    `|${table.columns.map(() => '---').join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(markdownCell).join(' | ')} |`),
  ];
}

/** The chart as Markdown. */
export function renderMarkdown(chart: PrivacyChart, href: ChartHref): string {
  const lines = [
    `# ${escapeInlineHtml(chart.title)}`,
    '',
    ...chart.otherLanguages.map((other) => `[${other.label}](${href(other.language)})`),
    '',
    ...chart.intro.flatMap((paragraph) => [escapeInlineHtml(paragraph), '']),
  ];
  for (const section of chart.sections) {
    lines.push(
      `## ${escapeInlineHtml(section.heading)}`,
      '',
      ...section.paragraphs.flatMap((paragraph) => [escapeInlineHtml(paragraph), '']),
    );
    if (section.table) lines.push(...markdownTable(section.table), '');
  }
  lines.push(`<!-- ${generatedNote(chart.language).replace(/`/g, '')} -->`, '');
  return lines.join('\n');
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Text with `code` spans. */
const inlineHtml = (text: string) =>
  text
    .split('`')
    .map((part, index) => (index % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join('');

function htmlCell(cell: Cell): string {
  if (typeof cell === 'string') return escapeHtml(cell);
  if ('code' in cell) return cell.code.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ');
  if ('href' in cell) return `<a href="${escapeHtml(cell.href)}">${escapeHtml(cell.text)}</a>`;
  return `<span lang="${cell.lang}">${escapeHtml(cell.text)}</span>`;
}

function htmlTable(id: string, table: ChartTable): string {
  const captionId = `${id}-caption`;
  const head = table.columns.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join('');
  const body = table.rows
    .map((row) => row.map((cell, index) => (index === 0 ? `<th scope="row">${htmlCell(cell)}</th>` : `<td>${htmlCell(cell)}</td>`)))
    .map((cells) => `<tr>${cells.join('')}</tr>`)
    .join('\n');
  return [
    `<div class="table-region" role="region" aria-labelledby="${captionId}" tabindex="0">`,
    `<table>`,
    `<caption id="${captionId}">${escapeHtml(table.caption)}</caption>`,
    `<thead><tr>${head}</tr></thead>`,
    `<tbody>\n${body}\n</tbody>`,
    `</table>`,
    `</div>`,
  ].join('\n');
}

const STYLE = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --line: #b8b8b8; --head: #eef2f6; --link: #0b4f9c; }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
.skip { position: absolute; left: -999px; top: 0; padding: .5rem 1rem; background: #fff; color: var(--link); }
.skip:focus { left: 1rem; top: 1rem; z-index: 1; }
header, main, footer { max-width: 80rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1rem; text-align: right; }
h1 { font-size: 1.75rem; line-height: 1.2; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; }
a { color: var(--link); }
a:focus-visible, .table-region:focus-visible { outline: 3px solid #c2410c; outline-offset: 2px; }
.table-region { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; min-width: 40rem; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; color: var(--muted); }
th, td { border: 1px solid var(--line); padding: .5rem .6rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); }
tbody th { font-weight: 600; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
footer { color: var(--muted); padding-bottom: 2rem; }
@media print { .skip, header, nav { display: none; } .table-region { overflow: visible; } a { color: inherit; } }
`.trim();

/** The chart as a standalone HTML page. */
export function renderHtml(chart: PrivacyChart, href: ChartHref): string {
  const words = PAGE_WORDS[chart.language];
  const alternates = chart.otherLanguages
    .map((other) => `<link rel="alternate" hreflang="${other.language}" href="${escapeHtml(href(other.language))}">`)
    .join('\n');
  const languageLinks = chart.otherLanguages
    .map((other) => {
      const attributes = `href="${escapeHtml(href(other.language))}" hreflang="${other.language}" lang="${other.language}"`;
      return `<a ${attributes}>${escapeHtml(other.label)}</a>`;
    })
    .join(' · ');
  const contents = chart.sections.map((section) => `<li><a href="#${section.id}">${escapeHtml(section.heading)}</a></li>`).join('\n');
  const sections = chart.sections
    .map((section) =>
      [
        `<section aria-labelledby="${section.id}">`,
        `<h2 id="${section.id}">${escapeHtml(section.heading)}</h2>`,
        ...section.paragraphs.map((paragraph) => `<p>${inlineHtml(paragraph)}</p>`),
        ...(section.table ? [htmlTable(section.id, section.table)] : []),
        `</section>`,
      ].join('\n'),
    )
    .join('\n');
  return `<!doctype html>
<html lang="${chart.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(chart.title)}</title>
${alternates}
<style>
${STYLE}
</style>
</head>
<body>
<a class="skip" href="#main">${escapeHtml(words.skip)}</a>
<header>
<nav aria-label="${escapeHtml(words.otherLanguage)}">${languageLinks}</nav>
</header>
<main id="main" tabindex="-1">
<h1>${escapeHtml(chart.title)}</h1>
${chart.intro.map((paragraph) => `<p>${inlineHtml(paragraph)}</p>`).join('\n')}
<nav aria-label="${escapeHtml(words.contents)}">
<h2 class="contents">${escapeHtml(words.contents)}</h2>
<ul>
${contents}
</ul>
</nav>
${sections}
</main>
<footer>
<p>${inlineHtml(generatedNote(chart.language))}</p>
</footer>
</body>
</html>
`;
}

/** File name of the chart in a language: `privacy-chart.md`, `privacy-chart.es.html`... */
export function chartFileName(language: ChartLanguage, format: 'md' | 'html'): string {
  return language === 'en' ? `privacy-chart.${format}` : `privacy-chart.${language}.${format}`;
}

/** Every chart file for a configuration: Markdown and HTML in every chart language, by file name. */
export function chartFiles(config: ConsortiumConfig): Record<string, string> {
  const files: Record<string, string> = {};
  for (const language of CHART_LANGUAGES) {
    const chart = buildPrivacyChart(config, language);
    files[chartFileName(language, 'md')] = renderMarkdown(chart, (other) => chartFileName(other, 'md'));
    files[chartFileName(language, 'html')] = renderHtml(chart, (other) => chartFileName(other, 'html'));
  }
  return files;
}
