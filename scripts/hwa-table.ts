/**
 * The tables of an HWA study run (docs/hwa.md, experiments/hwa-study.json), from the run's summary.csv
 * (the same numbers as its summary.md): accuracy with its 95 % CI per method and condition, and the
 * paired difference from the experiment's compareTo entry with its 95 % CI, McNemar p and verdict.
 *
 *   Order   methods as in summary.csv (the experiment's order); conditions: noise rows by σ, then
 *           hardware rows.
 *   Units   metric and Δ in the metric's own units (accuracy: fraction of examples), 3 decimals.
 *   CIs     taken as summary.csv gives them (two-level bootstrap, docs/statistics.md); nothing is
 *           recomputed here, so the script needs no random stream.
 *
 * Usage: node --import tsx scripts/hwa-table.ts reports/hwa-study/summary.csv
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: node --import tsx scripts/hwa-table.ts <reports/<experiment>/summary.csv>');

/** One CSV record per line; fields may be double-quoted, with "" for a quote inside. */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}

const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
const names = parseCsvLine(header);
const need = ['kind', 'method', 'entry', 'condition', 'runs', 'examples', 'mean', 'ci_lo', 'ci_hi', 'baseline', 'delta', 'delta_ci_lo', 'delta_ci_hi', 'mcnemar_p', 'verdict', 'adc_clip'];
for (const n of need) if (!names.includes(n)) throw new Error(`${file}: header has no column '${n}'; expected a summary.csv written by grasp-hil run`);
const rows = lines.map((l) => {
  const f = parseCsvLine(l);
  return Object.fromEntries(names.map((n, i) => [n, f[i] ?? ''])) as Record<string, string>;
});

const num = (s: string) => Number(s);
const f3 = (s: string) => num(s).toFixed(3);
const signed = (s: string) => `${num(s) >= 0 ? '+' : '−'}${Math.abs(num(s)).toFixed(3)}`;
const sigmaOf = (c: string) => (c.startsWith('σ=') ? num(c.slice(2)) : Infinity);
const conditions = [...new Set(rows.map((r) => `${r.kind}|${r.condition}`))]
  .sort((a, b) => sigmaOf(a.split('|')[1]) - sigmaOf(b.split('|')[1]));
const condLabel = (k: string) => {
  const [kind, c] = k.split('|');
  if (kind === 'noise') return c.replace('σ=', 'σ = ');
  const t = /^t=(\d+)s\s*(.*)$/.exec(c);
  return t ? `chip, t = ${Number(t[1]) === 86400 ? '1 day' : `${t[1]} s`}${t[2] ? `, ${t[2]} compensation` : ''}` : `chip, ${c}`;
};
const methods = [...new Set(rows.map((r) => r.method))];
const at = (m: string, k: string) => rows.find((r) => r.method === m && `${r.kind}|${r.condition}` === k);
const esc = (s: string) => s.replace(/\|/g, '\\|');

const runs = conditions.map((k) => `${condLabel(k)}: ${rows.find((r) => `${r.kind}|${r.condition}` === k)!.runs}`).join(', ');
console.log(`${file}: ${rows[0].examples} examples per row; runs per method: ${runs}; baseline ${rows.find((r) => r.baseline)?.baseline ?? '(none)'}\n`);
console.log(`| method | ${conditions.map(condLabel).join(' | ')} |`);
console.log(`|---|${conditions.map(() => '---').join('|')}|`);
for (const m of methods) {
  const cells = conditions.map((k) => {
    const r = at(m, k);
    return r ? `${f3(r.mean)} [${f3(r.ci_lo)}, ${f3(r.ci_hi)}]` : '';
  });
  console.log(`| ${esc(m)} | ${cells.join(' | ')} |`);
}

console.log('\nΔ from the baseline [95 % CI] and verdict (n.d.: no detectable difference, the CI covers 0):\n');
console.log(`| method | ${conditions.map(condLabel).join(' | ')} |`);
console.log(`|---|${conditions.map(() => '---').join('|')}|`);
const word = (v: string) => (v.startsWith('no detectable') ? 'n.d.' : v);
for (const m of methods) {
  if (!rows.some((r) => r.method === m && r.delta !== '')) continue;
  const cells = conditions.map((k) => {
    const r = at(m, k);
    if (!r || r.delta === '') return '';
    return `${signed(r.delta)} [${signed(r.delta_ci_lo)}, ${signed(r.delta_ci_hi)}] ${word(r.verdict)}`;
  });
  console.log(`| ${esc(m)} | ${cells.join(' | ')} |`);
}

const adc = rows.filter((r) => r.kind === 'hardware' && r.adc_clip !== '').map((r) => num(r.adc_clip));
if (adc.length) console.log(`\nADC outputs clipped on the chip rows: ${Math.min(...adc)}–${Math.max(...adc)} %`);
