/**
 * StochGRASP (paper eq. 5–6) and its deterministic counterpart 'grasp-weight'.
 *
 * For each selected Site W ∈ R^{D_in×D_out}: ΔW_ij ~ N(μ_{f(i),g(j)}, σ_{f(i),g(j)}²), where g
 * assigns the D_out columns to K seeded groups (as GRASP groups inputs, grouping.ts) and f assigns
 * the D_in rows to R groups: R = 1 (one distribution per column group), R = D_in ('all': K
 * distributions per row, the paper's robustness setting), or any R between (seeded groups).
 * μ starts at 0; σ starts uniformly in [0.001, 0.005] (init stream of the Site); the variable is ln σ.
 *
 * Training draws a fresh reparameterised sample every forward pass:
 *   sampling 'weight'  ΔW = μ̂ + σ̂⊙ε, ε ~ N(0, 1)^{D_in×D_out}, y = x·(W + ΔW) + b — one sample per
 *                      step shared by the batch, exactly eq. 5. The backward pass needs the full
 *                      dΔW = xᵀ·dy (a weight-sized matmul per Site), reduced to groups by indicators.
 *   sampling 'sequence' one ΔW_b = μ̂ + σ̂⊙ε_b per sequence b of the batch, shared by all its tokens —
 *                      what a programmed chip does to a deployed adapter (one weight error for the
 *                      whole input): y_b = x_b·(W + μ̂) + b + x_b·(σ̂⊙ε_b), the last term a batched
 *                      matmul with B weight-sized samples (B× the cost of 'weight' in noise draws; sequence-noise.ts).
 *   sampling 'local'   the local reparameterisation (Kingma, Salimans & Welling 2015): the
 *                      pre-activation x·ΔW is Gaussian with mean x·μ̂ and variance x²·σ̂², so it is
 *                      sampled directly per token, y = x·W + b + x·μ̂ + √(x²·σ̂²)⊙ξ. Same marginal per
 *                      token, independent across tokens; no weight-sized matmul or sample. Both
 *                      terms factor through the groups: x·μ̂ = ((x·Fᵀ)·μ)·E with F, E the row and
 *                      column indicators — for R = 1, x·Fᵀ is just the row sum of x.
 * Loss term (added by the trainer through `penalty()`): λ·Σ_sites Σ_ij (σ_{f(i),g(j)} − σ_target)²,
 * the literal sum over every weight element ('sum', default), or that sum divided by the number of
 * elements ('mean'; bench/sigma-penalty.ts compares them). With AdamW what matters is whether the
 * penalty's gradient on σ outweighs the task's: the mean's is the sum's divided by the number of
 * weight elements of all adapted Sites.
 * The sum does dominate the reported loss, not the μ updates: Adam normalises per parameter and the
 * penalty has no μ gradient.
 *
 * σ's step (`sigmaScale` below): ln σ is stepped at lr/c with c the logarithmic mean of 0.003 and
 * σ_target, so reaching σ_target takes about |σ_target − 0.003|/lr AdamW steps at full rate (twice that
 * under warm-up + linear decay) — as if σ moved linearly in weight units like μ — while each step stays
 * relative to σ. With a plain softplus/log parameterisation σ moved only ≈ lr per step in log σ and
 * reached σ_target only with a learning-rate multiplier of ≈ 100. test/train/noise-aware.test.ts:
 * at the trainer's default lr 1e-3 and λ 0.1, 120 steps take σ/σ_target from ≈ 0.15 into [0.8, 1.25];
 * with λ = 0 it stays near 0.15. `sigmaLrScale` (default 1) multiplies σ's step, an ablation knob.
 *
 * Training noise (ε, ξ) is drawn from keyed counter-based streams (tensor/random.ts, a fresh key from
 * the training Rng per Site and step): an integer hash of (key, element index) through the
 * Box–Muller transform in float32, computed inside the Site's SIMD pass on wasm (tensor/local-noise.ts)
 * and identical on every backend. A chip drawn for `sample` mode uses the exact ziggurat.
 *
 * Evaluation: `eval` mode uses the mean weights W + μ̂ (computed as x·W + x·μ̂, no weight copy);
 * `sample` mode draws one ΔW for the whole evaluation, optionally with σ replaced by an injected
 * noise level. Merge: W' = W + μ̂ (the deployed weights).
 *
 * 'grasp-weight' learns μ only (no σ, no sampling, no penalty), same grouping.
 *
 * Saved keys: `<site>.stochgrasp_mu`, `<site>.stochgrasp_log_sigma` [R, K] (σ = exp of it, weight
 * units); `<site>.grasp_weight_mu` [R, K]. Adapters saved with `<site>.stochgrasp_rho` (σ = softplus(ρ),
 * before ln σ was stored) load as the same σ.
 */
