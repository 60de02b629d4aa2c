/**
 * summary.md / summary.csv / the HTML table: per condition, each method's metric with its 95 % CI, and
 * each method's difference Δ from the experiment's baseline (`compareTo`) with its paired CI and verdict
 * ("better", "worse", "no detectable difference (CI covers 0)"), then one line on what the experiment
 * can resolve. The numbers come from src/results/stats.ts (two-level percentile bootstrap, 2000
 * resamples, seed 0; exact McNemar for one run per side); rows without predictions get the mean and no CI.
 */
import { type ResultRow, conditionOf, entryOf, type Comparison, type ExperimentStats, type MethodEstimate } from '../results/index.js';
import { statsOf } from './chart.js';
import { energyPoints, energySummaryLine } from './energy-points.js';

export interface SummaryLine {
  kind: string;
  method: string;
  entryId: string;
  profile: string;
  condition: string;
  metricName: string;
  /** Runs (seed combinations) behind the estimate. */
  n: number;
  /** Evaluation examples per run, null when rows carry no predictions. */
  examples: number | null;
  mean: number;
  /** Sample standard deviation of `row.metric` over the runs (0 for one run). */
  std: number;
  ciLo: number | null;
  ciHi: number | null;
  trainableParams: number | null;
  /** Δ vs the baseline, when this line is not the baseline and the condition has one. */
  baseline: string | null;
  delta: number | null;
  deltaLo: number | null;
  deltaHi: number | null;
  pairing: string | null;
  mcnemarP: number | null;
  verdict: string | null;
  /** Hardware lines: mean over the runs of the pooled DAC-input and ADC-output clip rates (null where nothing can clip). */
  dacClip: number | null;
  adcClip: number | null;
}

export interface Summary {
  lines: SummaryLine[];
  stats: ExperimentStats;
  /** What difference the experiment can resolve, or null without any paired CI. */
  resolution: string | null;
  notes: string[];
}

/** Points = metric × 100 (accuracy 0.015 = 1.5 points). */
const pts = (x: number) => (x * 100).toFixed(1);

export function resolutionLine(stats: ExperimentStats): string | null {
  const halves = stats.comparisons.filter((c) => c.ci !== null).map((c) => ({ c, h: ((c.ci as [number, number])[1] - (c.ci as [number, number])[0]) / 2 }));
  if (halves.length === 0) return null;
  const widest = halves.reduce((a, b) => (b.h > a.h ? b : a));
  const sorted = halves.map((x) => x.h).sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const level = Math.round(stats.level * 100);
  if (widest.h <= 0.015) return `Resolution: every paired Δ ${level} % CI has a half-width ≤ ${pts(widest.h)} points, so a 3-point difference is resolved.`;
  const where = `${widest.c.label} at ${widest.c.condition.profile ? `${widest.c.condition.profile} ` : ''}${widest.c.condition.label}`;
  return `Resolution: this experiment cannot resolve a 3-point difference everywhere (that needs a Δ CI half-width ≤ 1.5 points): the paired Δ ${level} % CIs have a median half-width of ${pts(median)} points and up to ${pts(widest.h)} points (${where}); smaller differences go undetected. More evaluation examples or seeds narrow the CIs.`;
}

/** Mean of the numbers among `xs`, or null when there are none. */
const meanOf = (xs: (number | null | undefined)[]): number | null => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

