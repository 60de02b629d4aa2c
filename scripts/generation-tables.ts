/**
 * Table II and the robustness tables of a generation experiment, from its result rows:
 *
 *   node --import tsx scripts/generation-tables.ts reports/d2t-tiny-gpt2 models/tiny-gpt2 [resamples]
 *
 * Reads <report>/results.jsonl, takes each MR's references from the task the rows name (the task
 * registry; e2e needs its dataDir as a 4th argument), counts the base model's parameters for
 * %params, and prints markdown (src/report/generation-table.ts: bootstrap over MRs and runs, paired Δ
 * vs the experiment's compareTo for every metric).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deltaTable, generationEstimates, getAnyTask, initBackend, loadModel, robustnessTable, tableII, type ResultRow } from '../src/internal.js';

/** One line per adapter the rows evaluate: steps, seconds, held-out target loss, σ/σ_target (StochGRASP). */
function trainingTable(reportDir: string, evaluated: ResultRow[]): string {
  const adapters = join(reportDir, 'adapters');
  const lines = ['| adapter | method | steps | train s | held-out loss (nats/token) | next-token acc. | σ/σ_target |', '| --- | --- | ---: | ---: | ---: | ---: | ---: |'];
  if (!existsSync(adapters)) return '(no adapters/ folder)';
  for (const key of readdirSync(adapters).sort()) {
    const f = join(adapters, key, 'training.json');
    if (!existsSync(f) || !evaluated.some((r) => r.key.split('/').includes(key))) continue;
    const t = JSON.parse(readFileSync(f, 'utf8')) as { label?: string; method: string; steps: number; seconds: number; final?: Record<string, { loss: number; accuracy: number }>; sigma?: { meanRatio: number } };
    const held = Object.values(t.final ?? {})[0];
    lines.push(`| ${key} | ${t.label ?? t.method} | ${t.steps} | ${t.seconds.toFixed(0)} | ${held ? held.loss.toFixed(3) : '—'} | ${held ? `${(100 * held.accuracy).toFixed(1)} %` : '—'} | ${t.sigma ? t.sigma.meanRatio.toFixed(2) : '—'} |`);
  }
  return lines.join('\n');
}

/** Generated tokens over the evaluate phase's time, summed over the generation rows. */
function decodeSpeed(all: ResultRow[]): string {
  let tokens = 0, ms = 0, n = 0;
  for (const r of all) {
    if (typeof r.generatedTokens !== 'number' || !r.phaseMs) continue;
    tokens += r.generatedTokens;
    ms += r.phaseMs.evaluate;
    n++;
  }
  return n ? `Decoding: ${tokens.toLocaleString('en-US')} tokens generated over ${n} evaluation rows in ${(ms / 1000).toFixed(0)} s of evaluate phase (≈ ${(tokens / (ms / 1000)).toFixed(0)} tokens/s, scoring included).` : 'Decoding: no rows record generatedTokens.';
}

const [dir, modelDir, resamples = '1000', dataDir] = process.argv.slice(2);
if (!dir || !modelDir) throw new Error('usage: scripts/generation-tables.ts <reports/<experiment>> <model dir> [resamples] [dataDir]');
await initBackend('cpu');
const rows = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
const taskId = rows.find((r) => typeof r.task === 'string')?.task as string;
const data = getAnyTask(taskId).load({ dataDir });
const refs = new Map<string, readonly string[]>();
for (const e of [...data.train, ...Object.values(data.evaluation).flat()]) if (e.source && e.references) refs.set(e.source, e.references);
const model = await loadModel(modelDir);
const baseParams = model.params.count();
model.dispose();
const est = generationEstimates(rows, (i) => {
  const r = refs.get(i);
  if (!r) throw new Error(`MR '${i}' is not in task ${taskId}`);
  return r;
}, { resamples: Number(resamples) });
const runs = [...new Set(est.map((e) => e.runs))].sort((a, b) => a - b).join('–');
const ciNote = `95 % CI by bootstrap over MRs and runs (${resamples} resamples; ${runs} run(s) per cell)`;
const out = [
  `### Table II — ${taskId}, digital (σ = 0); ${est[0]?.items ?? 0} MRs, ${ciNote}; base model ${baseParams.toLocaleString('en-US')} parameters`,
  '',
  tableII(est, baseParams),
  '',
  '### Robustness — BLEU per condition, paired Δ vs the baseline (same MRs, runs paired by seed)',
  '',
  robustnessTable(est, 'BLEU'),
  '',
  '### Paired Δ vs the baseline, every metric (▲ better, ▼ worse, = no detectable difference)',
  '',
  deltaTable(est),
  '',
  '### Training (adapters/*/training.json) and decoding speed (result rows)',
  '',
  trainingTable(dir, rows),
  '',
  decodeSpeed(rows),
  '',
].join('\n');
writeFileSync(join(dir, 'generation-tables.md'), out);
console.log(out);
