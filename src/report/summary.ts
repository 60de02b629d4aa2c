/** summary.md / summary.csv: mean ± std of the metric per evaluation condition, from rows alone. */
import type { ResultRow } from '../results/index.js';

export interface SummaryLine {
  kind: string;
  method: string;
  profile: string;
  condition: string;
  metricName: string;
  n: number;
  mean: number;
  std: number;
  trainableParams: number | null;
}

function condition(r: ResultRow): string {
  if (r.kind === 'noise') return `σ=${r.noiseSigma}`;
  const parts = [`t=${r.t}s`, r.compensation ? 'comp' : 'no-comp'];
  if (r.sweep) for (const [k, v] of Object.entries(r.sweep)) parts.push(`${k}=${v}`);
  return parts.join(' ');
}

export function summarise(rows: ResultRow[]): SummaryLine[] {
  const groups = new Map<string, { base: Omit<SummaryLine, 'n' | 'mean' | 'std'>; values: number[] }>();
  for (const r of rows) {
    if ((r.kind !== 'noise' && r.kind !== 'hardware') || typeof r.metric !== 'number') continue;
    const base = {
      kind: r.kind,
      method: r.methodLabel ?? r.method ?? '',
      profile: r.profile ?? '',
      condition: condition(r),
      metricName: r.metricName ?? 'metric',
      trainableParams: r.trainableParams ?? null,
    };
    const key = JSON.stringify([base.kind, base.method, base.profile, base.condition]);
    const g = groups.get(key) ?? { base, values: [] };
    g.values.push(r.metric);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ base, values }) => {
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
    return { ...base, n, mean, std };
  });
}

const HEAD = ['kind', 'method', 'profile', 'condition', 'metric', 'n', 'mean', 'std', 'trainable params'];
const cells = (l: SummaryLine): string[] => [l.kind, l.method, l.profile, l.condition, l.metricName, String(l.n), l.mean.toFixed(4), l.std.toFixed(4), l.trainableParams === null ? '' : String(l.trainableParams)];

export function summaryCsv(lines: SummaryLine[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [HEAD, ...lines.map(cells)].map((r) => r.map(q).join(',')).join('\n') + '\n';
}

export function summaryMarkdown(lines: SummaryLine[]): string {
  const row = (c: string[]) => `| ${c.join(' | ')} |`;
  return [row(HEAD), row(HEAD.map(() => '---')), ...lines.map((l) => row(cells(l)))].join('\n') + '\n';
}

export function summaryHtml(lines: SummaryLine[]): string {
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
  const tr = (c: string[], tag: string) => `<tr>${c.map((x) => `<${tag}>${esc(x)}</${tag}>`).join('')}</tr>`;
  return `<table>${tr(HEAD, 'th')}${lines.map((l) => tr(cells(l), 'td')).join('')}</table>`;
}