export function summarise(rows: ResultRow[], stats: ExperimentStats = statsOf(rows)): Summary {
  const grouped = new Map<string, ResultRow[]>();
  for (const r of rows) {
    if (r.kind !== 'noise' && r.kind !== 'hardware') continue;
    const k = JSON.stringify([conditionOf(r).key, entryOf(r)]);
    grouped.set(k, [...(grouped.get(k) ?? []), r]);
  }
  const rowsOf = (e: MethodEstimate) => grouped.get(JSON.stringify([e.condition.key, e.entryId])) ?? [];
  const comparisonOf = (e: MethodEstimate): Comparison | undefined => stats.comparisons.find((c) => c.condition === e.condition && c.entryId === e.entryId);
  const lines = stats.estimates.map((e): SummaryLine => {
    const rs = rowsOf(e);
    const values = rs.map((r) => r.metric).filter((v): v is number => typeof v === 'number');
    const m = values.reduce((a, b) => a + b, 0) / (values.length || 1);
    const std = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1)) : 0;
    const c = comparisonOf(e);
    return {
      kind: e.condition.kind,
      method: e.label,
      entryId: e.entryId,
      profile: e.condition.profile ?? '',
      condition: e.condition.label,
      metricName: e.metricName,
      n: e.runs,
      examples: e.examples,
      mean: e.estimate,
      std,
      ciLo: e.ci?.[0] ?? null,
      ciHi: e.ci?.[1] ?? null,
      trainableParams: rs[0]?.trainableParams ?? null,
      baseline: c ? c.baseline : null,
      delta: c ? c.delta : null,
      deltaLo: c?.ci?.[0] ?? null,
      deltaHi: c?.ci?.[1] ?? null,
      pairing: c ? c.pairing : null,
      mcnemarP: c?.mcnemar?.p ?? null,
      verdict: c ? (c.verdict ?? 'no CI (rows carry no predictions)') : null,
      dacClip: meanOf(rs.map((r) => r.clipRates?.dac)),
      adcClip: meanOf(rs.map((r) => r.clipRates?.adc)),
    };
  });
  const notes: string[] = [];
  const level = Math.round(stats.level * 100);
  if (stats.estimates.some((e) => e.ci === null)) notes.push('Some rows carry no per-example predictions (written before they were recorded): those lines show the mean over runs and no CI; rerun the experiment for CIs.');
  if (stats.estimates.length > 0 && stats.baseline === null) notes.push('The experiment names no baseline (`compareTo`), so no method is compared with another.');
  if (stats.baseline !== null && !stats.estimates.some((e) => e.entryId === stats.baseline)) notes.push(`The baseline \`${stats.baseline}\` named by \`compareTo\` has no evaluation rows, so no method is compared with it.`);
  if (stats.comparisons.some((c) => c.pairing === 'examples')) notes.push("Where pairing is 'examples', the two methods' seeds did not match one to one: runs were resampled per side and only the examples were paired.");
  const energy = energySummaryLine(energyPoints(rows, stats));
  if (energy !== null) notes.push(energy);
  notes.push(`CIs: ${level} % two-level percentile bootstrap (${stats.resamples} resamples: seeds, then examples), the metric recomputed from each row's predictions; Δ CIs pair the same seeds and examples; McNemar p (exact) for one run per side. See docs/statistics.md.`);
  return { lines, stats, resolution: resolutionLine(stats), notes };
}

