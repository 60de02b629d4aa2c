/**
 * Hardware-aware (HWA) training, aihwkit style, for any PEFT method: during training only, each
 * analog Site's forward pass uses noisy effective weights, and what the adapter trains may be clipped.
 *
 * Order, per optimiser step (the trainer calls these):
 *   beginStep(rng) → draw N_s for every analog Site s → forward/backward with W_eff,s + N_s
 *   → optimiser step → clip(adapter variables) → endStep() (frees N_s)
 * Evaluation between steps sees no noise; `detach()` removes the hooks.
 *
 * Formula. An outermost hook on each Site computes y = f(x) + x·N, where f is the Site with the
 * adapter (and any other hooks) inside. Whatever the adapter does, f is linear in x with effective
 * weights W_eff (GRASP: the folded diag(1/γ̂)·W; LoRA: W + s·A·B; StochGRASP: W + μ̂ plus its sample),
 * so the forward pass uses W_eff + N: aihwkit's WeightNoiseType.ADDITIVE_CONSTANT, y_i = Σ_j (w_ij + ξ_ij)·x_j
 * with ξ ~ N(0, σ) (aihwkit src/aihwkit/simulator/parameters/enums.py). N is a constant of the op: the
 * input gradient is dy·(W_eff + N)ᵀ and the adapter's gradients are those at the noisy forward pass —
 * aihwkit's weight modifier, which perturbs the weights of the forward and backward passes and applies
 * the update to the unperturbed weights (straight-through).
 *
 * Scale. σ = stdDev · max|W| with `relToActualWmax` (aihwkit WeightModifierParameter.rel_to_actual_wmax,
 * "relative terms to the abs max of the given weight matrix"), else stdDev · assumedWmax. max|W| is
 * the Site's base weight, which is its effective weight at initialisation (every method starts at the
 * identity); it is computed once. Default stdDev 0.0175: StandardHWATrainingPreset's forward w_noise
 * (aihwkit src/aihwkit/simulator/presets/inference.py; Rasch et al., arXiv:2302.08469), whose weights
 * are remapped to max |W| = 1 (remapped_wmax 1.0) — so 0.0175 of the weight range.
 *
 * Clipping (aihwkit WeightClipParameter, applied after each update): 'fixed-value' clips to
 * [−fixedValue, fixedValue] (the preset's FIXED_VALUE, 1.0); 'layer-gaussian' clips each variable to
 * ±sigma·std (LAYER_GAUSSIAN, sigma 2.5). It applies to the adapter's weight-like variables (those
 * with weight decay: LoRA's A and B, weight-GRASP's μ, full fine-tuning's weights), never to scales
 * initialised at 1 (GRASP's γ, (IA)³), biases or σ.
 *
 * Learned input ranges (`inputRange`, input-range.ts; aihwkit's InputRangeParameter): each analog
 * Site's training forward passes also see its input clipped to a learned range r, outermost, so the
 * weight noise and the adapter see what the DAC would deliver; r is updated after the adapter's step
 * (`update`) and saved beside the adapter (input-range-file.ts).
 *
 * Streams: the step's `rng` (the trainer passes its step stream's fork 'hwa'), forked by Site name, so
 * the draws do not depend on Site order and do not touch dropout's or the adapter's streams.
 * Cost: one extra [in, out] normal draw and one extra matrix product per analog Site per step
 * (bench/hwa-overhead.ts).
 */
import { selectSites, type Site, type Transformer } from '../model/index.js';
import { FrozenMatrix, linear, randomNormalTensor, type Rng, tf } from '../tensor/index.js';
import { InputRangeLearning, resolveInputRangeOptions, type InputRangeOptions, type ResolvedInputRangeOptions } from './input-range.js';

export type HwaNoiseType = 'additive-constant' | 'none';
export type HwaClipType = 'none' | 'fixed-value' | 'layer-gaussian';