import type { Site, SiteNext, Transformer } from '../model/index.js';
import { sequenceNoise } from './sequence-noise.js';
import {
  customOp, FrozenMatrix, keyedNormalTensor, linear, noiseKey, randomNormalTensor, Rng, tf, tidyRead, toFloat32,
} from '../tensor/index.js';
import {
  registerMethod,
  type AdapterMode,
  type MergedWeights,
  type ModelShape,
  type NamedTensors,
  type NoiseAwareAdapter,
  type SigmaSummary,
  type SiteShape,
  type TrainableVariable,
} from './adapter.js';
import { groupingRng } from './grasp.js';
import { checkGroupCount, GroupExpander, makeGrouping, StackedExpander, type Grouping } from './grouping.js';
import { PassCache } from './pass-cache.js';
import { OptionReader } from './options.js';
import { selectSites } from './sites.js';
import { assignFrom, checkState, newVariable, plain, siteWeights } from './tensors.js';

export type PenaltyReduction = 'sum' | 'mean';
export type Sampling = 'weight' | 'sequence' | 'local';

export interface WeightGraspOptions {
  /** Column groups per Site. */
  k: number;
  /** Row groups: a count, or 'all' for one per input row. */
  rows: number | 'all';
  sites: string;
  seed: number;
}

export interface StochGraspOptions extends WeightGraspOptions {
  lambda: number;
  /** σ_target in weight units, one number or one per Site name (a '*' entry is the default). */
  sigmaTarget: number | Record<string, number>;
  penalty: PenaltyReduction;
  sampling: Sampling;
  /** Learning-rate multiplier of σ's parameter s (σ = |s|); 1 by default, an ablation knob. */
  sigmaLrScale: number;
}

const BASE_DOCS = {
  k: 'column groups per Site, 1 ≤ k ≤ output dimension; default 32',
  rows: "row groups: 1 (default), 'all' (= input dimension, the paper's robustness setting) or any count in between",
  sites: 'Site selector: all-linear | kvff2 | ff2 | qv | names | suffixes | /regex/; default all-linear',
  seed: 'grouping seed; default 0',
};

const STOCH_DOCS = {
  ...BASE_DOCS,
  lambda: 'weight λ of the σ penalty (paper range 0.01–0.1); default 0.01',
  sigmaTarget: 'σ_target (weight units): a number or {site: σ}; default 0.01',
  penalty: "'sum' over every weight element as in the paper (default), or 'mean' (sum / elements)",
  sigmaLrScale: 'learning-rate multiplier of σ (an ablation knob; σ reaches σ_target at the default 1); default 1',
  sampling: "'weight' (one ΔW per step, eq. 5), 'sequence' (one ΔW per sequence, shared by its tokens, as on a chip) or 'local' (local reparameterisation, one draw per token, cheapest); default local",
};

const SIGMA_INIT: [number, number] = [0.001, 0.005];

