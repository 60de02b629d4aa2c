/**
 * SlicedLinear: a Site whose weights are split into N slices (slicing.ts), each on its own tiles
 * with its own AnalogLinear (DAC, read noise, ADC per slice), combined digitally by shift-and-add:
 *
 *   y = Σ_k s_k·y_k + b,   s_k = base^k,   y_k = AnalogLinear_k(x) (bias-free)
 *
 * Each slice draws its read noise from its own stream (the read stream forked by the slice's name).
 */
import { tf } from '../tensor/index.js';
import type { AnalogLinear, ClipCounts } from './analog-linear.js';
import type { CalibratedRanges } from './calibration.js';

type T = tf.Tensor;

/** What ChipState.analog returns: one Site's analog MVM. */
export interface AnalogLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;
  forward(x: T): T;
  trackClipping(on?: boolean): void;
  resetClipping(): void;
  readonly clipCounts: ClipCounts;
  readonly forwardCalls: number;
  /** Calibrated ranges from inputs x (periphery.calibration); per slice for a SlicedLinear. */
  calibrate(x: T | Float32Array, learnedRange?: number): CalibratedRanges | CalibratedRanges[];
  startRecording(): void;
  finishRecording(): CalibratedRanges | CalibratedRanges[];
  /** Sets ranges found by an earlier `calibrate` (the same Site on a state with another read seed). */
  setRanges(r: CalibratedRanges | CalibratedRanges[]): void;
  dispose(): void;
}

export class SlicedLinear implements AnalogLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;
  private biasT: tf.Tensor1D | null = null;

  constructor(readonly name: string, private readonly slices: AnalogLinear[], readonly significance: number[], private readonly bias: Float32Array | null) {
    if (slices.length !== significance.length || slices.length < 1) throw new Error(`SlicedLinear '${name}': ${slices.length} slices but ${significance.length} significance factors`);
    this.inFeatures = slices[0].inFeatures;
    this.outFeatures = slices[0].outFeatures;
  }

  forward(x: T): T {
    return tf.tidy(() => {
      let y: T | null = null;
      this.slices.forEach((l, k) => {
        const yk = l.forward(x);
        const part = this.significance[k] === 1 ? yk : tf.mul(yk, this.significance[k]);
        y = y ? tf.add(y, part) : part;
      });
      if (this.bias) {
        this.biasT ??= tf.keep(tf.tensor1d(this.bias));
        y = tf.add(y as unknown as T, this.biasT);
      }
      return y as unknown as T;
    });
  }

  trackClipping(on = true): void {
    for (const l of this.slices) l.trackClipping(on);
  }

  resetClipping(): void {
    for (const l of this.slices) l.resetClipping();
  }

  get clipCounts(): ClipCounts {
    const c: ClipCounts = { dacClipped: 0, dacTotal: 0, adcClipped: 0, adcTotal: 0 };
    for (const l of this.slices) {
      const s = l.clipCounts;
      c.dacClipped += s.dacClipped;
      c.dacTotal += s.dacTotal;
      c.adcClipped += s.adcClipped;
      c.adcTotal += s.adcTotal;
    }
    return c;
  }

  calibrate(x: T | Float32Array, learnedRange?: number): CalibratedRanges[] {
    return this.slices.map((l) => l.calibrate(x, learnedRange));
  }

  startRecording(): void {
    for (const l of this.slices) l.startRecording();
  }

  setRanges(r: CalibratedRanges | CalibratedRanges[]): void {
    if (!Array.isArray(r) || r.length !== this.slices.length) throw new Error(`SlicedLinear '${this.name}': expected ranges for ${this.slices.length} slices`);
    this.slices.forEach((l, k) => l.setRanges(r[k]));
  }

  finishRecording(): CalibratedRanges[] {
    return this.slices.map((l) => l.finishRecording());
  }

  get forwardCalls(): number {
    return this.slices[0].forwardCalls;
  }

  dispose(): void {
    for (const l of this.slices) l.dispose();
    if (this.biasT && !this.biasT.isDisposed) this.biasT.dispose();
    this.biasT = null;
  }
}
