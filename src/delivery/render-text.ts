import type { FigureTable, ReportView } from './report-view.js';

/** The plain-text version: the same content as the HTML, as aligned monospace tables. */

type Align = 'left' | 'right';

const BAR_WIDTH = 20;
const NOTE_WIDTH = 76;

export function renderText(view: ReportView): string {
  const lines: string[] = [];
  const heading = (title: string) => lines.push('', title.toUpperCase(), '='.repeat(Math.min(width(title), 72)));

  lines.push(view.title.toUpperCase(), '='.repeat(width(view.title)));
  lines.push(
    ...table(
      null,
      view.facts.map((fact) => [fact.label, fact.value]),
      ['left', 'left'],
    ),
  );

  if (view.cappedNote) lines.push('', ...wrap(`! ${view.cappedNote}`));

  if (view.badRows) {
    lines.push('', `! ${view.badRows.summary}`, ...view.badRows.examples.map((example) => `  - ${example}`));
  }

  if (view.chart) {
    heading('Per period');
    lines.push(...wrap(`The HTML version has a chart: ${view.chart.ref.alt}`));
    if (view.chart.series) lines.push('', ...figureTable(view.chart.series));
  }

  if (view.totals !== null || view.levels !== null) {
    heading('Totals');
    if (view.comparisonNote) lines.push(...wrap(view.comparisonNote), '');
    if (view.totals) lines.push(...figureTable(view.totals));
    if (view.levels) {
      if (view.totals) lines.push('');
      lines.push(...wrap(view.levels.note));
      if (view.levels.table) lines.push('', ...figureTable(view.levels.table));
    }
  }

  for (const top of view.topTables) {
    heading(top.title);
    const withIds = top.rows.some((row) => row.id !== null);
    const headers = withIds ? ['#', 'Name', 'ID', 'Value', 'Share'] : ['#', 'Name', 'Value', 'Share'];
    const rows = top.rows.map((row) => {
      const share = `${textBar(row.sharePercent)} ${row.share.padStart(6)}`;
      return withIds ? [String(row.rank), row.name, row.id ?? '', row.value, share] : [String(row.rank), row.name, row.value, share];
    });
    lines.push(...table(headers, rows, withIds ? ['right', 'left', 'left', 'right', 'left'] : ['right', 'left', 'right', 'left']));
  }

  if (view.insights) {
    for (const insight of view.insights.tables) {
      heading(insight.title);
      lines.push(...insight.notes.flatMap(wrap));
      if (insight.rows.length > 0) {
        lines.push(
          '',
          ...table(
            insight.headers,
            insight.rows.map((row) => row.cells),
            ['left', 'left', ...insight.headers.slice(2).map((): Align => 'right')],
          ),
        );
      }
    }
    if (view.insights.unavailable.length > 0) {
      heading('Insights unavailable');
      for (const line of view.insights.unavailable) lines.push(...wrap(`! ${line}`));
    }
  }

  heading('The report file');
  lines.push(view.archiveNote);
  if (view.archiveLink) lines.push(view.archiveLink.note, view.archiveLink.url);
  lines.push(view.attachmentNote, '', '-- ', view.footer, '');
  return lines.join('\n');
}

function figureTable(figures: FigureTable): string[] {
  const withChange = figures.rows.some((row) => row.change !== null);
  const headers = [figures.labelHeading ?? 'Metric', ...figures.headings, ...(withChange ? ['Previous', 'Change'] : [])];
  const rows = figures.rows.map((row) => [row.label, ...row.values, ...(withChange ? [row.change?.previous ?? '', row.change?.text ?? ''] : [])]);
  return table(headers, rows, ['left', ...headers.slice(1).map((): Align => 'right')]);
}

/** Breaks a note into lines of at most NOTE_WIDTH characters at spaces (a longer word stays whole). */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && width(line) + 1 + width(word) > NOTE_WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function width(text: string): number {
  return Array.from(text).length;
}

function pad(text: string, size: number, align: Align): string {
  const fill = ' '.repeat(Math.max(size - width(text), 0));
  return align === 'right' ? fill + text : text + fill;
}

function table(headers: string[] | null, rows: string[][], align: Align[]): string[] {
  const all = headers ? [headers, ...rows] : rows;
  const columns = Math.max(0, ...all.map((row) => row.length));
  const sizes = Array.from({ length: columns }, (_, index) => Math.max(0, ...all.map((row) => width(row[index] ?? ''))));
  const line = (row: string[]) =>
    sizes
      .map((size, index) => pad(row[index] ?? '', size, align[index] ?? 'left'))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  if (headers) out.push(line(headers), sizes.map((size) => '-'.repeat(size)).join('  '));
  out.push(...rows.map(line));
  return out;
}

function textBar(percent: number): string {
  const filled = Math.round((percent / 100) * BAR_WIDTH);
  return `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
}