/**
 * σ's optimiser step. The variable is ℓ = ln σ, stepped at lr/c: the optimiser sees c·ln σ, so σ moves
 * by σ/c times what it would move were σ itself the variable. c is the logarithmic mean of σ's
 * starting value σ₀ = 0.003 (the middle of its initial range) and σ_target,
 *   c = (σ_target − σ₀) / ln(σ_target/σ₀),
 * the one scale for which ∫ c/σ dσ from σ₀ to σ_target equals |σ_target − σ₀|: reaching the target
 * takes as many AdamW steps of size lr as moving σ linearly, in weight units, like μ — about
 * |σ_target − σ₀|/lr steps at full rate — while every step stays relative (σ stays positive, and
 * task-gradient noise moves σ by a fraction of itself, not by lr). Targets under 1e-3 count as 1e-3
 * (an ideal device gives ≈ 1e-10; anything smaller is negligible next to trained weights).
 */
const SIGMA_START = 0.003;
const SIGMA_NEGLIGIBLE = 1e-3;
function sigmaScale(target: number): number {
  const t = Math.max(target, SIGMA_NEGLIGIBLE);
  return Math.abs(t - SIGMA_START) < 1e-9 ? t : (t - SIGMA_START) / Math.log(t / SIGMA_START);
}

type RowMode = 'one' | 'each' | 'groups';

/** Number of row groups of a Site for the `rows` option. */
function rowCount(rows: number | 'all', s: { name: string; inFeatures: number }, method: string): number {
  if (rows === 'all') return s.inFeatures;
  checkGroupCount(rows, s.inFeatures, `${method}: rows for Site ${s.name} (input dimension ${s.inFeatures})`);
  return rows;
}

interface WeightSite {
  site: Site;
  rowMode: RowMode;
  rows: number;
  cols: GroupExpander;
  rowGroups: GroupExpander | null;
  /** Fᵀ [D_in, R] as a frozen matrix: x·Fᵀ sums x over each row group. */
  rowSum: FrozenMatrix | null;
  mu: tf.Variable;
  /** ln σ [R, K], σ in weight units (null for grasp-weight). */
  logSigma: tf.Variable | null;
  /** n_r·m_k: weight elements per (row group, column group) [R, K]. */
  counts: tf.Tensor2D | null;
  target: number;
  /** W + ΔW drawn for `sample` mode. */
  sampled: tf.Tensor2D | null;
  detach: () => void;
}

/**
 * y + m·E + ξ⊙√(v·E + 1e-20) for the row-group projections m = x·Fᵀ·μ, v = x²·Fᵀ·σ² [N, K] of R > 1,
 * as one op: the composed version (concat, one expansion, two slices) spent its backward pass in
 * Pad and broadcast-gradient kernels. Backward: dy passes through, dm = dy·Eᵀ,
 * dv = (dy⊙ξ / (2√(v·E + 1e-20)))·Eᵀ.
 */
function groupedLocalTerm(y: tf.Tensor2D, m: tf.Tensor2D, v: tf.Tensor2D, cols: GroupExpander, xi: tf.Tensor): tf.Tensor2D {
  const { e, et } = cols;
  return customOp((inputs, save) => {
    const [ys, ms, vs] = inputs as tf.Tensor2D[];
    const sd = tf.sqrt(tf.add(tf.matMul(vs, e), 1e-20));
    save([sd, xi]);
    return {
      value: tf.add(tf.add(ys, tf.matMul(ms, e)), tf.mul(xi, sd)),
      gradFunc: (dy, [ssd, sxi]) => [dy, tf.matMul(dy as tf.Tensor2D, et), tf.matMul(tf.div(tf.mul(dy, sxi), tf.mul(ssd, 2)) as tf.Tensor2D, et)],
    };
  })(y, m, v) as tf.Tensor2D;
}

/** R = 1 Sites with the same output dimension: their μ̂ and σ̂ come from one batched expansion. */
interface RowGroup {
  members: WeightSite[];
  expander: StackedExpander;
}

/** μ̂ (and σ̂ when the method learns σ) of every member of a RowGroup, one vector per Site. */
interface GroupHats {
  mu: tf.Tensor[];
  sigma: tf.Tensor[] | null;
}

interface PenaltyStack {
  parts: WeightSite[];
  /** n_r·m_k of every element of the stacked ln σ [ΣR, K]. */
  counts: Float32Array;
  /** σ_target of every element. */
  targets: Float32Array;
}

