/**
 * bench/train: training throughput (tokens/s) of GRASP, StochGRASP (local and weight sampling),
 * LoRA (without and with its default dropout 0.1) and full fine-tuning — one optimiser step =
 * forward + backward + AdamW, as the trainer runs it — on the shipped model (models/tiny-roberta),
 * a small encoder and a roberta-base-shaped encoder (random weights; sequence 128), and the
 * fraction of plain-matMul GFLOP/s each achieves. Every method gets its own model instance and all
 * are attached at once; steps alternate method by method (the machine's speed drifts over seconds),
 * and `vs_lora_r8` is the median over iterations of a method's step time over LoRA r=8's in the
 * same iteration.
 *
 * Model FLOPs per step: forward 2·N·in·out per Site plus attention (4·N·S·H per block); backward
 * dx for every Site and twice the attention's; weight gradients only where the method computes
 * them (full FT: every Site; StochGRASP 'weight' and 'sequence': its Sites — 'sequence' also runs two
 * more products of the forward's size per Site, not counted; others: none). --model deep is models/deep-roberta. Achieved GFLOP/s =
 * those FLOPs / step time; the reference is a plain forward matMul of the FFN's shape.
 *
 *   node --import tsx bench/train.ts [--backend wasm] [--model shipped|deep|small|base|all] [--steps 3] [--rounds 5] [--batch 4] [--seq 128]
 *   (the base model runs each method beside LoRA r=8 in its own process: the wasm heap only grows and
 *   caps at 4 GB, and holds two roberta-base training instances at batch 1, not three; batch 4 × 128
 *   does not fit one. --only 'grasp k=32 all-linear,lora r=8 qv,…' picks methods.)
 */
import { loadModel } from '../src/io/index.js';
import { createModel, headLogits, parseConfig, type Model, type ModelInputs } from '../src/model/index.js';
import { attachMethod, headParamNames, ParamTuning } from '../src/peft/index.js';
import { crossEntropy, AdamW } from '../src/train/index.js';
import { initBackend, Rng, tf } from '../src/tensor/index.js';
import { flagReader, gflops, report, sync, timeMs } from './util.js';

const arg = flagReader(['backend', 'batch', 'model', 'only', 'rounds', 'seq', 'steps']);
const info = await initBackend(arg('backend', 'wasm'));
const steps = Number(arg('steps', '3'));
const batch = Number(arg('batch', '4'));
const rounds = Number(arg('rounds', '5'));
const seq = Number(arg('seq', '128'));

const SHAPES = {
  small: { hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 1024, vocab_size: 8000 },
  base: { hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, vocab_size: 50265 },
};

const METHODS: [string, string, Record<string, unknown>][] = [
  ['grasp k=32 all-linear', 'grasp', { k: 32 }],
  ['stochgrasp local k=32 all-linear', 'stochgrasp', { k: 32, sampling: 'local' }],
  // The same fused layer op as StochGRASP's R = 1 term without σ and noise: what the noise costs.
  ['grasp-weight k=32 all-linear', 'grasp-weight', { k: 32 }],
  ['stochgrasp local k=32 kvff2', 'stochgrasp', { k: 32, sampling: 'local', sites: 'kvff2' }],
  ['stochgrasp weight k=32 all-linear', 'stochgrasp', { k: 32, sampling: 'weight' }],
  ['stochgrasp local k=4 rows=all kvff2', 'stochgrasp', { k: 4, rows: 'all', sites: 'kvff2', sampling: 'local' }],
  // R = D_in (the paper's robustness setting), the three sampling modes against their deterministic twin.
  ['grasp-weight k=32 rows=all all-linear', 'grasp-weight', { k: 32, rows: 'all' }],
  ['stochgrasp weight k=32 rows=all all-linear', 'stochgrasp', { k: 32, rows: 'all', sampling: 'weight' }],
  ['stochgrasp sequence k=32 rows=all all-linear', 'stochgrasp', { k: 32, rows: 'all', sampling: 'sequence' }],
  ['stochgrasp local k=32 rows=all all-linear', 'stochgrasp', { k: 32, rows: 'all', sampling: 'local' }],
  ['lora r=8 qv', 'lora', { rank: 8, dropout: 0 }],
  ['lora r=8 qv dropout=0.1 (default)', 'lora', { rank: 8 }],
  ['full', 'full', {}],
];

function modelOf(shape: Record<string, number>): Model {
  const config = parseConfig({
    model_type: 'roberta', max_position_embeddings: seq + 2, type_vocab_size: 1, pad_token_id: 1, layer_norm_eps: 1e-5, num_labels: 2, ...shape,
  }, 'bench');
  return createModel(config, new Rng(0, 'bench'), { head: 'sequence-classification', numLabels: 2 });
}

function inputsOf(vocab: number): { inputs: ModelInputs; labels: tf.Tensor1D } {
  const rng = new Rng(1, 'bench/inputs');
  const ids = Int32Array.from({ length: batch * seq }, () => 3 + rng.int(vocab - 3));
  return {
    inputs: { inputIds: tf.tensor2d(ids, [batch, seq], 'int32'), attentionMask: tf.ones([batch, seq]) as tf.Tensor2D },
    labels: tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => i % 2), 'int32'),
  };
}

