/**
 * bench/sigma-reach: does StochGRASP's σ reach σ_target within a shipped experiment's training, at the
 * default learning rates (sigmaLrScale 1)? The stochgrasp-study setting: models/tiny-roberta,
 * brown-genre (1024 training examples, length 64), K = 32, R = D_in, all linear Sites, λ 0.01,
 * 4 epochs of batch 32 (128 steps), lr 1e-3 with 6 % warm-up and linear decay, head lr 3e-3.
 * Prints the Sites' mean σ/σ_target before and after for each σ_target given (default 0.0045 ≈ the
 * pcm-aihwkit one-day random part, 0.02, 0.05) and the training time.
 *
 *   node --import tsx bench/sigma-reach.ts [--backend wasm] [--targets 0.02,0.05] [--lambda 0.01]
 */
import { getTask, numOutputs } from '../src/data/index.js';
import { loadTokenizer } from '../src/io/tokenizer/index.js';
import { loadModel } from '../src/io/index.js';
import { attachMethod } from '../src/peft/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { sigmaReport, train } from '../src/train/index.js';
import { flagReader } from './util.js';

const arg = flagReader(['backend', 'lambda', 'targets']);
await initBackend(arg('backend', 'wasm'));
const targets = arg('targets', '0.0045,0.02,0.05').split(',').map(Number);
const lambda = Number(arg('lambda', '0.01'));
const dir = 'models/tiny-roberta';
const task = getTask('brown-genre');
const data = task.load({});
const tokenizer = loadTokenizer(dir);
for (const target of targets) {
  const model = await loadModel(dir, { withHead: 'sequence-classification', numLabels: numOutputs(task), rng: new Rng(0, 'head-init') });
  const adapter = attachMethod(model, 'stochgrasp', { k: 32, rows: 'all', sites: 'all-linear', lambda, sigmaTarget: target }, new Rng(0, 'adapter'));
  const before = sigmaReport(adapter)!.meanRatio;
  const r = await train(
    { model, adapter, task, data, tokenizer },
    { epochs: 4, batchSize: 32, lr: 1e-3, headLr: 3e-3, warmupRatio: 0.06, weightDecay: 0, clipNorm: 1, maxLength: 64, trainExamples: 1024, evalExamples: 256, evalEvery: 'end', progress: 'none' },
  );
  const s = r.sigma!;
  console.log(`σ_target ${target}: σ/σ_target ${before.toFixed(3)} → ${s.meanRatio.toFixed(3)} (Sites' range ${Math.min(...s.sites.map((x) => x.mean / x.target)).toFixed(3)}–${Math.max(...s.sites.map((x) => x.mean / x.target)).toFixed(3)}), ${r.steps} steps, ${r.seconds.toFixed(0)} s, accuracy ${r.final[Object.keys(r.final)[0]].accuracy.toFixed(4)}`);
  adapter.detach();
  model.dispose();
}