/**
 * scale·Σ n·(e^ℓ − t)² over the elements of ℓ = ln σ, as one op computed in JavaScript from ℓ's
 * values (a few hundred to a few thousand numbers): gradient scale·2n·(e^ℓ − t)·e^ℓ.
 * Composed from tf ops the penalty and its gradient were about twenty kernels per step; on the
 * shipped model (24 Sites), timed alone outside a training step in separate runs, forward and backward
 * took about 2.0 ms against 1.6 ms now — mostly tfjs's per-op bookkeeping either way.
 */
function sigmaPenalty(logSigma: tf.Tensor, { counts, targets }: PenaltyStack, scale: number): tf.Scalar {
  return customOp((inputs, save) => {
    const r = inputs[0].dataSync();
    const g = new Float32Array(r.length);
    let sum = 0;
    for (let i = 0; i < r.length; i++) {
      const x = r[i];
      const sigma = Math.exp(x), d = sigma - targets[i];
      sum += counts[i] * d * d;
      g[i] = 2 * scale * counts[i] * d * sigma;
    }
    save([]);
    return { value: tf.scalar(scale * sum), gradFunc: (dy) => [tf.mul(tf.tensor(g, inputs[0].shape), dy)] };
  })(logSigma) as tf.Scalar;
}

class WeightGraspAdapter implements NoiseAwareAdapter {
  readonly sites: readonly string[];
  private readonly parts: WeightSite[];
  private mode: AdapterMode = { kind: 'eval' };
  private penaltyStacks: PenaltyStack[] | null = null;
  private readonly rowGroups: RowGroup[] = [];
  /** Group and row of every R = 1 part. */
  private readonly rowGroupOf = new Map<WeightSite, [number, number]>();
  private readonly hats = new PassCache<GroupHats[]>(() => this.parts.flatMap((p) => [p.mu, p.logSigma]), () => this.computeHats());
  private readonly prefix: string;

  constructor(
    readonly method: 'stochgrasp' | 'grasp-weight',
    model: Transformer,
    private readonly opts: WeightGraspOptions & Partial<StochGraspOptions>,
    rng: Rng,
  ) {
    const stochastic = method === 'stochgrasp';
    this.prefix = stochastic ? 'stochgrasp' : 'grasp_weight';
    const chosen = selectSites(model.sites.values(), opts.sites, method);
    for (const s of chosen) {
      checkGroupCount(opts.k, s.outFeatures, `${method}: Site ${s.name} (output dimension ${s.outFeatures})`);
      rowCount(opts.rows, s, method);
    }
    this.sites = chosen.map((s) => s.name);
    let firstOneRow: WeightSite | null = null;
    this.parts = chosen.map((site) => {
      const din = site.inFeatures, dout = site.outFeatures, k = opts.k;
      const rows = rowCount(opts.rows, site, method);
      const rowMode: RowMode = rows === 1 ? 'one' : rows === din ? 'each' : 'groups';
      const colGrouping = makeGrouping(dout, k, groupingRng(opts.seed, site.name, 'out'));
      const rowGrouping: Grouping | null = rowMode === 'groups' ? makeGrouping(din, rows, groupingRng(opts.seed, site.name, 'in')) : null;
      const cols = new GroupExpander(colGrouping);
      const rowGroups = rowGrouping ? new GroupExpander(rowGrouping) : null;
      const rowSum = rowGroups ? new FrozenMatrix(tf.keep(tf.clone(rowGroups.et))) : null;
      const mu = newVariable(tf.zeros([rows, k]), `${method}/${site.name}/mu`);
      let logSigma: tf.Variable | null = null;
      let counts: tf.Tensor2D | null = null;
      if (stochastic) {
        const init = rng.fork(site.name).fillUniform(new Float32Array(rows * k), SIGMA_INIT[0], SIGMA_INIT[1]).map(Math.log);
        logSigma = newVariable(tf.tensor2d(init, [rows, k]), `${method}/${site.name}/log_sigma`);
        const n = new Float32Array(rows * k);
        for (let r = 0; r < rows; r++) {
          const nr = rowMode === 'one' ? din : rowMode === 'each' ? 1 : rowGrouping!.counts[r];
          for (let c = 0; c < k; c++) n[r * k + c] = nr * colGrouping.counts[c];
        }
        counts = tf.keep(tf.tensor2d(n, [rows, k]));
      }
      const part: WeightSite = { site, rowMode, rows, cols, rowGroups, rowSum, mu, logSigma, counts, target: 0, sampled: null, detach: () => {} };
      if (rowMode === 'one' && firstOneRow === null) firstOneRow = part;
      part.detach = site.attach(method, (x, next) => this.forward(part, x, next, part === firstOneRow));
      return part;
    });
    const byDout = new Map<number, WeightSite[]>();
    for (const p of this.parts.filter((q) => q.rowMode === 'one')) byDout.set(p.site.outFeatures, [...(byDout.get(p.site.outFeatures) ?? []), p]);
    for (const members of byDout.values()) {
      members.forEach((m, row) => this.rowGroupOf.set(m, [this.rowGroups.length, row]));
      this.rowGroups.push({ members, expander: new StackedExpander(members.map((m) => m.cols)) });
    }
    if (stochastic) this.setSigmaTarget(opts.sigmaTarget ?? 0);
  }