const f4 = (x: number | null) => (x === null ? '' : x.toFixed(4));
const signed = (x: number) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(4);
const clipFmt = (x: number | null) => (x === null ? '' : x.toPrecision(3));
const pFmt = (p: number | null) => (p === null ? '' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

const CSV_HEAD = ['kind', 'method', 'entry', 'profile', 'condition', 'metric', 'runs', 'examples', 'mean', 'ci_lo', 'ci_hi', 'std', 'trainable params', 'baseline', 'delta', 'delta_ci_lo', 'delta_ci_hi', 'pairing', 'mcnemar_p', 'verdict', 'dac_clip', 'adc_clip'];

export function summaryCsv(s: Summary): string {
  const q = (x: string) => (/[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x);
  const cells = (l: SummaryLine) => [l.kind, l.method, l.entryId, l.profile, l.condition, l.metricName, String(l.n), l.examples === null ? '' : String(l.examples), f4(l.mean), f4(l.ciLo), f4(l.ciHi), f4(l.std), l.trainableParams === null ? '' : String(l.trainableParams), l.baseline ?? '', f4(l.delta), f4(l.deltaLo), f4(l.deltaHi), l.pairing ?? '', pFmt(l.mcnemarP), l.verdict ?? '', clipFmt(l.dacClip), clipFmt(l.adcClip)];
  return [CSV_HEAD, ...s.lines.map(cells)].map((r) => r.map(q).join(',')).join('\n') + '\n';
}

interface Tables {
  metricHead: string[];
  metricRows: string[][];
  deltaHead: string[];
  deltaRows: string[][];
}

function tables(s: Summary): Tables {
  const level = Math.round(s.stats.level * 100);
  const ci = (lo: number | null, hi: number | null) => (lo === null || hi === null ? 'no CI' : `[${lo.toFixed(4)}, ${hi.toFixed(4)}]`);
  const metricHead = ['kind', 'method', 'profile', 'condition', 'metric', 'runs', 'examples', 'mean', `${level} % CI`, 'trainable params'];
  const metricRows = s.lines.map((l) => [l.kind, l.method, l.profile, l.condition, l.metricName, String(l.n), l.examples === null ? '' : String(l.examples), l.mean.toFixed(4), ci(l.ciLo, l.ciHi), l.trainableParams === null ? '' : String(l.trainableParams)]);
  // Clip rates (DAC inputs / ADC outputs clipped) when some hardware line could clip.
  if (s.lines.some((l) => l.dacClip !== null || l.adcClip !== null)) {
    const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toPrecision(2)} %`);
    metricHead.push('clipped DAC / ADC');
    s.lines.forEach((l, i) => metricRows[i].push(l.kind === 'hardware' ? `${pct(l.dacClip)} / ${pct(l.adcClip)}` : ''));
  }
  const deltaHead = ['kind', 'profile', 'condition', 'method', 'Δ vs baseline', `${level} % CI`, 'pairing', 'McNemar p', 'verdict'];
  const deltaRows = s.lines
    .filter((l) => l.delta !== null)
    .map((l) => [l.kind, l.profile, l.condition, l.method, signed(l.delta as number), l.deltaLo === null || l.deltaHi === null ? 'no CI' : `[${signed(l.deltaLo)}, ${signed(l.deltaHi)}]`, l.pairing ?? '', pFmt(l.mcnemarP), l.verdict ?? '']);
  return { metricHead, metricRows, deltaHead, deltaRows };
}

const baselineName = (s: Summary) => {
  const c = s.stats.comparisons[0];
  return c ? `${c.baselineLabel} (\`${c.baseline}\`)` : `\`${s.stats.baseline}\``;
};

export function summaryMarkdown(s: Summary): string {
  const t = tables(s);
  const md = (head: string[], body: string[][]) => [head, head.map(() => '---'), ...body].map((c) => `| ${c.join(' | ')} |`).join('\n');
  const parts = ['## Metric per condition', '', md(t.metricHead, t.metricRows), ''];
  if (t.deltaRows.length > 0) {
    parts.push(`## Difference from the baseline ${baselineName(s)}`, '', md(t.deltaHead, t.deltaRows), '');
    if (s.resolution) parts.push(s.resolution, '');
  }
  for (const n of s.notes) parts.push(`- ${n}`);
  return `${parts.join('\n')}\n`;
}

export function summaryHtml(s: Summary): string {
  const esc = (x: string) => x.replace(/[&<>`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '`': '' })[c] as string);
  const tr = (c: string[], tag: string) => `<tr>${c.map((x) => `<${tag}>${esc(x)}</${tag}>`).join('')}</tr>`;
  const table = (head: string[], body: string[][]) => `<table>${tr(head, 'th')}${body.map((r) => tr(r, 'td')).join('')}</table>`;
  const t = tables(s);
  let html = table(t.metricHead, t.metricRows);
  if (t.deltaRows.length > 0) {
    html += `<h3>Difference from the baseline ${esc(baselineName(s))}</h3>${table(t.deltaHead, t.deltaRows)}`;
    if (s.resolution) html += `<p>${esc(s.resolution)}</p>`;
  }
  return `${html}<ul>${s.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
}
