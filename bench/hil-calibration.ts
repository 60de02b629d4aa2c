/**
 * bench/hil-calibration: the core comparison of the HIL calibration study on the library API, small
 * budget (the experiment runner has no calibrate phase yet, so this is not an experiment JSON).
 *
 * For each profile × t × compensation, on one chip (seed --seed) of models/tiny-roberta's all-linear
 * Sites, brown-genre test subset (--eval-examples, seeded as `train --eval-examples`):
 *   folded       the GRASP adapter folded into the programmed weights (W' = diag(1/γ̂)·W, b' = b − (β̂/γ̂)·W)
 *   periphery    base weights programmed, γ/β digital in front of the DAC (src/hil/periphery-grasp.ts)
 *   cal-N        periphery-held, then calibrated on the chip with N training examples, --steps steps
 *                (src/hil/calibrate.ts), for each N in --n
 *   digital-N    control: the same N examples, steps and seed, trained on the ideal chip (= digitally),
 *                then held in the periphery of this chip; cal-N − digital-N is what the chip in the
 *                loop adds beyond more training
 * Accuracy with a 95 % bootstrap CI over examples; Δ vs folded with the exact McNemar p on the same
 * examples; chip MVM calls and seconds of each calibration.
 *
 * The adapter comes from --adapter (made with
 *   grasp-hil train --model models/tiny-roberta --task brown-genre --method grasp -k 32 --max-steps 150 --lr 0.01 \
 *     --max-length 64 --train-examples 1024 --eval-examples 128 --out /tmp/hilcal/grasp).
 *
 *   node --import tsx bench/hil-calibration.ts --adapter /tmp/hilcal/grasp [--profiles pcm-aihwkit,rram-cmo] [--times 86400,2592000]
 *     [--compensation none,global] [--n 16,64] [--steps 20] [--eval-examples 128] [--max-length 64] [--seed 1] [--backend auto]
 */
import { fileURLToPath } from 'node:url';
import { Chip, COMPENSATION_MODES, type CompensationMode } from '../src/crossbar/index.js';
import { encodeExamples, getTask, numOutputs, seededSubset } from '../src/data/index.js';
import { evaluateDetailed } from '../src/eval/index.js';
import { attachChip, calibrateOnChip, metricWithCi, pairedMcNemar } from '../src/hil/index.js';
import { loadCheckpoint, loadTokenizer } from '../src/io/index.js';
import { selectSites, type WeightsBySite } from '../src/model/index.js';
import { applyMerged, loadAdapter } from '../src/peft/index.js';
import { weightsOfSites } from '../src/crossbar/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { flagReader } from './util.js';

const arg = flagReader(['adapter', 'backend', 'compensation', 'eval-examples', 'max-length', 'n', 'profiles', 'seed', 'steps', 'times']);
const list = (name: string, fallback: string) => arg(name, fallback).split(',').map((s) => s.trim()).filter(Boolean);
const adapterDir = arg('adapter', '');
if (!adapterDir) throw new Error('--adapter <dir>: a GRASP adapter for models/tiny-roberta on brown-genre (see the file header for the train command)');
const profiles = list('profiles', 'pcm-aihwkit,rram-cmo');
const times = list('times', '86400,2592000').map(Number);
const compensations = list('compensation', 'none,global') as CompensationMode[];
for (const c of compensations) if (!COMPENSATION_MODES.includes(c)) throw new Error(`--compensation: ${c} is not one of ${COMPENSATION_MODES.join(', ')}`);
const ns = list('n', '16,64').map(Number);
const steps = Number(arg('steps', '20'));
const evalN = Number(arg('eval-examples', '128'));
const maxLength = Number(arg('max-length', '64'));
const seed = Number(arg('seed', '1'));
const info = await initBackend(arg('backend', 'auto'));

const modelDir = fileURLToPath(new URL('../models/tiny-roberta', import.meta.url));
const task = getTask('brown-genre');
const data = task.load({});
const { model } = await loadCheckpoint(modelDir, { withHead: 'sequence-classification', numLabels: numOutputs(task) });
const tokenizer = loadTokenizer(modelDir);
const evalSet = encodeExamples(tokenizer, seededSubset(data.evaluation.test, evalN, `${task.id}/test`), maxLength);
const labels = evalSet.labels;
const sites = selectSites(model, 'all-linear');