  get options(): Record<string, unknown> {
    return { ...this.opts };
  }

  /** x·Fᵀ·v for x [N, D_in], v [R, K] → [N, K]: the row-group part of a projection. */
  private rowProject(p: WeightSite, v: tf.Tensor, x2: tf.Tensor2D): tf.Tensor2D {
    const v2 = v as tf.Tensor2D;
    if (p.rowMode === 'each') return linear(x2, v2) as tf.Tensor2D;
    return linear(linear(x2, p.rowSum!), v2) as tf.Tensor2D;
  }

  /** v [R, K] expanded to weight shape: [D_in, D_out], or [1, D_out] (broadcast) when R = 1. */
  private expandWeight(p: WeightSite, v: tf.Tensor): tf.Tensor2D {
    const c = p.cols.expand(v as tf.Tensor2D);
    return p.rowMode === 'groups' ? p.rowGroups!.expandRows(c) : c;
  }

  /**
   * y + x·μ̂ (and, when sampling, + √(x²·σ̂²)⊙ξ) for x [N, D_in], y [N, D_out], through the groups,
   * for R > 1 (R = 1 is the Site's output term); the sampled term is `groupedLocalTerm`.
   */
  private extra(p: WeightSite, y2: tf.Tensor2D, x2: tf.Tensor2D, rng: Rng | null): tf.Tensor {
    const n = x2.shape[0], dout = p.site.outFeatures;
    const tMean = this.rowProject(p, p.mu, x2);
    if (!(rng && p.logSigma)) return tf.add(y2, p.cols.expand(tMean));
    const tVar = this.rowProject(p, tf.exp(tf.mul(p.logSigma, 2)), tf.square(x2) as tf.Tensor2D);
    return groupedLocalTerm(y2, tMean, tVar, p.cols, keyedNormalTensor([n, dout], noiseKey(rng)));
  }