/** Hardware-aware training options; names follow aihwkit's WeightModifierParameter / WeightClipParameter. */
export interface HwaOptions {
  /** The analog Sites (what a chip would hold): a Site selector (default 'all-linear'). */
  sites?: string;
  /** Weight noise type (default 'additive-constant'). */
  type?: HwaNoiseType;
  /** Noise standard deviation relative to max|W| (or assumedWmax); default 0.0175. */
  stdDev?: number;
  /** Scale by each Site's max|W| (default true); false scales by assumedWmax. */
  relToActualWmax?: boolean;
  /** Weight units of stdDev when relToActualWmax is false (default 1). */
  assumedWmax?: number;
  /** Clipping of the adapter's weight-like variables after each update (default none). */
  clip?: { type?: HwaClipType; fixedValue?: number; sigma?: number };
  /** Learned DAC input ranges per analog Site (aihwkit's InputRangeParameter; input-range.ts); default none. */
  inputRange?: InputRangeOptions | null;
}

export type ResolvedHwaOptions = Required<Omit<HwaOptions, 'clip' | 'inputRange'>> & {
  clip: Required<NonNullable<HwaOptions['clip']>>;
  /** Present only when set, so options resolved before input ranges existed stay equal. */
  inputRange?: ResolvedInputRangeOptions;
};

/** StandardHWATrainingPreset's forward w_noise (relative to a weight range of 1). */
export const HWA_DEFAULT_STD_DEV = 0.0175;

const NOISE_TYPES: readonly HwaNoiseType[] = ['additive-constant', 'none'];
const CLIP_TYPES: readonly HwaClipType[] = ['none', 'fixed-value', 'layer-gaussian'];
const KEYS = ['sites', 'type', 'stdDev', 'relToActualWmax', 'assumedWmax', 'clip', 'inputRange'];
const CLIP_KEYS = ['type', 'fixedValue', 'sigma'];

