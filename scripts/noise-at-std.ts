/**
 * Issue 14's success criterion, measured: how many accuracy points does injected noise cost when each
 * adapted Site's σ equals that Site's own weight standard deviation (σ_s = factor × std(W'_s), W'_s the
 * deployed weights with the adapter folded in)? The experiments' `noise.sigmas` are one σ for every Site;
 * this script scales σ per Site instead.
 *
 * For every adapter folder given (e.g. the three GRASP training seeds of deep-stochgrasp-study), for noise
 * seeds 0 … --noise-seeds − 1: N(0, σ_s²) added to each adapted Site's deployed weights (stream
 * Rng(seed, 'noise/std×<factor>') forked by Site name), evaluated on the task's seeded test subset.
 * Reports the clean and noisy accuracy (mean over adapters, and noise seeds) with two-level bootstrap CIs and the paired
 * drop (each noisy run against its own adapter's clean run, same examples).
 *
 *   node --import tsx scripts/noise-at-std.ts --model models/deep-roberta --task brown-genre --max-length 64 \
 *     --eval-examples 256 --factor 1 --noise-seeds 3 <adapter folder> [<adapter folder> …]
 */
import { encodeExamples, getTask, numOutputs, seededSubset } from '../src/data/index.js';
import { evaluateDetailed } from '../src/eval/index.js';
import { loadCheckpoint, loadTokenizer } from '../src/io/index.js';
import type { WeightsBySite } from '../src/model/index.js';
import { applyMerged, loadAdapter } from '../src/peft/index.js';
import { bootstrapDelta, bootstrapRuns } from '../src/results/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const modelDir = opt('model', 'models/deep-roberta');
const task = getTask(opt('task', 'brown-genre'));
const maxLength = Number(opt('max-length', '64'));
const evalN = Number(opt('eval-examples', '256'));
const factor = Number(opt('factor', '1'));
const noiseSeeds = Number(opt('noise-seeds', '3'));
await initBackend(opt('backend', 'auto'));
const dirs = args;
if (dirs.length === 0) throw new Error('give one or more adapter folders (see the file header)');

const { model } = await loadCheckpoint(modelDir, { withHead: 'sequence-classification', numLabels: numOutputs(task) });
const set = encodeExamples(loadTokenizer(modelDir), seededSubset(task.load({}).evaluation.test, evalN, `${task.id}/test`), maxLength);
const labels = set.labels;

const std = (w: Float32Array) => {
  let s = 0, s2 = 0;
  for (const v of w) { s += v; s2 += v * v; }
  return Math.sqrt(Math.max(0, s2 / w.length - (s / w.length) ** 2));
};
const correctOf = (p: Float32Array) => Float64Array.from(p, (v, i) => (v === labels[i] ? 1 : 0));

const clean: Float64Array[] = [], noisy: Float64Array[] = [], pairs: [number, number][] = [];
const stds: number[] = [];
for (const dir of dirs) {
  const loaded = await loadAdapter(dir, model, { baseModel: modelDir });
  const merged = loaded.adapter.merge();
  loaded.adapter.detach();
  let undo = applyMerged(model, merged);
  clean.push(correctOf(evaluateDetailed(model, task, set).predictions));
  undo();
  for (let seed = 0; seed < noiseSeeds; seed++) {
    const rng = new Rng(seed, `noise/std×${factor}`);
    const sites: WeightsBySite = new Map();
    for (const [name, w] of merged.sites) {
      const sd = factor * std(w.weight);
      if (seed === 0) stds.push(sd / factor);
      const noise = rng.fork(name).fillNormal(new Float32Array(w.weight.length), 0, sd);
      for (let i = 0; i < noise.length; i++) noise[i] += w.weight[i];
      sites.set(name, { ...w, weight: noise });
    }
    undo = applyMerged(model, { sites, params: merged.params });
    noisy.push(correctOf(evaluateDetailed(model, task, set).predictions));
    undo();
    pairs.push([noisy.length - 1, clean.length - 1]);
  }
}

const n = labels.length;
const metricOf = (rows: Float64Array[]) => (run: number, idx: Int32Array | null) => {
  const r = rows[run];
  if (!idx) return r.reduce((a, b) => a + b, 0) / n;
  let s = 0;
  for (let i = 0; i < idx.length; i++) s += r[idx[i]];
  return s / idx.length;
};
const mean = (rows: Float64Array[]) => rows.reduce((s, _, k) => s + metricOf(rows)(k, null), 0) / rows.length;
const ci = (rows: Float64Array[], tag: string) => bootstrapRuns(rows.length, n, metricOf(rows), new Rng(0, `bootstrap/${tag}`), 2000, 0.95);
const f = (x: number) => x.toFixed(3);
const [c, z] = [mean(clean), mean(noisy)];
const [cl, ch] = ci(clean, 'clean'), [zl, zh] = ci(noisy, 'noisy');
// Paired: each noisy run against its own adapter's clean run, on the same resampled examples.
const drop = bootstrapDelta({ runs: noisy.length, metric: metricOf(noisy) }, { runs: clean.length, metric: metricOf(clean) }, pairs, n, new Rng(0, 'bootstrap/drop'), 2000, 0.95);
console.log(`${dirs.length} adapters × ${noiseSeeds} noise seeds; ${task.id} test ${n} examples; σ_s = ${factor} × std(W'_s), std per Site ${f(Math.min(...stds))}–${f(Math.max(...stds))} (mean ${f(stds.reduce((a, b) => a + b, 0) / stds.length)})`);
console.log(`clean ${f(c)} [${f(cl)}, ${f(ch)}]; noisy ${f(z)} [${f(zl)}, ${f(zh)}]; change ${f(z - c)} [${f(drop[0])}, ${f(drop[1])}] (paired)`);
