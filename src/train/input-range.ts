/**
 * Learned DAC input ranges (aihwkit's input-range learning) for hardware-aware training: each analog
 * Site gets one trainable range r (input units), and its training forward passes see the input as the
 * DAC would deliver it, clip(x, −r, r), optionally rounded to the DAC's levels.
 *
 * Source: IBM aihwkit, `src/aihwkit/simulator/parameters/pre_post.py` (InputRangeParameter: enable,
 * learn_input_range, init_value 3, init_from_data 100, init_std_alpha 3, decay 0.001,
 * input_min_percentage 0.95, gradient_scale 1, gradient_relative true) and
 * `src/aihwkit/simulator/tiles/periphery.py` (TileWithPeriphery.apply_input_range, post_backward;
 * the same rule as InputRangeForward.backward in `tiles/inference_torch.py`).
 *
 * Order, per training forward pass of a Site (between HardwareAwareTraining.beginStep and endStep):
 *   1. data initialisation, while k < initFromData (k counts batches with std(x) > 0):
 *        r ← (r·k + initStdAlpha·std(x)) / (k + 1),  k ← k + 1,  r ← |r|
 *      std over every element of the Site's input tensor, unbiased (torch's Tensor.std); the running
 *      mean starts from r's current value, so an optimiser step in between counts, as in aihwkit
 *   2. forward   x_c = clip(x, −r, r); with `bits`: x_q = round(x_c·L/r)·r/L, L = 2^(bits−1) − 1
 *   3. backward  ∂/∂x = dy·[|x| ≤ r] (the clamp's gradient; the rounding is straight-through)
 *                ∂/∂r = Σ_{x ≥ r} min(dy, 0) − Σ_{x ≤ −r} max(dy, 0)   (only a clipped input whose
 *                       gradient asks for a larger range pushes r up)
 *                       × r·gradientScale                 (gradientRelative, aihwkit's default)
 *                       + decay·r  if  mean[|x| < r] > inputMinPercentage   (shrink while < 5 % clip)
 *   4. update    after the adapter's optimiser step: r ← max(|r − η·∂L/∂r|, 10⁻⁶), plain SGD (as aihwkit's
 *                AnalogSGD would), η = learningRate or the step's scheduled learning rate. Not AdamW:
 *                its normalisation would make the step size independent of the rule's magnitudes.
 *
 * Units: r in the Site's input units, the same units as a DAC range of the periphery (dac.range,
 * periphery.calibration) — the chip Site's input is the raw Site input, the adapter folded in.
 * Not implemented: manage_output_clipping (aihwkit's torch tile raises NotImplementedError for it too).
 * Random streams: none. Memory: every op runs in the caller's tidy; the ranges are tf.Variables owned
 * here (`dispose`).
 */
import type { Site } from '../model/index.js';
import { customOp, tf } from '../tensor/index.js';

/** Options of input-range learning; names follow aihwkit's InputRangeParameter in camelCase. */
export interface InputRangeOptions {
  /** Learn the ranges (default true); false keeps them at their data initialisation or initValue. */
  learn?: boolean;
  /** Range before any data (default 3, aihwkit's init_value). */
  initValue?: number;
  /** Training batches that initialise r from data (default 100; 0 turns it off). */
  initFromData?: number;
  /** Multiple of std(x) for the data initialisation (default 3). */
  initStdAlpha?: number;
  /** Shrink rate of r while few inputs clip (default 0.001). */
  decay?: number;
  /** The decay acts only while the fraction of unclipped inputs exceeds this (default 0.95). */
  inputMinPercentage?: number;
  /** Multiplier of the clipping gradient (default 1). */
  gradientScale?: number;
  /** Make the clipping gradient relative to r (default true). */
  gradientRelative?: boolean;
  /** SGD learning rate of r (default: the trainer's scheduled learning rate of the step). */
  learningRate?: number | null;
  /** Also round the clipped input to a DAC of this many bits (default null: clip only). */
  bits?: number | null;
}

export type ResolvedInputRangeOptions = Required<InputRangeOptions>;