/** Fills defaults and checks every field; errors name `where` and the JSON pointer. */
export function resolveHwaOptions(raw: HwaOptions, where = 'training.hwa'): ResolvedHwaOptions {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new Error(`${where}/${field}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  for (const k of Object.keys(raw)) if (!KEYS.includes(k)) fail(k, `no such option (options: ${KEYS.join(', ')})`, (raw as Record<string, unknown>)[k]);
  const clip = raw.clip ?? {};
  for (const k of Object.keys(clip)) if (!CLIP_KEYS.includes(k)) fail(`clip/${k}`, `no such option (options: ${CLIP_KEYS.join(', ')})`, (clip as Record<string, unknown>)[k]);
  const o: ResolvedHwaOptions = {
    sites: raw.sites ?? 'all-linear',
    type: raw.type ?? 'additive-constant',
    stdDev: raw.stdDev ?? HWA_DEFAULT_STD_DEV,
    relToActualWmax: raw.relToActualWmax ?? true,
    assumedWmax: raw.assumedWmax ?? 1,
    clip: { type: clip.type ?? 'none', fixedValue: clip.fixedValue ?? 1, sigma: clip.sigma ?? 2.5 },
    ...(raw.inputRange ? { inputRange: resolveInputRangeOptions(raw.inputRange, `${where}/inputRange`) } : {}),
  };
  if (typeof o.sites !== 'string' || o.sites.trim() === '') fail('sites', "a Site selector such as 'all-linear'", o.sites);
  if (!NOISE_TYPES.includes(o.type)) fail('type', `one of ${NOISE_TYPES.join(', ')}`, o.type);
  if (!(typeof o.stdDev === 'number' && o.stdDev >= 0 && Number.isFinite(o.stdDev))) fail('stdDev', 'a number ≥ 0 (0.0175 is aihwkit’s StandardHWATrainingPreset)', o.stdDev);
  if (typeof o.relToActualWmax !== 'boolean') fail('relToActualWmax', 'true or false', o.relToActualWmax);
  if (!(typeof o.assumedWmax === 'number' && o.assumedWmax > 0)) fail('assumedWmax', 'a number > 0', o.assumedWmax);
  if (!CLIP_TYPES.includes(o.clip.type)) fail('clip/type', `one of ${CLIP_TYPES.join(', ')}`, o.clip.type);
  if (!(typeof o.clip.fixedValue === 'number' && o.clip.fixedValue > 0)) fail('clip/fixedValue', 'a number > 0', o.clip.fixedValue);
  if (!(typeof o.clip.sigma === 'number' && o.clip.sigma > 0)) fail('clip/sigma', 'a number > 0', o.clip.sigma);
  return o;
}

interface AnalogSite {
  site: Site;
  /** σ in weight units. */
  std: number;
  detach: () => void;
  noise: FrozenMatrix | null;
}

/** Weight noise on the analog Sites and clipping of the adapter, for the duration of one training run. */
export class HardwareAwareTraining {
  readonly options: ResolvedHwaOptions;
  private readonly analog: AnalogSite[];
  /** Learned input ranges, when `inputRange` is set. */
  private readonly inputRanges: InputRangeLearning | null;

  constructor(model: Transformer, options: HwaOptions) {
    this.options = resolveHwaOptions(options);
    const o = this.options;
    let sites: Site[];
    try {
      sites = selectSites(model, o.sites);
    } catch (e) {
      throw new Error(`training.hwa/sites: ${(e as Error).message}`);
    }
    this.analog = sites.map((site) => {
      const wmax = o.relToActualWmax ? tf.tidy(() => tf.max(tf.abs(site.weightTensor())).dataSync()[0]) : o.assumedWmax;
      const a: AnalogSite = { site, std: o.stdDev * wmax, noise: null, detach: () => {} };
      if (o.type !== 'none') a.detach = site.attach('hwa', (x, next) => this.forward(a, x, next(x)), true);
      return a;
    });
    // Attached last with `outermost`: the range clips the input before the noise hook and the adapter see it.
    this.inputRanges = o.inputRange ? new InputRangeLearning(sites, o.inputRange, 'training.hwa/inputRange') : null;
  }

  /** Variables to differentiate beside the adapter's (the learned input ranges), for `update`. */
  rangeVariables(): tf.Variable[] {
    return this.inputRanges?.variables() ?? [];
  }

  /** After the adapter's optimiser step: SGD on the learned input ranges (`lr`: the step's learning rate). */
  update(grads: tf.NamedTensorMap, lr: number): void {
    this.inputRanges?.update(grads, lr);
  }

  /** The learned input range per analog Site (input units), or null without `inputRange`. */
  learnedRanges(): Record<string, number> | null {
    return this.inputRanges?.ranges() ?? null;
  }

  /** σ per analog Site (weight units). */
  noiseStd(): Record<string, number> {
    return Object.fromEntries(this.analog.map((a) => [a.site.name, a.std]));
  }

  private forward(a: AnalogSite, x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    if (!a.noise) return y;
    return tf.add(y, linear(x, a.noise, null, { frozenBias: true }));
  }

  /** Draws this step's noise N ~ N(0, σ²) [in, out] per analog Site from `rng` (forked by Site name). */
  beginStep(rng: Rng): void {
    this.endStep();
    this.inputRanges?.setActive(true);
    if (this.options.type === 'none') return;
    for (const a of this.analog) {
      const n = tf.tidy(() => tf.mul(randomNormalTensor([a.site.inFeatures, a.site.outFeatures], rng.fork(a.site.name)), a.std)) as tf.Tensor2D;
      a.noise = new FrozenMatrix(n);
    }
  }

  /** Frees the step's noise; forward passes are clean again. */
  endStep(): void {
    this.inputRanges?.setActive(false);
    for (const a of this.analog) {
      a.noise?.dispose();
      a.noise = null;
    }
  }

  /** Clips the weight-like variables after an update (no-op for clip type 'none'). */
  clip(variables: readonly { variable: tf.Variable; decay: boolean }[]): void {
    const c = this.options.clip;
    if (c.type === 'none') return;
    for (const { variable, decay } of variables) {
      if (!decay) continue;
      tf.tidy(() => {
        const bound = c.type === 'fixed-value' ? c.fixedValue : c.sigma * Math.sqrt(tf.moments(variable).variance.dataSync()[0]);
        variable.assign(tf.clipByValue(variable, -bound, bound));
      });
    }
  }

  /** Frees the noise and the ranges and removes the hooks (read `learnedRanges()` before). */
  detach(): void {
    this.endStep();
    for (const a of this.analog) a.detach();
    this.inputRanges?.detach();
  }
}