  private forward(p: WeightSite, x: tf.Tensor, next: SiteNext, first: boolean): tf.Tensor {
    const din = p.site.inFeatures, dout = p.site.outFeatures;
    const outShape = [...x.shape.slice(0, -1), dout];
    const mode = this.mode;
    const frozenBias = p.site.biasFrozen();
    if (mode.kind === 'sample') return linear(x, p.sampled!, p.site.bias(), { frozenBias });
    const sampling = mode.kind === 'train' && p.logSigma !== null;
    if (sampling && (this.opts.sampling ?? 'local') === 'weight') {
      const eps = keyedNormalTensor([din, dout], noiseKey(mode.rng));
      const dw = tf.add(this.expandWeight(p, p.mu), tf.mul(this.expandWeight(p, tf.exp(p.logSigma!)), eps));
      return linear(x, tf.add(p.site.weightTensor(), dw) as tf.Tensor2D, p.site.bias(), { frozenBias });
    }
    if (sampling && this.opts.sampling === 'sequence') {
      // x [B, …, D_in]: every token of sequence b sees ΔW_b; a 2-D x is one sequence.
      const b = x.rank >= 3 ? x.shape[0] : 1;
      const x3 = tf.reshape(x, [b, -1, din]) as tf.Tensor3D;
      const eps = keyedNormalTensor([b, din, dout], noiseKey(mode.rng));
      const noise = sequenceNoise(x3, this.expandWeight(p, tf.exp(p.logSigma!)), eps as tf.Tensor3D);
      const mean = linear(x, tf.add(p.site.weightTensor(), this.expandWeight(p, p.mu)) as tf.Tensor2D, p.site.bias(), { frozenBias });
      return tf.add(mean, tf.reshape(noise, outShape));
    }
    if (p.rowMode === 'one') {
      // The term joins the Site's own linear op (LinearOptions.post): noise drawn inside its SIMD passes.
      const [group, row] = this.rowGroupOf.get(p)!;
      const hats = this.hats.get(first)[group];
      const key = mode.kind === 'train' && sampling ? noiseKey(mode.rng) : null;
      return next(x, undefined, { mu: hats.mu[row], sigma: key ? hats.sigma![row] : null, key });
    }
    const x2 = tf.reshape(x, [-1, din]) as tf.Tensor2D;
    const y2 = tf.reshape(next(x), [-1, dout]) as tf.Tensor2D;
    return tf.reshape(this.extra(p, y2, x2, sampling ? mode.rng : null), outShape);
  }

  /** μ̂ and σ̂ of every R = 1 group (PassCache: once per forward pass, kept across block tidies). */
  private computeHats(): { value: GroupHats[]; tensors: tf.Tensor[] } {
    const hats = this.rowGroups.map(({ members, expander: x }) => {
      const stack = (vs: tf.Tensor[]) => (vs.length === 1 ? vs[0] : tf.concat(vs, 0));
      const mu = stack(members.map((m) => m.mu));
      if (members[0].logSigma === null) return { mu: x.perSite(x.expand([mu])[0]), sigma: null };
      const [muHat, sigmaHat] = x.expand([mu, tf.exp(stack(members.map((m) => m.logSigma!)))]);
      return { mu: x.perSite(muHat), sigma: x.perSite(sigmaHat) };
    });
    return { value: hats, tensors: hats.flatMap((h) => [...h.mu, ...(h.sigma ?? [])]) };
  }

  private disposeSamples(): void {
    for (const p of this.parts) {
      p.sampled?.dispose();
      p.sampled = null;
    }
  }

  setMode(mode: AdapterMode): void {
    this.disposeSamples();
    this.mode = mode;
    if (mode.kind !== 'sample') return;
    for (const p of this.parts) {
      p.sampled = tf.tidy(() => {
        const din = p.site.inFeatures, dout = p.site.outFeatures;
        let w: tf.Tensor = tf.add(p.site.weightTensor(), this.expandWeight(p, p.mu));
        const sd = mode.sigma !== undefined ? tf.scalar(mode.sigma) : p.logSigma ? this.expandWeight(p, tf.exp(p.logSigma)) : null;
        if (sd) w = tf.add(w, tf.mul(sd, randomNormalTensor([din, dout], mode.rng)));
        return tf.keep(w as tf.Tensor2D);
      });
    }
  }

  trainable(): TrainableVariable[] {
    const out: TrainableVariable[] = [];
    for (const p of this.parts) {
      out.push({ key: `${p.site.name}.${this.prefix}_mu`, variable: p.mu, decay: true });
      if (p.logSigma) out.push({ key: `${p.site.name}.${this.prefix}_log_sigma`, variable: p.logSigma, decay: false, lrScale: (this.opts.sigmaLrScale ?? 1) / sigmaScale(p.target) });
    }
    return out;
  }

  parameterCount(): number {
    return this.trainable().reduce((n, t) => n + t.variable.size, 0);
  }