const KEYS = ['learn', 'initValue', 'initFromData', 'initStdAlpha', 'decay', 'inputMinPercentage', 'gradientScale', 'gradientRelative', 'learningRate', 'bits'];

/** Fills aihwkit's defaults and checks every field; errors name `where` and the JSON pointer. */
export function resolveInputRangeOptions(raw: InputRangeOptions, where = 'training.hwa/inputRange'): ResolvedInputRangeOptions {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new Error(`${where}/${field}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  if (raw === null || typeof raw !== 'object') fail('', 'an object such as {"learn": true}', raw);
  for (const k of Object.keys(raw)) if (!KEYS.includes(k)) fail(k, `no such option (options: ${KEYS.join(', ')})`, (raw as Record<string, unknown>)[k]);
  const o: ResolvedInputRangeOptions = {
    learn: raw.learn ?? true,
    initValue: raw.initValue ?? 3,
    initFromData: raw.initFromData ?? 100,
    initStdAlpha: raw.initStdAlpha ?? 3,
    decay: raw.decay ?? 0.001,
    inputMinPercentage: raw.inputMinPercentage ?? 0.95,
    gradientScale: raw.gradientScale ?? 1,
    gradientRelative: raw.gradientRelative ?? true,
    learningRate: raw.learningRate ?? null,
    bits: raw.bits ?? null,
  };
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (typeof o.learn !== 'boolean') fail('learn', 'true or false', o.learn);
  if (!(num(o.initValue) && o.initValue > 0)) fail('initValue', 'a number > 0 (input units; aihwkit’s default 3)', o.initValue);
  if (!(Number.isInteger(o.initFromData) && o.initFromData >= 0)) fail('initFromData', 'an integer ≥ 0 (batches; 0 turns data initialisation off)', o.initFromData);
  if (!(num(o.initStdAlpha) && o.initStdAlpha > 0)) fail('initStdAlpha', 'a number > 0', o.initStdAlpha);
  if (!(num(o.decay) && o.decay >= 0)) fail('decay', 'a number ≥ 0', o.decay);
  if (!(num(o.inputMinPercentage) && o.inputMinPercentage >= 0 && o.inputMinPercentage <= 1)) fail('inputMinPercentage', 'a fraction in [0, 1]', o.inputMinPercentage);
  if (!(num(o.gradientScale) && o.gradientScale >= 0)) fail('gradientScale', 'a number ≥ 0', o.gradientScale);
  if (typeof o.gradientRelative !== 'boolean') fail('gradientRelative', 'true or false', o.gradientRelative);
  if (o.learningRate !== null && !(num(o.learningRate) && o.learningRate >= 0)) fail('learningRate', 'a number ≥ 0, or null for the trainer’s scheduled rate', o.learningRate);
  if (o.bits !== null && !(Number.isInteger(o.bits) && o.bits >= 2 && o.bits <= 24)) fail('bits', 'an integer from 2 to 24 (DAC bits), or null to clip only', o.bits);
  return o;
}

/** The parts of the options the clip op needs. */
export type InputRangeRule = Pick<ResolvedInputRangeOptions, 'decay' | 'inputMinPercentage' | 'gradientScale' | 'gradientRelative' | 'bits'>;

/**
 * clip(x, −r, r) (rounded to 2^(bits−1) − 1 levels per sign with `bits`), with aihwkit's gradients
 * for x and r (file header, step 3). `r` is a scalar tensor; its sign is ignored.
 */
export function inputRangeClip(x: tf.Tensor, r: tf.Tensor, rule: InputRangeRule): tf.Tensor {
  const op = customOp(([xIn, rIn], save) => {
    const ra = tf.abs(rIn);
    const clipped = tf.minimum(tf.maximum(xIn, tf.neg(ra)), ra);
    let value = clipped;
    if (rule.bits !== null) {
      const L = 2 ** (rule.bits - 1) - 1;
      value = tf.mul(tf.round(tf.mul(clipped, tf.div(L, ra))), tf.div(ra, L));
    }
    save([xIn, ra]);
    return {
      value,
      gradFunc: (dy, [xs, rs]) => {
        const dx = tf.mul(dy, tf.cast(tf.lessEqual(tf.abs(xs), rs), 'float32'));
        const upper = tf.cast(tf.greaterEqual(xs, rs), 'float32');
        const lower = tf.cast(tf.lessEqual(xs, tf.neg(rs)), 'float32');
        let dr: tf.Tensor = tf.sub(tf.sum(tf.minimum(tf.mul(upper, dy), 0)), tf.sum(tf.maximum(tf.mul(lower, dy), 0)));
        if (rule.gradientRelative) dr = tf.mul(dr, tf.mul(rs, rule.gradientScale));
        if (rule.decay > 0) {
          const unclipped = tf.mean(tf.cast(tf.less(tf.abs(xs), rs), 'float32'));
          dr = tf.add(dr, tf.mul(tf.mul(rs, rule.decay), tf.cast(tf.greater(unclipped, rule.inputMinPercentage), 'float32')));
        }
        return [dx, tf.reshape(dr, rIn.shape)];
      },
    };
  });
  return op(x, r);
}

/** Floor of r after an update (input units), so that a range driven to 0 cannot divide by zero; aihwkit has none. */
const MIN_RANGE = 1e-6;

/** Unbiased standard deviation of all elements (torch's Tensor.std()); NaN for fewer than 2. */
function stdOf(x: tf.Tensor): number {
  if (x.size < 2) return NaN;
  return tf.tidy(() => {
    const { variance } = tf.moments(x);
    return Math.sqrt((variance.dataSync()[0] * x.size) / (x.size - 1));
  });
}

interface RangeSite {
  site: Site;
  range: tf.Variable;
  /** Batches used for the data initialisation so far (aihwkit's input_range_update_idx). */
  seen: number;
  detach: () => void;
}

/** One learned input range per analog Site, applied outermost on the Sites while `active`. */
export class InputRangeLearning {
  readonly options: ResolvedInputRangeOptions;
  private readonly sites: RangeSite[];
  private active = false;

  constructor(sites: readonly Site[], options: InputRangeOptions, where?: string) {
    this.options = resolveInputRangeOptions(options, where);
    this.sites = sites.map((site) => {
      const init = tf.scalar(this.options.initValue);
      const s: RangeSite = { site, range: tf.variable(init, this.options.learn), seen: 0, detach: () => {} };
      init.dispose();
      s.detach = site.attach('input-range', (x, next) => next(this.active ? this.forward(s, x) : x), true);
      return s;
    });
  }

  /** Turns the clipping on (a training step) or off (evaluation). */
  setActive(on: boolean): void {
    this.active = on;
  }

  private forward(s: RangeSite, x: tf.Tensor): tf.Tensor {
    const o = this.options;
    if (s.seen < o.initFromData) {
      const std = stdOf(x);
      if (std > 0) {
        const r = s.range.dataSync()[0];
        s.range.assign(tf.scalar(Math.abs((r * s.seen + o.initStdAlpha * std) / (s.seen + 1))));
        s.seen++;
      }
    }
    return inputRangeClip(x, s.range, o);
  }

  /** The range variables to differentiate (empty when the ranges are not learned). */
  variables(): tf.Variable[] {
    return this.options.learn ? this.sites.map((s) => s.range) : [];
  }

  /** SGD step r ← max(|r − η·g|, 10⁻⁶) for every range with a gradient in `grads` (η: learningRate, else `lr`). */
  update(grads: tf.NamedTensorMap, lr: number): void {
    if (!this.options.learn) return;
    const eta = this.options.learningRate ?? lr;
    for (const s of this.sites) {
      const g = grads[s.range.name];
      if (!g) continue;
      tf.tidy(() => s.range.assign(tf.maximum(tf.abs(tf.sub(s.range, tf.mul(g, eta))), MIN_RANGE)));
    }
  }

  /** The current range per Site name (input units). */
  ranges(): Record<string, number> {
    return Object.fromEntries(this.sites.map((s) => [s.site.name, Math.abs(s.range.dataSync()[0])]));
  }

  /** Removes the hooks and frees the range variables. */
  detach(): void {
    for (const s of this.sites) {
      s.detach();
      s.range.dispose();
    }
  }
}
