/**
 * How confident can a GPT-2 be about each target token when its final LayerNorm and its tied word
 * embeddings are frozen (every PEFT method here but full fine-tuning)? The logits are h·Eᵀ with
 * h = ln_f(x) = γ ⊙ x̂ + β and x̂ = (x − mean)/std, so whatever the blocks compute, h lives on a fixed
 * ellipsoid. For each distinct token v of brown-d2t's training targets (1,000 MRs × 3 references, as
 * d2t-tiny-gpt2) this script maximises log softmax(h·Eᵀ)_v over the free pre-LayerNorm vector x
 * (Adam, lr 0.05, 600 steps, x started at E_v/γ; a local optimum, so a lower bound on the best), and prints:
 *
 *   |h| ≤ max|γ|·√hidden + |β|
 *   p_max(v)   the best probability token v can get, quantiles over the distinct target tokens
 *   argmax     how many target tokens can be the argmax at their best h (greedy decoding can emit no other)
 *   CE floor   Σ_v f(v)·(−log p_max(v)) with f the token frequency. Proven floor: the same with h free
 *              in the ball |h| ≤ R (it holds every ln_f output; log p_v is concave in h, so projected
 *              Adam finds the global maximum): no model with ln_f and wte frozen has a lower loss
 *
 *   node --import tsx scripts/generation-head-bound.ts [model dir, default models/tiny-gpt2]
 *
 * No randomness (the optimisation starts from the embeddings).
 */
import { encodePairs, seededSubset, tf } from '../src/internal.js';
import { DEFAULT_DECODER, loadDecoderAndD2t } from './d2t-decoder.js';

const dir = process.argv[2] ?? DEFAULT_DECODER;
const { model, tok, task } = await loadDecoderAndD2t(dir);
const pairs = encodePairs(tok, seededSubset(task.load({}).train, 1000, 'brown-d2t/train'), 96);
const freq = new Map<number, number>();
let total = 0;
for (const p of pairs) for (const t of p.target) (freq.set(t, (freq.get(t) ?? 0) + 1), total++);
const ids = [...freq.keys()].sort((a, b) => a - b);
const { vocabSize: V, hiddenSize: H, layerNormEps: eps } = model.config;
const E = model.params.get('wte.weight') as tf.Tensor2D;
const g = model.params.get('ln_f.weight') as tf.Tensor1D, b = model.params.get('ln_f.bias') as tf.Tensor1D;
const hMax = tf.tidy(() => tf.add(tf.mul(tf.max(tf.abs(g)), Math.sqrt(H)), tf.norm(b)).dataSync()[0]);

const idT = tf.tensor1d(ids, 'int32');
const target = tf.oneHot(idT, V);
/** Maximises Σ_v log p_v over one free vector per token, mapped to h by `toH`, with `project` after each step. */
function maximise(init: tf.Tensor2D, toH: (x: tf.Tensor) => tf.Tensor, opt: tf.Optimizer, steps: number, project?: (x: tf.Variable) => void): [Float32Array, Uint8Array, tf.Tensor2D] {
  const x = tf.variable(init);
  const logProbs = () => tf.logSoftmax(tf.matMul(toH(x), E, false, true));
  for (let s = 0; s < steps; s++) {
    // Summed, not averaged: each token's vector is its own problem, stepped at the optimiser's rate.
    opt.minimize(() => tf.neg(tf.sum(tf.mul(logProbs(), target))) as tf.Scalar)?.dispose();
    project?.(x);
  }
  const out = tf.tidy(() => {
    const lp = logProbs();
    return [tf.sum(tf.mul(lp, target), 1).dataSync() as Float32Array, tf.equal(tf.argMax(lp, 1), idT).dataSync() as Uint8Array] as const;
  });
  const h = tf.tidy(() => toH(x)) as tf.Tensor2D;
  opt.dispose();
  x.dispose();
  return [out[0], out[1], h];
}
// Through ln_f itself (what the blocks can actually reach): a local maximum.
const [best, isMax, hBest] = maximise(tf.tidy(() => tf.div(tf.gather(E, idT), g)), (x) => {
  const c = tf.sub(x, tf.mean(x, 1, true));
  return tf.add(tf.mul(tf.mul(c, tf.rsqrt(tf.add(tf.mean(tf.square(c), 1, true), eps))), g), b);
}, tf.train.adam(0.05), 600);
// The ball |h| ≤ R holds every ln_f output; log p_v is concave in h, so projected ascent from the
// point above reaches the global maximum over the ball: a true floor. Plain steps of 0.5 ≤ 1/L (the
// Hessian of log-sum-exp is a covariance of rows of E, L ≤ max|E_u|² < 2 here) make every step an ascent.
const [ball] = maximise(hBest, (h) => h, tf.train.sgd(0.5), 1500, (h) =>
  tf.tidy(() => h.assign(tf.mul(h, tf.minimum(1, tf.div(hMax, tf.add(tf.norm(h, 2, 1, true), 1e-12)))))));
let ballFloor = 0;
ids.forEach((v, i) => (ballFloor += (freq.get(v)! / total) * -ball[i]));
const p = Array.from(best, Math.exp);
const sorted = [...p].sort((a, c) => a - c);
const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))].toFixed(3);
let floor = 0, winners = 0, winnerMass = 0;
ids.forEach((v, i) => {
  floor += (freq.get(v)! / total) * -best[i];
  if (isMax[i]) (winners++, (winnerMass += freq.get(v)!));
});
console.log(`${dir}: ${total} target tokens, ${ids.length} distinct; |h| ≤ ${hMax.toFixed(2)}`);
console.log(`p_max over distinct target tokens: 10 % ${q(0.1)}, median ${q(0.5)}, 90 % ${q(0.9)}`);
console.log(`can be the argmax: ${winners} of ${ids.length} distinct tokens (${((100 * winnerMass) / total).toFixed(1)} % of target tokens)`);
console.log(`cross-entropy with ln_f and wte frozen: ≥ ${ballFloor.toFixed(3)} nats per target token (any h with |h| ≤ ${hMax.toFixed(2)}); ${floor.toFixed(3)} at the best h through ln_f found`);
const frequent = [...freq].sort((a, c) => c[1] - a[1]).slice(0, 10);
console.log('most frequent:', frequent.map(([v]) => `${JSON.stringify(tok.decode([v]))} ${p[ids.indexOf(v)].toFixed(3)}`).join(', '));
