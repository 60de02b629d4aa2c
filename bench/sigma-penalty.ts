/**
 * bench/sigma-penalty: which reduction of StochGRASP's σ penalty reproduces the paper's behaviour
 * (σ grows toward σ_target while accuracy holds)?
 *
 *   1. A small RoBERTa-shaped encoder is fully fine-tuned on a separable toy task (the "pre-trained"
 *      base that already solves it).
 *   2. StochGRASP is trained on top with the literal sum over weight elements ('sum') and with the
 *      mean ('mean'), for λ ∈ {0.01, 0.1}, σ_target = 0.05 (weight units; the base's weights have
 *      std ≈ 0.05).
 *   3. Reported per run: mean learned σ / σ_target, accuracy with the mean weights, and accuracy
 *      under injected N(0, σ_target²) weight noise on the adapted Sites (the paper's protocol,
 *      mean of 8 draws), next to the deterministic grasp-weight counterpart.
 *
 *   node --import tsx bench/sigma-penalty.ts [--backend cpu]
 */
import type { Example } from '../src/data/index.js';
import { configToJson, createModel, parseConfig, tinyConfig } from '../src/model/index.js';
import { attachMethod, isNoiseAware, ParamTuning, type Adapter } from '../src/peft/index.js';
import { evaluate } from '../src/eval/index.js';
import { encodeExamples } from '../src/data/index.js';
import { train } from '../src/train/index.js';
import { hash32, initBackend, Rng } from '../src/tensor/index.js';

const arg = process.argv.indexOf('--backend');
await initBackend(arg > 0 ? process.argv[arg + 1] : 'cpu');

const VOCAB = 80;
const tokenizer = {
  padId: 1,
  encodeBatch(inputs: readonly (string | readonly [string, string])[], o: { maxLength?: number } = {}) {
    const rows = inputs.map((x) => [0, ...String(x).split(' ').map((w) => 3 + (hash32(w) % (VOCAB - 3))).slice(0, (o.maxLength ?? 64) - 2), 2]);
    return { inputIds: rows, attentionMask: rows.map((r) => r.map(() => 1)), tokenTypeIds: rows.map((r) => r.map(() => 0)) };
  },
};
const GOOD = ['great', 'fine', 'lovely', 'superb', 'nice', 'brilliant'], BAD = ['awful', 'poor', 'dreadful', 'bad', 'grim', 'dull'];
const FILL = ['the', 'a', 'movie', 'was', 'plot', 'and', 'it', 'very', 'actor', 'story', 'seen', 'long'];
function examples(n: number, seed: number): Example[] {
  const rng = new Rng(seed, 'sigma-bench');
  return Array.from({ length: n }, () => {
    const label = rng.int(2);
    const words = Array.from({ length: 1 + rng.int(3) }, () => FILL[rng.int(FILL.length)]);
    words.splice(rng.int(words.length + 1), 0, (label ? GOOD : BAD)[rng.int(6)]);
    return { input: words.join(' '), label };
  });
}
const task = {
  id: 'toy', description: 'toy', kind: 'classification' as const, labels: ['neg', 'pos'], metrics: ['accuracy' as const], primaryMetric: 'accuracy' as const,
  evalSplits: ['validation'], needsDataDir: false, load: () => ({ train: examples(256, 1), evaluation: { validation: examples(128, 2) } }),
};
const data = task.load();
const evalSet = encodeExamples(tokenizer, data.evaluation.validation, 64);

function baseModel() {
  const small = tinyConfig({ architecture: 'roberta', hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 64, vocabSize: VOCAB, maxPositions: 70, numLabels: 2 });
  const config = parseConfig({ ...configToJson(small), initializer_range: 0.05 }, 'sigma-bench');
  return createModel(config, new Rng(1, 'sigma-bench'), { head: 'sequence-classification', numLabels: 2 });
}

// 1. The base: full fine-tuning until it solves the task.
const model = baseModel();
const fullFt = attachMethod(model, 'full', {}, new Rng(0));
const pre = await train({ model, adapter: fullFt, task, data, tokenizer }, { epochs: 8, batchSize: 16, lr: 5e-3, progress: 'none' });
(fullFt as ParamTuning).commit(); // the base now holds the fine-tuned weights
console.log(`base (full FT): accuracy ${pre.final.validation.accuracy.toFixed(3)}`);

const TARGET = Number(process.env.SIGMA_TARGET ?? 0.05);
function noisyAccuracy(adapter: Adapter, sigma: number, draws = 8): number {
  let acc = 0;
  for (let d = 0; d < draws; d++) {
    adapter.setMode({ kind: 'sample', rng: new Rng(100 + d, 'noise'), sigma });
    acc += evaluate(model, task, evalSet).accuracy;
  }
  adapter.setMode({ kind: 'eval' });
  return acc / draws;
}

const runs: [string, Record<string, unknown>][] = [
  ['grasp-weight', { k: 4, rows: 'all' }],
  ...(['sum', 'mean'] as const).flatMap((penalty) => [0.01, 0.1].map((lambda) => ['stochgrasp', { k: 4, rows: 'all', penalty, lambda, sigmaTarget: TARGET }] as [string, Record<string, unknown>])),
];
for (const [method, options] of runs) {
  const adapter = attachMethod(model, method, options, new Rng(0));
  const trajectory: string[] = [];
  const result = await train({ model, adapter, task, data, tokenizer }, {
    epochs: 10, batchSize: 16, lr: Number(process.env.LR ?? 5e-2), progress: 'none', trainHead: false,
    onEvaluate: (r) => {
      if (isNoiseAware(adapter) && adapter.sigmaSummary().length) {
        const s = adapter.sigmaSummary();
        const mean = s.reduce((x, y) => x + y.mean, 0) / s.length;
        trajectory.push(`${(mean / TARGET).toFixed(2)}`);
      } else trajectory.push('-');
      void r;
    },
  });
  const label = method === 'stochgrasp' ? `stochgrasp penalty=${options.penalty} λ=${options.lambda}` : method;
  console.log(
    `${label}: σ/σ_target per epoch [${trajectory.join(' ')}] accuracy(mean W) ${result.final.validation.accuracy.toFixed(3)} ` +
      `accuracy under N(0, σ_target²) ${noisyAccuracy(adapter, TARGET).toFixed(3)}`,
  );
  adapter.detach();
}
