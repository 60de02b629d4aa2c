/**
 * AdamW (Loshchilov & Hutter 2019) as PyTorch implements it: decoupled weight decay
 *   p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + ε),  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
 * with per-parameter decay on/off and a learning-rate multiplier (e.g. a separate head rate).
 * Moments are kept tensors owned by the optimiser (`dispose`).
 *
 * Small parameters (GRASP's γ and β, biases, LoRA factors: ≤ 65,536 values each) are updated as one
 * flat vector — one concat, a dozen elementwise kernels, one split (tensor/wasm-slice.ts: one heap
 * copy each way on wasm, whatever the parameters' shapes) — instead of ten kernels per parameter;
 * with hundreds of small parameters the per-kernel overhead would otherwise rival the model's own step
 * on small models. Large parameters keep their own slots.
 */
import { concatFlat, splitShapes, tf } from '../tensor/index.js';

export interface OptimParam {
  variable: tf.Variable;
  /** Apply weight decay to this parameter. */
  decay: boolean;
  /** Multiplier of the scheduled learning rate (default 1). */
  lrScale?: number;
}

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

interface Slot {
  p: OptimParam;
  m: tf.Variable;
  v: tf.Variable;
}

/** Parameters updated as one flat vector. */
interface FlatGroup {
  params: OptimParam[];
  m: tf.Variable;
  v: tf.Variable;
  /** Per element: the parameter's lr multiplier, and multiplier × (decay ? 1 : 0). */
  lrScale: tf.Tensor1D;
  decayScale: tf.Tensor1D;
}

const FLAT_LIMIT = 65536;

/** AdamW.getState: the step count and every moment tensor's values, in the optimiser's slot order. */
export interface AdamWState {
  t: number;
  moments: Float32Array[];
}

export class AdamW {
  private readonly slots: Slot[];
  private t = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(params: OptimParam[], options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    const zeros = (v: tf.Variable) => {
      const z = tf.zerosLike(v);
      const out = tf.variable(z, false);
      z.dispose();
      return out;
    };
    const small = params.filter((p) => p.variable.size <= FLAT_LIMIT);
    const large = small.length > 1 ? params.filter((p) => p.variable.size > FLAT_LIMIT) : params;
    this.slots = large.map((p) => ({ p, m: zeros(p.variable), v: zeros(p.variable) }));
    this.flat = null;
    if (small.length > 1) {
      const sizes = small.map((p) => p.variable.size);
      const total = sizes.reduce((a, b) => a + b, 0);
      const lr = new Float32Array(total), decay = new Float32Array(total);
      let at = 0;
      small.forEach((p, i) => {
        lr.fill(p.lrScale ?? 1, at, at + sizes[i]);
        decay.fill(p.decay ? p.lrScale ?? 1 : 0, at, at + sizes[i]);
        at += sizes[i];
      });
      const z = () => {
        const t = tf.zeros([total]);
        const out = tf.variable(t, false);
        t.dispose();
        return out;
      };
      this.flat = { params: small, m: z(), v: z(), lrScale: tf.keep(tf.tensor1d(lr)), decayScale: tf.keep(tf.tensor1d(decay)) };
    }
  }

  private flat: FlatGroup | null;

  get stepCount(): number {
    return this.t;
  }

  /**
   * One update from `grads` (by variable name), each multiplied by `gradScale` first (gradient
   * clipping). Creates no lasting tensors.
   */
  step(grads: Readonly<Record<string, tf.Tensor>>, lr: number, gradScale = 1): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this;
    const bc1 = 1 - b1 ** this.t, bc2 = 1 - b2 ** this.t;
    tf.tidy(() => {
      const f = this.flat;
      if (f) {
        const g0 = concatFlat(f.params.map((p) => grads[p.variable.name] ?? tf.zerosLike(p.variable)));
        const g = gradScale === 1 ? g0 : tf.mul(g0, gradScale);
        f.m.assign(tf.add(tf.mul(f.m, b1), tf.mul(g, 1 - b1)));
        f.v.assign(tf.add(tf.mul(f.v, b2), tf.mul(tf.square(g), 1 - b2)));
        const update = tf.mul(tf.div(tf.div(f.m, bc1), tf.add(tf.sqrt(tf.div(f.v, bc2)), eps)), tf.mul(f.lrScale, lr));
        const keep = tf.sub(1, tf.mul(f.decayScale, lr * this.weightDecay));
        const current = concatFlat(f.params.map((p) => p.variable));
        const next = splitShapes(tf.sub(tf.mul(current, keep), update) as tf.Tensor1D, f.params.map((p) => p.variable.shape));
        f.params.forEach((p, i) => p.variable.assign(next[i]));
      }
      for (const { p, m, v } of this.slots) {
        const g0 = grads[p.variable.name];
        if (!g0) continue;
        const g = gradScale === 1 ? g0 : tf.mul(g0, gradScale);
        const rate = lr * (p.lrScale ?? 1);
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        const decayed = p.decay && this.weightDecay > 0 ? tf.mul(p.variable, 1 - rate * this.weightDecay) : p.variable;
        p.variable.assign(tf.sub(decayed, tf.mul(update, rate)));
      }
    });
  }

  /** Step count and moments (flat group first, then each large parameter: m, v), for checkpoints. */
  getState(): AdamWState {
    const moments: Float32Array[] = [];
    const pair = (m: tf.Variable, v: tf.Variable) => moments.push(m.dataSync() as Float32Array, v.dataSync() as Float32Array);
    if (this.flat) pair(this.flat.m, this.flat.v);
    for (const s of this.slots) pair(s.m, s.v);
    return { t: this.t, moments };
  }

  /** Restores a `getState` of an optimiser over the same parameters (checked: count and sizes). */
  setState(state: AdamWState): void {
    const targets: tf.Variable[] = [];
    if (this.flat) targets.push(this.flat.m, this.flat.v);
    for (const s of this.slots) targets.push(s.m, s.v);
    if (!Number.isInteger(state.t) || state.t < 0) throw new Error(`AdamW.setState: step count must be an integer ≥ 0, got ${state.t}`);
    if (state.moments.length !== targets.length) throw new Error(`AdamW.setState: ${state.moments.length} moment tensors for an optimiser with ${targets.length}; the checkpoint is of other parameters`);
    targets.forEach((v, i) => {
      if (state.moments[i].length !== v.size) throw new Error(`AdamW.setState: moment ${i} has ${state.moments[i].length} values, the optimiser's has ${v.size}; the checkpoint is of other parameters`);
    });
    tf.tidy(() => targets.forEach((v, i) => v.assign(tf.tensor(state.moments[i], v.shape))));
    this.t = state.t;
  }

  dispose(): void {
    for (const s of this.slots) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.length = 0;
    if (this.flat) {
      this.flat.m.dispose();
      this.flat.v.dispose();
      this.flat.lrScale.dispose();
      this.flat.decayScale.dispose();
      this.flat = null;
    }
  }
}
