/**
 * bench/hil-multitask: one programmed chip, two tasks. The base model's all-linear Sites are programmed
 * once; each task's GRASP adapter is held digitally in front of the DAC (src/hil/periphery-grasp.ts) and
 * its head stays digital, so switching task is loading the adapter, not reprogramming. Each task is
 * compared with its own single-task chip: the same task's adapter folded into the programmed weights
 * (W' = diag(1/γ̂)·W, b' = b − (β̂/γ̂)·W), programmed with the same chip seed.
 *
 * For each chip seed (--chips, from --seed) and each task: accuracy on the shared chip and on the
 * single-task chip at t (--t) with --compensation, on a seeded test subset (--eval-examples).
 * Accuracy: mean over chips with a 95 % two-level bootstrap CI (chips, then examples; metricWithCi); Δ shared −
 * single paired by chip and example (results/stats.ts bootstrapDelta) with its verdict. Also the number
 * of Chip.program calls each way: 1 per chip seed for both tasks shared, 2 single-task.
 *
 * The adapters come from `grasp-hil train` (one per task), e.g.
 *   grasp-hil train --model models/tiny-roberta --task brown-genre --method grasp -k 32 --max-steps 150 --lr 0.01 \
 *     --max-length 64 --train-examples 1024 --eval-examples 128 --out /tmp/mt/brown-genre
 *   (and the same with --task spam --out /tmp/mt/spam)
 *
 *   node --import tsx bench/hil-multitask.ts --adapters brown-genre=/tmp/mt/brown-genre,spam=/tmp/mt/spam
 *     [--profile pcm-aihwkit] [--t 86400] [--compensation global] [--chips 3] [--seed 0] [--eval-examples 256] [--max-length 64]
 */
import { fileURLToPath } from 'node:url';
import { Chip, COMPENSATION_MODES, weightsOfSites, type CompensationMode } from '../src/crossbar/index.js';
import { encodeExamples, getTask, numOutputs, seededSubset, type EncodedSet, type Task } from '../src/data/index.js';
import { evaluateDetailed } from '../src/eval/index.js';
import { attachChip, metricWithCi } from '../src/hil/index.js';
import { loadCheckpoint, loadTokenizer } from '../src/io/index.js';
import { selectSites, type Model, type WeightsBySite } from '../src/model/index.js';
import { applyMerged, loadAdapter } from '../src/peft/index.js';
import { bootstrapDelta, runMetric, verdictOf } from '../src/results/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { flagReader } from './util.js';

const arg = flagReader(['adapters', 'backend', 'chips', 'compensation', 'eval-examples', 'max-length', 'profile', 'seed', 't']);
const adapters = arg('adapters', '').split(',').filter(Boolean).map((kv) => {
  const [task, dir] = kv.split('=');
  if (!task || !dir) throw new Error(`--adapters: expected task=folder pairs separated by commas, got '${kv}'`);
  return { task, dir };
});
if (adapters.length < 2) throw new Error('--adapters task=folder,task=folder: at least two tasks (see the file header for the train commands)');
const profile = arg('profile', 'pcm-aihwkit');
const t = Number(arg('t', '86400'));
const compensation = arg('compensation', 'global') as CompensationMode;
if (!COMPENSATION_MODES.includes(compensation)) throw new Error(`--compensation: ${compensation} is not one of ${COMPENSATION_MODES.join(', ')}`);
const chips = Number(arg('chips', '3'));
const seed0 = Number(arg('seed', '0'));
const evalN = Number(arg('eval-examples', '256'));
const maxLength = Number(arg('max-length', '64'));
const info = await initBackend(arg('backend', 'auto'));

const modelDir = fileURLToPath(new URL('../models/tiny-roberta', import.meta.url));
const tokenizer = loadTokenizer(modelDir);

interface TaskRun {
  task: Task;
  dir: string;
  model: Model;
  set: EncodedSet;
  /** The adapter folded into the base weights of the chip's Sites. */
  folded: WeightsBySite;
  shared: Float32Array[];
  single: Float32Array[];
}

