/**
 * Issue 14's success criterion, measured: how many accuracy points does injected noise cost when each
 * adapted Site's σ equals that Site's own weight standard deviation (σ_s = factor × std(W'_s), W'_s the
 * deployed weights with the adapter folded in)? The experiments' `noise.sigmas` are one σ for every Site;
 * this script scales σ per Site instead.
 *
 * For every adapter folder given (e.g. the three GRASP training seeds of deep-stochgrasp-study), for noise
 * seeds 0 … --noise-seeds − 1: N(0, σ_s²) added to each adapted Site's deployed weights (stream
 * Rng(seed, 'noise/std×<factor>') forked by Site name), evaluated on the task's seeded test subset.
 * Reports the clean and noisy accuracy (mean over adapters, and noise seeds) with two-level bootstrap CIs
 * (metricWithCi) and the paired drop (each noisy run against its own adapter's clean run, same examples).
 *
 *   node --import tsx scripts/noise-at-std.ts --model models/deep-roberta --task brown-genre --max-length 64 \
 *     --eval-examples 256 --factor 1 --noise-seeds 3 <adapter folder> [<adapter folder> …]
 */
import { encodeExamples, getTask, numOutputs, seededSubset } from '../src/data/index.js';
import { stdOf } from '../src/crossbar/chip-error.js';
import { evaluateDetailed, perturbWeights } from '../src/eval/index.js';
import { metricWithCi } from '../src/hil/index.js';
import { loadCheckpoint, loadTokenizer } from '../src/io/index.js';
import type { WeightsBySite } from '../src/model/index.js';
import { applyMerged, loadAdapter } from '../src/peft/index.js';
import { bootstrapDelta, runMetric } from '../src/results/index.js';
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

const clean: Float32Array[] = [], noisy: Float32Array[] = [], pairs: [number, number][] = [];
const stds: number[] = [];
for (const dir of dirs) {
  const loaded = await loadAdapter(dir, model, { baseModel: modelDir });
  const merged = loaded.adapter.merge();
  loaded.adapter.detach();
  let undo = applyMerged(model, merged);
  clean.push(evaluateDetailed(model, task, set).predictions);
  undo();
  const siteStd = new Map([...merged.sites].map(([name, w]) => [name, stdOf(w.weight)]));
  stds.push(...siteStd.values());
  for (let seed = 0; seed < noiseSeeds; seed++) {
    const rng = new Rng(seed, `noise/std×${factor}`);
    // The noise protocol's own perturbation, one Site at a time with that Site's σ (same stream: rng forked by Site name).
    const sites: WeightsBySite = new Map([...merged.sites].map(([name, w]) => [name, perturbWeights(new Map([[name, w]]), factor * siteStd.get(name)!, rng).get(name)!]));
    undo = applyMerged(model, { sites, params: merged.params });
    noisy.push(evaluateDetailed(model, task, set).predictions);
    undo();
    pairs.push([noisy.length - 1, clean.length - 1]);
  }
}

const n = labels.length;
const f = (x: number) => x.toFixed(3);
const a = metricWithCi(task, labels, clean, new Rng(0, 'bootstrap/clean')), z = metricWithCi(task, labels, noisy, new Rng(0, 'bootstrap/noisy'));
const arm = (ps: Float32Array[]) => ({ runs: ps.length, metric: runMetric(ps.map((pred) => ({ pred, labels })), task.primaryMetric) });
// Paired: each noisy run against its own adapter's clean run, on the same resampled examples.
const drop = bootstrapDelta(arm(noisy), arm(clean), pairs, n, new Rng(0, 'bootstrap/drop'), 2000, 0.95);
console.log(`${dirs.length} adapters × ${noiseSeeds} noise seeds; ${task.id} test ${n} examples; σ_s = ${factor} × std(W'_s), std per Site ${f(Math.min(...stds))}–${f(Math.max(...stds))} (mean ${f(stds.reduce((a, b) => a + b, 0) / stds.length)})`);
console.log(`clean ${f(a.mean)} [${f(a.ci[0])}, ${f(a.ci[1])}]; noisy ${f(z.mean)} [${f(z.ci[0])}, ${f(z.ci[1])}]; change ${f(z.mean - a.mean)} [${f(drop[0])}, ${f(drop[1])}] (paired)`);
