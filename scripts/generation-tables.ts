/**
 * Table II and the robustness tables of a generation experiment, from its result rows:
 *
 *   node --import tsx scripts/generation-tables.ts reports/d2t-tiny-gpt2 models/tiny-gpt2 [resamples]
 *
 * Reads <report>/results.jsonl, takes each MR's references from the task the rows name (the task
 * registry; e2e needs its dataDir as a 4th argument), counts the base model's parameters for
 * %params, and prints markdown (src/report/generation-table.ts: paired bootstrap over MRs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generationEstimates, getAnyTask, initBackend, loadModel, robustnessTable, tableII, type ResultRow } from '../src/internal.js';

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
}, { resamples: Number(resamples), ciMetrics: ['BLEU', 'ROUGE_L', 'CIDEr'] });
const out = [
  `### Table II — ${taskId}, digital (σ = 0); ${est[0]?.items ?? 0} MRs, 95 % CI by bootstrap over MRs (${resamples} resamples; NIST and METEOR without CI); base model ${baseParams.toLocaleString('en-US')} parameters`,
  '',
  tableII(est, baseParams),
  '',
  '### Robustness — BLEU per condition, paired Δ vs the baseline (same MRs, same resamples)',
  '',
  robustnessTable(est, 'BLEU'),
  '',
  '### Robustness — ROUGE-L',
  '',
  robustnessTable(est, 'ROUGE_L'),
  '',
].join('\n');
writeFileSync(join(dir, 'generation-tables.md'), out);
console.log(out);