// One model per task (each task has its own head size); the chip's Sites are the encoder's, the same in both.
const runs: TaskRun[] = [];
let base: WeightsBySite | null = null;
for (const { task: id, dir } of adapters) {
  const task = getTask(id);
  const { model } = await loadCheckpoint(modelDir, { withHead: 'sequence-classification', numLabels: numOutputs(task) });
  const sites = selectSites(model, 'all-linear');
  base ??= weightsOfSites(sites);
  const loaded = await loadAdapter(dir, model, { baseModel: modelDir });
  const merged = loaded.adapter.merge();
  loaded.adapter.detach();
  const folded: WeightsBySite = new Map([...weightsOfSites(sites)].map(([n, w]) => [n, merged.sites.get(n) ?? w]));
  const set = encodeExamples(tokenizer, seededSubset(task.load({}).evaluation.test, evalN, `${task.id}/test`), maxLength);
  runs.push({ task, dir, model, set, folded, shared: [], single: [] });
}

const programs = { shared: 0, single: 0 };
for (let c = seed0; c < seed0 + chips; c++) {
  // Shared: programmed once; each task attaches its adapter (digital, in front of the DAC), then the chip innermost.
  const shared = Chip.program(base!, profile, {}, { chip: c, read: c });
  programs.shared++;
  const state = shared.at(t, { compensation });
  for (const r of runs) {
    const loaded = await loadAdapter(r.dir, r.model, { baseModel: modelDir });
    const att = attachChip(state, r.model);
    try {
      r.shared.push(evaluateDetailed(r.model, r.task, r.set).predictions);
    } finally {
      att.detach();
      loaded.adapter.detach();
    }
  }
  state.dispose();
  // Single-task: the adapter folded into its own chip (same seed); the head is loaded digitally.
  for (const r of runs) {
    const own = Chip.program(r.folded, profile, {}, { chip: c, read: c });
    programs.single++;
    const s = own.at(t, { compensation });
    const loaded = await loadAdapter(r.dir, r.model, { baseModel: modelDir });
    const merged = loaded.adapter.merge();
    loaded.adapter.detach();
    const undo = applyMerged(r.model, { sites: new Map(), params: merged.params });
    const att = attachChip(s, r.model);
    try {
      r.single.push(evaluateDetailed(r.model, r.task, r.set).predictions);
    } finally {
      att.detach();
      undo();
      s.dispose();
    }
  }
}

const f = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
console.log(`backend ${info.name}; ${profile}, t = ${t} s, compensation ${compensation}; chips ${seed0}…${seed0 + chips - 1}; ${evalN} test examples, max length ${maxLength}`);
console.log(`Chip.program calls: ${programs.shared} for both tasks on shared chips, ${programs.single} single-task`);
console.log('| task | shared chip (adapter in the periphery) | own chip (adapter folded) | Δ shared − own | verdict |');
console.log('|---|---|---|---|---|');
for (const r of runs) {
  const labels = r.set.labels;
  const rng = (tag: string) => new Rng(seed0, `bootstrap/${r.task.id}/${tag}`);
  const shared = metricWithCi(r.task, labels, r.shared, rng('shared')), own = metricWithCi(r.task, labels, r.single, rng('own'));
  const arm = (ps: Float32Array[]) => ({ runs: ps.length, metric: runMetric(ps.map((pred) => ({ pred, labels })), r.task.primaryMetric) });
  const d = bootstrapDelta(arm(r.shared), arm(r.single), r.shared.map((_, k) => [k, k]), labels.length, rng('delta'), 2000, 0.95);
  const [ms, mo] = [shared.mean, own.mean], [ls, hs] = shared.ci, [lo, ho] = own.ci;
  console.log(`| ${r.task.id} | ${f(ms)} [${f(ls)}, ${f(hs)}] | ${f(mo)} [${f(lo)}, ${f(ho)}] | ${signed(ms - mo)} [${signed(d[0])}, ${signed(d[1])}] | ${verdictOf(d)} |`);
}