  /**
   * λ·Σ_sites Σ_ij (σ_{f(i),g(j)} − σ_target)²: per element group (r, k) the term counts n_r·m_k
   * elements. Sites whose ln σ has the same shape are stacked (one concat per shape, not one term per
   * Site — 72 Sites on roberta-base) and each stack's sum and gradient is one op (`sigmaPenalty`).
   */
  penalty(): tf.Scalar | null {
    if (this.method !== 'stochgrasp' || this.parts.length === 0 || !this.opts.lambda) return null;
    const stacks = this.penaltyStacks ?? (this.penaltyStacks = this.buildPenaltyStacks());
    const elements = this.parts.reduce((n, p) => n + p.site.inFeatures * p.site.outFeatures, 0);
    const scale = this.opts.lambda / (this.opts.penalty === 'sum' ? 1 : elements);
    const terms = stacks.map((stack) => sigmaPenalty(stack.parts.length === 1 ? stack.parts[0].logSigma! : tf.concat(stack.parts.map((p) => p.logSigma!), 0), stack, scale));
    return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Scalar;
  }

  /** Sites grouped by ln σ's shape, with the element counts and σ_targets of their stacked ln σ. */
  private buildPenaltyStacks(): PenaltyStack[] {
    const byShape = new Map<string, WeightSite[]>();
    for (const p of this.parts) {
      const key = p.logSigma!.shape.join('x');
      byShape.set(key, [...(byShape.get(key) ?? []), p]);
    }
    return [...byShape.values()].map((parts) => {
      const size = parts.reduce((n, p) => n + p.logSigma!.size, 0);
      const counts = new Float32Array(size), targets = new Float32Array(size);
      let at = 0;
      for (const p of parts) {
        counts.set(toFloat32(p.counts!), at);
        targets.fill(p.target, at, at + p.logSigma!.size);
        at += p.logSigma!.size;
      }
      return { parts, counts, targets };
    });
  }

  setSigmaTarget(target: number | Readonly<Record<string, number>>): void {
    for (const p of this.parts) {
      const t = typeof target === 'number' ? target : target[p.site.name] ?? target['*'];
      if (t === undefined || !Number.isFinite(t) || t < 0) {
        throw new Error(`${this.method}: no valid σ_target for Site ${p.site.name} (give one number, a value per Site, or a '*' default)`);
      }
      p.target = t;
    }
    this.penaltyStacks = null;
  }

  sigmaSummary(): SigmaSummary[] {
    return this.parts
      .filter((p) => p.logSigma)
      .map((p) => {
        const s = tidyRead(() => tf.exp(p.logSigma!));
        const n = toFloat32(p.counts!);
        let sum = 0, w = 0;
        for (let i = 0; i < s.length; i++) {
          sum += s[i] * n[i];
          w += n[i];
        }
        return { site: p.site.name, mean: sum / w, min: Math.min(...s), max: Math.max(...s), target: p.target };
      });
  }

  merge(): MergedWeights {
    const sites = new Map();
    for (const p of this.parts) {
      const w = siteWeights(p.site);
      const mu = toFloat32(p.mu);
      const k = this.opts.k, dout = w.outFeatures;
      const colOf = p.cols.grouping.assign;
      for (let i = 0; i < w.inFeatures; i++) {
        const r = p.rowMode === 'one' ? 0 : p.rowMode === 'each' ? i : p.rowGroups!.grouping.assign[i];
        for (let j = 0; j < dout; j++) w.weight[i * dout + j] += mu[r * k + colOf[j]];
      }
      sites.set(p.site.name, w);
    }
    return { sites, params: new Map() };
  }

  state(): NamedTensors {
    return new Map(this.trainable().map((t) => [t.key, plain(t.variable)]));
  }

  loadState(saved: NamedTensors, source: string): void {
    const tensors = legacySigma(saved, this.prefix);
    const vars = this.trainable();
    checkState(new Map(vars.map((t) => [t.key, t.variable.shape])), tensors, source);
    for (const t of vars) assignFrom(t.variable, tensors.get(t.key)!);
  }

