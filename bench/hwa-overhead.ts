/**
 * bench/hwa-overhead: step time of hardware-aware training (training.hwa, src/train/hwa.ts) against
 * plain training, in hwa-study.json's setting: models/tiny-roberta, brown-genre (length 64), batch 32,
 * analog Sites all-linear, σ = 0.0175·max|W|. Per method (GRASP K=32 all-linear; LoRA r=8 on q,v):
 * plain and HWA runs alternate (`--rounds` each, default 2) so that load from other processes hits both;
 * each run takes `--steps` optimiser steps (default 24) and the median step time after the first 4 is reported.
 *
 *   node --import tsx bench/hwa-overhead.ts [--backend wasm] [--steps 24] [--rounds 2]
 */
import { getTask, numOutputs } from '../src/data/index.js';
import { loadTokenizer } from '../src/io/tokenizer/index.js';
import { loadModel } from '../src/io/index.js';
import { attachMethod } from '../src/peft/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { train, type HwaOptions } from '../src/train/index.js';
import { flagReader } from './util.js';

const arg = flagReader(['backend', 'rounds', 'steps']);
const backend = arg('backend', 'wasm');
await initBackend(backend);
const steps = Number(arg('steps', '24')), rounds = Number(arg('rounds', '2'));
const dir = 'models/tiny-roberta';
const task = getTask('brown-genre');
const data = task.load({});
const tokenizer = loadTokenizer(dir);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function stepMs(method: string, options: Record<string, unknown>, lr: number, hwa?: HwaOptions): Promise<number> {
  const model = await loadModel(dir, { withHead: 'sequence-classification', numLabels: numOutputs(task), rng: new Rng(0, 'head-init') });
  const adapter = attachMethod(model, method, options, new Rng(0, 'adapter'));
  const times: number[] = [];
  let last = performance.now();
  await train({ model, adapter, task, data, tokenizer }, {
    maxSteps: steps, batchSize: 32, lr, maxLength: 64, trainExamples: 512, evalExamples: 32, evalEvery: 'end', progress: 'none', hwa,
    onStep: () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
  });
  adapter.detach();
  model.dispose();
  return median(times.slice(4));
}

const hwa: HwaOptions = { sites: 'all-linear', type: 'additive-constant', stdDev: 0.0175 };
for (const [name, method, options, lr] of [
  ['GRASP K=32 all-linear', 'grasp', { k: 32, sites: 'all-linear' }, 0.01],
  ['LoRA r=8 q,v', 'lora', { rank: 8, alpha: 16, sites: 'qv' }, 0.003],
] as const) {
  const plain: number[] = [], noisy: number[] = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(await stepMs(method, options, lr));
    noisy.push(await stepMs(method, options, lr, hwa));
  }
  const p = Math.min(...plain), h = Math.min(...noisy);
  console.log(`${name} (${backend}): plain ${p.toFixed(1)} ms/step, HWA ${h.toFixed(1)} ms/step, overhead ${(((h - p) / p) * 100).toFixed(1)} % (best of ${rounds} runs' medians, ${steps} steps, batch 32, length 64)`);
}
