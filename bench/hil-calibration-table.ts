/**
 * The calibration study's table (docs/hil.md) from the rows alone: per profile, t and compensation,
 * each arm's metric with its 95 % CI (the project's bootstrap over chips × examples,
 * results/stats.ts), Δ against the folded GRASP (`compareTo`) paired on seeds and examples, and for
 * calibrated rows the chip MVM calls and seconds per calibration (mean over chips).
 *
 *   node --import tsx bench/hil-calibration-table.ts reports/hil-calibration/results.jsonl
 */
import { compensationOfRow, experimentStats, ResultStore, type ResultRow } from '../src/results/index.js';

const file = process.argv[2];
if (!file) throw new Error('usage: node --import tsx bench/hil-calibration-table.ts <reports/<name>/results.jsonl>');
const { rows } = ResultStore.read(file);
const stats = experimentStats([...rows]);
const f = (x: number) => x.toFixed(3);
const ci = (c: [number, number] | null) => (c ? ` [${f(c[0])}, ${f(c[1])}]` : '');
const comp = (c: Pick<ResultRow, 'compensation'>): string => compensationOfRow(c) ?? 'none';
const order = (e: string) => ['grasp', 'grasp/periphery', 'grasp/cal-16', 'grasp/cal-64', 'grasp/cal-256'].indexOf(e) + 1 || 99;
console.log('| profile | t | comp | arm | accuracy [95 % CI] | Δ vs folded [95 % CI] | MVM calls / calibration | s / calibration |');
console.log('|---|---|---|---|---|---|---|---|');
const conds = [...new Map(stats.estimates.map((e) => [e.condition.key, e.condition])).values()]
  .sort((a, b) => `${a.profile}`.localeCompare(`${b.profile}`) || (a.t ?? 0) - (b.t ?? 0) || comp(a).localeCompare(comp(b)));
for (const c of conds) {
  const ests = stats.estimates.filter((e) => e.condition.key === c.key).sort((a, b) => order(a.entryId) - order(b.entryId) || a.entryId.localeCompare(b.entryId));
  for (const e of ests) {
    const cmp = stats.comparisons.find((x) => x.condition.key === c.key && x.entryId === e.entryId);
    const calRows = rows.filter((r: ResultRow) => r.profile === c.profile && r.t === c.t && r.compensation === c.compensation && r.entryId === e.entryId && r.calibration);
    const cal = calRows.map((r) => r.calibration as { mvmCalls: number; seconds: number; examples: number });
    const mean = (k: 'mvmCalls' | 'seconds') => cal.reduce((s, x) => s + x[k], 0) / cal.length;
    const calCols = cal.length && cal[0].examples > 0 ? `${mean('mvmCalls')} | ${mean('seconds').toFixed(1)}` : ' | ';
    console.log(`| ${c.profile} | ${c.t === 86400 ? '1 d' : c.t === 2592000 ? '30 d' : `${c.t} s`} | ${comp(c)} | ${e.entryId} | ${f(e.estimate)}${ci(e.ci)} | ${cmp ? `${cmp.delta >= 0 ? '+' : ''}${f(cmp.delta)}${ci(cmp.ci)}` : ''} | ${calCols} |`);
  }
}