  detach(): void {
    this.disposeSamples();
    this.penaltyStacks = null;
    this.hats.dispose();
    for (const g of this.rowGroups) g.expander.dispose();
    this.rowGroups.length = 0;
    for (const p of this.parts) {
      p.detach();
      p.cols.dispose();
      p.rowGroups?.dispose();
      p.rowSum?.dispose();
      p.mu.dispose();
      p.logSigma?.dispose();
      p.counts?.dispose();
    }
    this.parts.length = 0;
  }
}

/**
 * Adapters saved before σ was stored as ln σ keep `<site>.stochgrasp_rho` with σ = softplus(ρ):
 * each such key becomes `<site>.stochgrasp_log_sigma` = ln softplus(ρ) (the same σ); other keys pass through.
 */
function legacySigma(tensors: NamedTensors, prefix: string): NamedTensors {
  const old = `.${prefix}_rho`;
  if (![...tensors.keys()].some((k) => k.endsWith(old))) return tensors;
  const out: NamedTensors = new Map();
  for (const [k, t] of tensors) {
    if (!k.endsWith(old)) out.set(k, t);
    else out.set(`${k.slice(0, -old.length)}.${prefix}_log_sigma`, { shape: t.shape, data: t.data.map((r) => Math.log(r > 0 ? r + Math.log1p(Math.exp(-r)) : Math.log1p(Math.exp(r)))) });
  }
  return out;
}

function readBase(r: OptionReader): WeightGraspOptions {
  return { k: r.int('k', 32, 1), rows: r.intOrWord('rows', 1, 'all', 1), sites: r.string('sites', 'all-linear'), seed: r.int('seed', 0) };
}

function countSites(shape: ModelShape, o: WeightGraspOptions, method: string, perGroup: number) {
  const sites = selectSites(shape.sites, o.sites, method).map((s: SiteShape) => {
    checkGroupCount(o.k, s.outFeatures, `${method}: Site ${s.name} (output dimension ${s.outFeatures})`);
    return { site: s.name, params: perGroup * rowCount(o.rows, s, method) * o.k };
  });
  return { trainable: sites.reduce((n, s) => n + s.params, 0), sites };
}

export const stochgrasp = registerMethod<StochGraspOptions>({
  name: 'stochgrasp',
  peftType: 'STOCHGRASP',
  summary: 'StochGRASP: grouped Gaussian weight perturbations N(μ, σ²) with a noise-aware σ penalty',
  optionDocs: STOCH_DOCS,
  parseOptions(raw) {
    const r = new OptionReader('stochgrasp', raw, STOCH_DOCS);
    const o: StochGraspOptions = {
      ...readBase(r),
      lambda: r.number('lambda', 0.01, 0),
      sigmaTarget: r.numberOrRecord('sigmaTarget', 0.01),
      penalty: r.choice<PenaltyReduction>('penalty', 'sum', ['sum', 'mean']),
      sampling: r.choice<Sampling>('sampling', 'local', ['weight', 'sequence', 'local']),
      sigmaLrScale: r.number('sigmaLrScale', 1, 0),
    };
    r.finish();
    return o;
  },
  attach: (model, o, rng) => new WeightGraspAdapter('stochgrasp', model, o, rng.fork('stochgrasp')),
  count: (shape, o) => countSites(shape, o, 'stochgrasp', 2),
});

export const graspWeight = registerMethod<WeightGraspOptions>({
  name: 'grasp-weight',
  peftType: 'GRASP_WEIGHT',
  summary: "Deterministic weight-GRASP: StochGRASP's grouped μ without σ or sampling",
  optionDocs: BASE_DOCS,
  parseOptions(raw) {
    const r = new OptionReader('grasp-weight', raw, BASE_DOCS);
    const o = readBase(r);
    r.finish();
    return o;
  },
  attach: (model, o, rng) => new WeightGraspAdapter('grasp-weight', model, o, rng.fork('grasp-weight')),
  count: (shape, o) => countSites(shape, o, 'grasp-weight', 1),
});
