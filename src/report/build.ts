/**
 * Builds a report directory from result rows alone:
 *   <id>.vl.json, <id>.svg, <id>.png for every chart with data, index.html (offline), summary.md, summary.csv.
 */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultRow } from '../results/index.js';
import { charts } from './chart.js';
import './charts/index.js';
import { reportHtml } from './html.js';
import { renderSvg, svgToPng } from './render.js';
import { summarise, summaryCsv, summaryHtml, summaryMarkdown } from './summary.js';

export interface ReportResult {
  dir: string;
  charts: string[];
  files: string[];
}

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export interface BuildReportOptions {
  /** Where the renderer's warnings go (default: the console). */
  log?: (line: string) => void;
}

export async function buildReport(rows: ResultRow[], dir: string, title: string, options: BuildReportOptions = {}): Promise<ReportResult> {
  if (rows.length === 0) throw new Error(`report '${title}': there are no result rows to report (run the experiment first)`);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const drawn: { id: string; title: string; description: string; spec: Record<string, unknown> }[] = [];
  for (const chart of charts()) {
    const spec = chart.spec(rows);
    if (!spec) continue;
    const svg = await renderSvg(spec, chart.id, options.log);
    writeAtomic(join(dir, `${chart.id}.vl.json`), `${JSON.stringify(spec, null, 2)}\n`);
    writeAtomic(join(dir, `${chart.id}.svg`), svg);
    writeAtomic(join(dir, `${chart.id}.png`), svgToPng(svg));
    files.push(`${chart.id}.vl.json`, `${chart.id}.svg`, `${chart.id}.png`);
    drawn.push({ id: chart.id, title: chart.title, description: chart.description, spec });
  }
  const summary = summarise(rows);
  writeAtomic(join(dir, 'summary.md'), `# ${title}\n\n${summaryMarkdown(summary)}`);
  writeAtomic(join(dir, 'summary.csv'), summaryCsv(summary));
  const intro = `${rows.length} result rows; every chart below is rebuilt from reports/${title}/results.jsonl by \`grasp-hil report\`.`;
  writeAtomic(join(dir, 'index.html'), reportHtml(`grasp-hil report: ${title}`, intro, drawn, summaryHtml(summary)));
  files.push('summary.md', 'summary.csv', 'index.html');
  return { dir, charts: drawn.map((d) => d.id), files };
}