// Base and folded weights (the adapter's head is loaded into the model and stays there).
const base: WeightsBySite = weightsOfSites(sites);
let loaded = await loadAdapter(adapterDir, model, { baseModel: modelDir });
const merged = loaded.adapter.merge();
loaded.adapter.detach();
const folded: WeightsBySite = new Map([...base].map(([n, w]) => [n, merged.sites.get(n) ?? w]));
const undo = applyMerged(model, merged);
const digital = evaluateDetailed(model, task, evalSet).predictions;
undo();

// Controls: the adapter trained further on the ideal profile (digital forward) with the same examples, steps and seed.
const controls = new Map<number, Map<string, { shape: number[]; data: Float32Array }>>();
const ideal = Chip.program(base, 'ideal', {}, { chip: seed, read: seed });
for (const n of ns) {
  loaded = await loadAdapter(adapterDir, model, { baseModel: modelDir });
  const state = ideal.at(0);
  calibrateOnChip({ model, adapter: loaded.adapter, state, kind: task.kind, examples: encodeExamples(tokenizer, seededSubset(data.train, n, `${task.id}/train`), maxLength) }, { steps, batchSize: 16, lr: 0.01, seed });
  controls.set(n, loaded.adapter.state());
  state.dispose();
  loaded.adapter.detach();
}

console.log(`backend ${info.name}; ${task.id}/test ${labels.length} examples, max length ${maxLength}; chip seed ${seed}; calibration: ${steps} steps, batch 16, lr 0.01`);
const row = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);
const acc = (p: Float32Array, tag: string) => {
  const { mean, ci } = metricWithCi(task, labels, [p], new Rng(seed, `bootstrap/${tag}`));
  return `${mean.toFixed(3)} [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]`;
};
const vs = (p: Float32Array, ref: Float32Array) => {
  const m = pairedMcNemar(labels, p, ref);
  return `${((m.b - m.c) / labels.length >= 0 ? '+' : '')}${((m.b - m.c) / labels.length).toFixed(3)} (p=${m.p.toPrecision(2)})`;
};
row(['profile', 't (s)', 'compensation', 'method', 'accuracy [95 % CI]', 'Δ vs folded (McNemar p)', 'MVM calls', 'calibration s']);
row(['---', '---', '---', '---', '---', '---', '---', '---']);
row(['digital', '-', '-', 'GRASP', acc(digital, 'digital'), '-', '-', '-']);
for (const profile of profiles) {
  const chipFolded = Chip.program(folded, profile, {}, { chip: seed, read: seed });
  const chipBase = Chip.program(base, profile, {}, { chip: seed, read: seed });
  for (const t of times) {
    for (const compensation of compensations) {
      const tag = `${profile}/${t}/${compensation}`;
      const evalOn = (chip: Chip) => {
        const state = chip.at(t, { compensation });
        const att = attachChip(state, model);
        try {
          return evaluateDetailed(model, task, evalSet).predictions;
        } finally {
          att.detach();
          state.dispose();
        }
      };
      const pf = evalOn(chipFolded);
      row([profile, t, compensation, 'folded', acc(pf, `${tag}/folded`), '-', '-', '-']);
      loaded = await loadAdapter(adapterDir, model, { baseModel: modelDir });
      const pp = evalOn(chipBase);
      row([profile, t, compensation, 'periphery', acc(pp, `${tag}/periphery`), vs(pp, pf), '-', '-']);
      loaded.adapter.detach();
      for (const n of ns) {
        loaded = await loadAdapter(adapterDir, model, { baseModel: modelDir });
        const trainSet = encodeExamples(tokenizer, seededSubset(data.train, n, `${task.id}/train`), maxLength);
        const state = chipBase.at(t, { compensation });
        const r = calibrateOnChip({ model, adapter: loaded.adapter, state, kind: task.kind, examples: trainSet }, { steps, batchSize: 16, lr: 0.01, seed });
        const att = attachChip(state, model);
        const pc = evaluateDetailed(model, task, evalSet).predictions;
        att.detach();
        state.dispose();
        loaded.adapter.detach();
        row([profile, t, compensation, `cal-${n}`, acc(pc, `${tag}/cal-${n}`), vs(pc, pf), r.mvm.calls, r.seconds.toFixed(1)]);
        loaded = await loadAdapter(adapterDir, model, { baseModel: modelDir });
        loaded.adapter.loadState(controls.get(n)!, `digital-${n} control`);
        const pd = evalOn(chipBase);
        loaded.adapter.detach();
        row([profile, t, compensation, `digital-${n}`, acc(pd, `${tag}/digital-${n}`), vs(pd, pf), '-', '-']);
      }
    }
  }
}