/** Model FLOPs of one step for a method that computes weight gradients on `dwSites`. */
function stepFlops(model: Model, dwSites: Set<string>): number {
  const N = batch * seq, H = model.config.hiddenSize, L = model.config.numLayers;
  let fwd = 0, dw = 0;
  for (const s of model.sites.values()) {
    if (s.role === 'head') continue;
    fwd += 2 * N * s.inFeatures * s.outFeatures;
    if (dwSites.has(s.name)) dw += 2 * N * s.inFeatures * s.outFeatures;
  }
  const attn = L * 4 * N * seq * H;
  return (fwd + attn) * 2 + attn + dw; // forward + dx (same as forward) + attention backward extra + dW
}

const rows: Record<string, Record<string, number | string>> = {};
const LORA = 'lora r=8 qv';
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const only = arg('only', '');
const models = arg('model', 'all') === 'all' ? ['shipped', 'small', 'base'] : [arg('model', 'all')];
if (models.includes('base') && !only) {
  // The wasm heap never shrinks (and caps at 4 GB): each method on the large model runs in its own
  // process, one after another.
  const { spawnSync } = await import('node:child_process');
  for (const which of models.filter((m) => m !== 'base')) {
    spawnSync(process.execPath, ['--import', 'tsx', process.argv[1], ...process.argv.slice(2).filter((a, i, all) => a !== '--model' && all[i - 1] !== '--model'), '--model', which], { stdio: 'inherit' });
  }
  // Two roberta-base training instances fit the heap, three do not: each method beside LoRA r=8.
  for (const [label] of METHODS.filter(([l]) => l !== LORA)) {
    spawnSync(process.execPath, ['--import', 'tsx', process.argv[1], ...process.argv.slice(2).filter((a, i, all) => a !== '--model' && all[i - 1] !== '--model'), '--model', 'base', '--only', `${label},${LORA}`], { stdio: 'inherit' });
  }
  process.exit(0);
}
const loadFor = async (which: string): Promise<Model> =>
  which === 'shipped' || which === 'deep'
    ? loadModel(which === 'deep' ? 'models/deep-roberta' : 'models/tiny-roberta', { withHead: 'sequence-classification', numLabels: 2, rng: new Rng(0, 'head-init') })
    : modelOf(SHAPES[which as keyof typeof SHAPES]);

for (const which of models) {
  const chosen = METHODS.filter(([l]) => !only || only.split(',').includes(l));
  // One model instance per method, all attached at once, so that steps can alternate method by
  // method: the machine's speed drifts over seconds, and adjacent steps see the same machine.
  const runs = [];
  for (const [label, method, options] of chosen) {
    const model = await loadFor(which);
    const adapter = attachMethod(model, method, options, new Rng(0));
    const head = new ParamTuning('head', model, headParamNames(model), {});
    const params = [...adapter.trainable(), ...head.trainable()].map((t) => ({ variable: t.variable, decay: t.decay, lrScale: t.lrScale ?? 1 }));
    const vars = params.map((p) => p.variable);
    const opt = new AdamW(params, { weightDecay: 0.01 });
    const rng = new Rng(2, 'bench/steps');
    const step = () => {
      adapter.setMode({ kind: 'train', rng });
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const loss = crossEntropy(headLogits(model, inputs, { training: true, rng }), labels);
          const p = adapter.penalty?.();
          return (p ? tf.add(loss, p) : loss) as tf.Scalar;
        }, vars);
        value.dataSync();
        opt.step(grads, 1e-4);
      });
    };
    const dwSites = new Set(method === 'full' || (method === 'stochgrasp' && (options.sampling === 'weight' || options.sampling === 'sequence')) ? adapter.sites : []);
    runs.push({ label, model, step, flops: stepFlops(model, dwSites), times: [] as number[], dispose: () => { opt.dispose(); head.detach(); adapter.detach(); model.dispose(); } });
  }
  const c = runs[0].model.config;
  const { inputs, labels } = inputsOf(c.vocabSize);
  const H = c.hiddenSize, F = c.intermediateSize, N = batch * seq;
  const a = tf.randomNormal([N, H]) as tf.Tensor2D, w = tf.randomNormal([H, F]) as tf.Tensor2D;
  const plainRuns: number[] = [];
  for (const r of runs) for (let i = 0; i < 2; i++) r.step();
  for (let i = 0; i < rounds * steps; i++) {
    if (i % steps === 0) plainRuns.push(gflops(2 * N * H * F, timeMs(() => sync(() => tf.matMul(a, w)), 3)));
    for (const r of runs) {
      const t0 = performance.now();
      r.step();
      r.times.push(performance.now() - t0);
    }
  }
  const plain = median(plainRuns);
  // Each method's step time over LoRA r=8's in the same iteration, median over iterations.
  const ref = runs.find((r) => r.label === LORA);
  for (const r of runs) {
    const ms = median(r.times), g = gflops(r.flops, ms);
    const row: Record<string, number | string> = { ms_per_step: ms, tokens_per_s: (N / ms) * 1000, model_gflops: g, fraction_of_plain: g / plain };
    if (ref) row.vs_lora_r8 = median(r.times.map((v, i) => v / ref.times[i]));
    rows[`${which}/${r.label}`] = row;
    report(`  ${r.label}`, row);
    r.dispose();
  }
  report(`  plain matMul [${N}×${H}]·[${H}×${F}] (median)`, { gflops: plain });
  a.dispose();
  w.dispose();
  inputs.inputIds.dispose();
  inputs.attentionMask?.dispose();
  labels.dispose();
}
