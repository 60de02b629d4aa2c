/**
 * AnalogLinear: one Site's MVM on the simulated tiles, y = analog(x·W) + b, with x [..., in].
 *
 * The conductances at t are fixed, so they are kept as tensors of normalised conductance
 * differences (tiles concatenated); per-MVM effects act on the batched activations:
 *
 *   1. DAC      x̃ = x/a per input vector and row tile (a = abs-max, or the fixed range),
 *               rounded to the DAC's levels
 *   2. MVM      P = x̃·Wn per row tile (one 2-D matMul per row tile: on wasm a batched 3-D matMul
 *               ran ~15× slower than the same FLOPs as 2-D matMuls)
 *   3. IR drop  model 'aihwkit' only: P −= s·c(a)·(x̃⊙f)·Wn, c(a) = a(a(0.05a − 0.2) + 0.5),
 *               a = n/gRatio·|x̃|·|Wn| (aihwkit's analytic model, f_j = 1 − (1 − j/n)²); the
 *               'physical' and 'exact' models are static and already in Wn (ir-drop.ts)
 *   4. noise    P += sqrt(Σ_i x̃_i²·S_ij + σ_out²)·z   (per-MVM device read noise + ADC output noise;
 *               z from the read stream, drawn by `fillStandardNormalTable`: 2^16-point inverse CDF)
 *   5. ADC      P ← clip(round(P·L/bound), −L, L)·bound/L
 *   6. digital  y = Σ_row tiles P·a·k·α + b   (partial sums, scaling, compensation, bias)
 *
 * When nothing in 3–5 is per tile (no ADC, no output noise, no IR drop) the row tiles need not be
 * separated: the DAC output (in input units) goes through one `linear` with the effective weights
 * Wn·k·α, and read noise is added from x²·(S·k²α²) — the same numbers, one matmul.
 */
import { filledTensor, FrozenMatrix, readFloat32, tf, linear, type Rng } from '../tensor/index.js';
import { adcAccumulate, analogKernelsFor, dacCodes } from './analog-kernels.js';
import { fillStandardNormalTable } from '../device/index.js';
import { inputCycles, levelsOf, needsTilePartialSums, perMvmIrDrop, type Periphery } from './periphery.js';
import { absPercentile, type CalibratedRanges } from './calibration.js';
import type { SiteState } from './state.js';

type T = tf.Tensor;

interface DirectTensors {
  /** Effective weights Wn·k·α [in, out] (frozen: no gradient machinery). */
  w: FrozenMatrix;
  /** Exact variance weights S·(kα)² [in, out], or rank-1 factors U [in, rowTiles], V [rowTiles, out]. */
  s2: tf.Tensor2D | null;
  u: tf.Tensor2D | null;
  v: tf.Tensor2D | null;
}

/** One row tile's tensors; conductances pre-multiplied by the ADC gain q = L/bound (q = 1 without ADC bits). */
interface RowTile {
  /** First input row and number of rows. */
  r0: number;
  n: number;
  /** Wn·q/L [n, out]. */
  wn: tf.Tensor2D;
  /** Weight units per ADC code: k·α/q [1, out] (and as a JS array for the fused path). */
  k: tf.Tensor2D;
  kJs: Float32Array;
  /** Read-noise variance S·g² [n, out] (exact), or rank-1 factors u [n, 1] and v·g² [1, out] (g = q/L); JS copies of u, v. */
  s2: tf.Tensor2D | null;
  u: tf.Tensor2D | null;
  v: tf.Tensor2D | null;
  uJs: Float32Array | null;
  vJs: Float32Array | null;
  /** IR drop: |Wn| (unscaled) [n, out], position factors f [1, n], n/(gRatio·L). */
  absWn: tf.Tensor2D | null;
  pos: tf.Tensor2D | null;
  aScale: number;
  /** DAC range of the tile (abs-max, fixed or calibrated), ADC clip in codes (L, or the bound without bits), output-noise variance in codes. */
  range: 'abs-max' | number;
  clip: number;
  sigmaOut2: number;
}

/** Clipped and total DAC inputs and ADC conversions counted since the last reset. */
export interface ClipCounts {
  dacClipped: number;
  dacTotal: number;
  adcClipped: number;
  adcTotal: number;
}

/** src·f as a new array (a plain loop: Float32Array.from with a map function is ~20× slower). */
function scaled(src: Float32Array, f: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] * f;
  return out;
}

/** Largest number of range doublings of iterative bound management (2^10 ≈ aihwkit's max_bm_factor 1000). */
const MAX_BM_HALVINGS = 10;

/** x + M − M rounds a float64 |x| < 2^51 to the nearest integer, ties to even — as tf.round does. */
const ROUND_MAGIC = 6755399441055744;

export class AnalogLinear {
  readonly inFeatures: number;
  readonly outFeatures: number;
  private readonly tiled: boolean;
  private direct: DirectTensors | null = null;
  private tiles: RowTile[] | null = null;
  private biasT: tf.Tensor1D | null = null;
  private calls = 0;
  /** Whether clipping is counted (by the WebAssembly kernels themselves on wasm, by the fused JS loops or TF.js ops elsewhere). */
  private tracking = false;
  private clips: ClipCounts = { dacClipped: 0, dacTotal: 0, adcClipped: 0, adcTotal: 0 };
  /** Ranges set by `calibrate`, or null. */
  private calibrated: CalibratedRanges | null = null;
  /** Inputs recorded for calibration (between startRecording and finishRecording), or null. */
  private recorded: Float32Array[] | null = null;
  private buffers: { c?: Float32Array; y?: Float32Array; z?: Float32Array } = {};

  constructor(readonly state: SiteState, readonly periphery: Periphery, private readonly rng: Rng) {
    this.inFeatures = state.inFeatures;
    this.outFeatures = state.outFeatures;
    this.tiled = needsTilePartialSums(periphery);
  }

  private get rowTiles(): number {
    return this.state.grid.rowTiles;
  }

  private get rows(): number {
    return this.state.grid.shape.rows;
  }

  /**
   * Whether the per-tile periphery runs as one fused JS loop per tile (see PeripheryOptions.execution):
   * on the cpu and wasm backends that is one pass over the tile outputs instead of about ten TF.js
   * ops (measured on wasm, roberta-base shapes: analog/digital 1.5× fused vs 1.8× with TF.js ops);
   * elsewhere TF.js ops.
   */
  private fused(): boolean {
    const e = this.periphery.execution;
    if (e !== 'auto') return e === 'fused-js';
    const b = tf.getBackend();
    return b === 'wasm' || b === 'cpu';
  }

  /**
   * Whether the fused path runs as WebAssembly kernels (`forwardTiledWasm`): execution 'auto' on the
   * wasm backend without the per-MVM IR drop ('aihwkit'); abs-max, fixed or calibrated DAC ranges and
   * ADC bounds, with or without clip counting.
   */
  private wasmKernels(): boolean {
    const p = this.periphery;
    return p.execution === 'auto' && !perMvmIrDrop(p) && analogKernelsFor(this.outFeatures);
  }

  /**
   * A buffer of `size` floats, reused when `reuse` holds. Data handed to TF.js is reused only on wasm,
   * whose `tf.tensor` copies into the wasm heap at once (the cpu backend keeps a reference to the array).
   */
  private buffer(slot: 'c' | 'y' | 'z', size: number, reuse = tf.getBackend() === 'wasm'): Float32Array {
    if (!reuse) return new Float32Array(size);
    let b = this.buffers[slot];
    if (!b || b.length < size) b = this.buffers[slot] = new Float32Array(size);
    return b.subarray(0, size);
  }

  /** Whether tile outputs round to ADC codes (ADC bits set); output-noise variance and clip bound are per row tile (RowTile). */
  private adcRounds(): boolean {
    return this.periphery.adc.bits !== null;
  }

  /** The per-MVM IR drop (model 'aihwkit'), or null. */
  private get irMvm(): Periphery['irDrop'] {
    return perMvmIrDrop(this.periphery) ? this.periphery.irDrop : null;
  }

  private noiseOn(): boolean {
    return this.periphery.readNoise.enabled && this.state.s2 !== null;
  }

  /** y = analog MVM of x [..., in] → [..., out]. Tensors made here are freed; the result is the caller's. */
  forward(x: T): T {
    const last = x.shape[x.rank - 1];
    if (last !== this.inFeatures) throw new Error(`AnalogLinear '${this.state.name}': input's last dimension is ${last}, expected ${this.inFeatures}`);
    if (this.recorded) this.recorded.push(Float32Array.from(x.dataSync() as Float32Array));
    else if (this.periphery.calibration && !this.calibrated) {
      throw new Error(`AnalogLinear '${this.state.name}': periphery.calibration is set but this Site is not calibrated; call chipState.calibrate(inputs), or chipState.startCalibration() → forward passes → chipState.finishCalibration(), before evaluating`);
    }
    this.calls++;
    return tf.tidy(() => {
      const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, this.inFeatures])) as tf.Tensor2D;
      const y = !this.tiled ? this.forwardDirect(x2)
        : this.periphery.dac.serial !== null || this.periphery.adc.boundManagement === 'iterative' ? this.forwardTiled(x2) // bit-serial inputs and bound management run as TF.js ops
        : this.wasmKernels() ? this.forwardTiledWasm(x2) : this.fused() ? this.forwardTiledFused(x2) : this.forwardTiled(x2);
      return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
    });
  }

  /** [N, in] → [N, rt, rows] (zero-padded). */
  private splitRows(x: tf.Tensor2D): tf.Tensor3D {
    const n = x.shape[0];
    const pad = this.rowTiles * this.rows - this.inFeatures;
    const xp = pad > 0 ? tf.pad(x, [[0, 0], [0, pad]]) : x;
    return tf.reshape(xp, [n, this.rowTiles, this.rows]);
  }

  /** DAC scale a per input vector and row tile, [N, rt, 1] (or a scalar for a fixed range). */
  private dacScale(x3: tf.Tensor3D): T {
    const r = this.periphery.dac.range;
    return r === 'abs-max' ? tf.maximum(tf.max(tf.abs(x3), 2, true), 1e-30) : tf.scalar(r);
  }

  /** x̃ = quantised x/a in [−1, 1]. */
  private dacNormalise(x3: T, a: T): T {
    const bits = this.periphery.dac.bits;
    let xt = tf.div(x3, a);
    if (this.periphery.dac.range !== 'abs-max') xt = tf.clipByValue(xt, -1, 1);
    if (bits === null) return xt;
    const L = levelsOf(bits);
    return tf.div(tf.round(tf.mul(xt, L)), L);
  }

  private bias(): tf.Tensor1D | null {
    if (!this.state.bias) return null;
    this.biasT ??= tf.keep(tf.tensor1d(this.state.bias));
    return this.biasT;
  }

  private normals(shape: number[]): T {
    const size = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(fillStandardNormalTable(this.rng, new Float32Array(size)), shape);
  }

  // ── without per-tile partial sums ─────────────────────────────────────────────────────────

  private directTensors(): DirectTensors {
    if (this.direct) return this.direct;
    const { wn, kAlpha, s2, rank1, inFeatures: nIn, outFeatures: nOut } = this.state;
    const rows = this.rows;
    const w = new Float32Array(nIn * nOut);
    for (let r = 0; r < nIn; r++) {
      const kr = ((r / rows) | 0) * nOut;
      for (let c = 0, i = r * nOut; c < nOut; c++, i++) w[i] = wn[i] * kAlpha[kr + c];
    }
    const d: DirectTensors = { w: new FrozenMatrix(tf.keep(tf.tensor2d(w, [nIn, nOut]))), s2: null, u: null, v: null };
    if (this.noiseOn() && s2) {
      if (rank1) {
        const rt = this.rowTiles;
        const U = new Float32Array(nIn * rt);
        for (let r = 0; r < nIn; r++) U[r * rt + ((r / rows) | 0)] = rank1.u[r];
        const V = new Float32Array(rt * nOut);
        for (let i = 0; i < V.length; i++) V[i] = rank1.v[i] * kAlpha[i] * kAlpha[i];
        d.u = tf.keep(tf.tensor2d(U, [nIn, rt]));
        d.v = tf.keep(tf.tensor2d(V, [rt, nOut]));
      } else {
        const e = new Float32Array(nIn * nOut);
        for (let r = 0; r < nIn; r++) {
          const kr = ((r / rows) | 0) * nOut;
          for (let c = 0, i = r * nOut; c < nOut; c++, i++) e[i] = s2[i] * kAlpha[kr + c] * kAlpha[kr + c];
        }
        d.s2 = tf.keep(tf.tensor2d(e, [nIn, nOut]));
      }
    }
    this.direct = d;
    return d;
  }

  private forwardDirect(x: tf.Tensor2D): T {
    const d = this.directTensors();
    const { dac } = this.periphery;
    let xq: tf.Tensor2D = x;
    if (dac.bits !== null || dac.range !== 'abs-max') {
      // quantise per row tile in input units: a·x̃
      if (dac.range === 'abs-max') {
        const x3 = this.splitRows(x);
        const a = this.dacScale(x3);
        const q = tf.mul(this.dacNormalise(x3, a), a);
        xq = tf.slice(tf.reshape(q, [x.shape[0], this.rowTiles * this.rows]), [0, 0], [x.shape[0], this.inFeatures]) as tf.Tensor2D;
      } else {
        const a = tf.scalar(dac.range);
        xq = tf.mul(this.dacNormalise(x, a), a) as tf.Tensor2D;
      }
    }
    let y = linear(xq, d.w, this.bias());
    if (d.s2 || d.u) {
      const x2 = tf.square(xq);
      const variance = d.s2 ? tf.matMul(x2, d.s2) : tf.matMul(tf.matMul(x2, d.u as tf.Tensor2D), d.v as tf.Tensor2D);
      y = tf.add(y, tf.mul(tf.sqrt(tf.relu(variance)), this.normals(y.shape)));
    }
    return y;
  }

  // ── with per-tile partial sums ────────────────────────────────────────────────────────────

  /** ADC gain q = L/bound of row tile `tr` (calibrated bound if set): tile outputs come out in ADC codes. 1 without ADC bits. */
  private adcGain(tr = 0): number {
    const { adc } = this.periphery;
    return adc.bits !== null ? levelsOf(adc.bits) / this.adcBound(tr) : 1;
  }

  /** The ADC bound of row tile `tr` (tile-output units): calibrated, or the periphery's (Infinity when none). */
  private adcBound(tr: number): number {
    return this.calibrated?.adcBound[tr] ?? this.periphery.adc.bound ?? Infinity;
  }

  /** DAC levels L (inputs become integer codes in [−L, L]); 1 without DAC bits (codes = x/a). */
  private dacLevels(): number {
    const bits = this.periphery.dac.bits;
    return bits !== null ? levelsOf(bits) : 1;
  }

  /**
   * Row-tile tensors with the DAC and ADC gains folded in, so the forward pass works on integer
   * DAC codes c = round(x·L/a) and produces ADC codes directly: Wn·q/L, S·q²/L², v·q²/L².
   */
  private rowTiles_(): RowTile[] {
    if (this.tiles) return this.tiles;
    const { wn, kAlpha, s2, rank1, inFeatures: nIn, outFeatures: nOut, gRatio } = this.state;
    const rows = this.rows;
    const L = this.dacLevels();
    const noise = this.noiseOn() && s2 !== null;
    const { adc, dac } = this.periphery;
    const tiles: RowTile[] = [];
    for (let tr = 0; tr < this.rowTiles; tr++) {
      const q = this.adcGain(tr);
      const g = q / L;
      const r0 = tr * rows;
      const n = Math.min(rows, nIn - r0);
      const band = (src: Float32Array, f: number): Float32Array => scaled(src.subarray(r0 * nOut, (r0 + n) * nOut), f);
      const k = scaled(kAlpha.subarray(tr * nOut, (tr + 1) * nOut), 1 / q);
      const t: RowTile = {
        r0, n,
        wn: tf.keep(tf.tensor2d(band(wn, g), [n, nOut])),
        k: tf.keep(tf.tensor2d(k, [1, nOut])),
        kJs: k, s2: null, u: null, v: null, uJs: null, vJs: null, absWn: null, pos: null, aScale: 0,
        range: this.calibrated?.dacRange[tr] ?? dac.range,
        clip: adc.bits !== null ? levelsOf(adc.bits) : this.adcBound(tr),
        sigmaOut2: (adc.noise * q) ** 2,
      };
      if (noise && s2) {
        if (rank1) {
          t.uJs = rank1.u.slice(r0, r0 + n);
          t.vJs = scaled(rank1.v.subarray(tr * nOut, (tr + 1) * nOut), g * g);
          t.u = tf.keep(tf.tensor2d(t.uJs, [n, 1]));
          t.v = tf.keep(tf.tensor2d(t.vJs, [1, nOut]));
        } else {
          t.s2 = tf.keep(tf.tensor2d(band(s2, g * g), [n, nOut]));
        }
      }
      if (this.irMvm) {
        // current a = n/gRatio·Σ|x̃||Wn| = (n/(gRatio·L))·Σ|c||Wn|
        const abs = band(wn, 1);
        for (let i = 0; i < abs.length; i++) abs[i] = Math.abs(abs[i]);
        t.absWn = tf.keep(tf.tensor2d(abs, [n, nOut]));
        t.pos = tf.keep(tf.tensor2d(Float32Array.from({ length: n }, (_, j) => 1 - (1 - j / n) ** 2), [1, n]));
        t.aScale = n / (gRatio * L);
      }
      tiles.push(t);
    }
    this.tiles = tiles;
    return tiles;
  }

  /** DAC codes c = round(x·L/a) of one row tile and its scale a per input vector [N, 1] (or scalar). */
  private dacCodes(xs: tf.Tensor2D, range: 'abs-max' | number, reduce = 1): { c: tf.Tensor2D; a: T } {
    const { dac } = this.periphery;
    const L = this.dacLevels();
    if (range === 'abs-max') {
      let a: T = tf.maximum(tf.max(tf.abs(xs), 1, true), 1e-30);
      if (reduce !== 1) a = tf.mul(a, reduce);
      const scaled = tf.mul(xs, tf.div(L, a));
      return { c: (dac.bits === null ? scaled : tf.round(scaled)) as tf.Tensor2D, a };
    }
    const scaled = tf.clipByValue(tf.mul(xs, L / (range * reduce)), -L, L);
    return { c: (dac.bits === null ? scaled : tf.round(scaled)) as tf.Tensor2D, a: tf.scalar(range * reduce) };
  }

  private forwardTiled(x: tf.Tensor2D): T {
    const tiles = this.rowTiles_();
    const { adc, dac } = this.periphery;
    const irDrop = this.irMvm;
    const N = x.shape[0];
    const cycles = inputCycles(this.periphery);
    const serial = dac.serial ?? 0;
    let y: T | null = null;
    for (const t of tiles) {
      const xs = tiles.length === 1 ? x : tf.slice(x, [0, t.r0], [N, t.n]);
      if (this.tracking && t.range !== 'abs-max') this.countDac(xs, t.range);
      if (adc.boundManagement === 'iterative') {
        const part = this.boundManaged(xs, t, irDrop, adc);
        y = y ? tf.add(y, part) : part;
        continue;
      }
      const { c, a } = this.dacCodes(xs, t.range);
      // bit-serial: cycle b sends sign(c)·(⌊|c|/2^(serial·b)⌋ mod 2^serial), its ADC output weighs 2^(serial·b)
      let p: T | null = null;
      for (let b = 0; b < cycles; b++) {
        const cb = cycles === 1 ? c : (tf.mul(tf.sign(c), tf.mod(tf.floor(tf.div(tf.abs(c), 2 ** (serial * b))), 2 ** serial)) as tf.Tensor2D);
        const pb = this.tileMvm(cb, t, irDrop, adc);
        p = p ? tf.add(p, b === 0 ? pb : tf.mul(pb, 2 ** (serial * b))) : pb;
      }
      const part = tf.mul(tf.mul(p as T, a), t.k);
      y = y ? tf.add(y, part) : part;
    }
    const b = this.bias();
    return b ? tf.add(y as T, b) : (y as T);
  }

  /**
   * aihwkit's iterative bound management (BoundManagementType.ITERATIVE): an input vector whose
   * outputs clip at the ADC is sent again with its DAC range doubled (inputs halved), up to
   * MAX_BM_HALVINGS times (aihwkit's max_bm_factor 1000 ≈ 2^10); each vector keeps its first
   * unclipped result, rescaled. Every attempt draws fresh noise and counts towards the clip rate.
   */
  private boundManaged(xs: tf.Tensor2D, t: RowTile, irDrop: Periphery['irDrop'], adc: Periphery['adc']): T {
    let result: T | null = null;
    let pending: T | null = null;
    for (let m = 0; m <= MAX_BM_HALVINGS; m++) {
      const { c, a } = this.dacCodes(xs, t.range, 2 ** m);
      const over: T[] = [];
      const part = tf.mul(tf.mul(this.tileMvm(c, t, irDrop, adc, over), a), t.k);
      const clipped = over[0] ?? tf.zerosLike(tf.slice(part, [0, 0], [-1, 1])).asType('bool');
      result = result && pending ? tf.where(pending as tf.Tensor, part, result) : part;
      pending = pending ? tf.logicalAnd(pending, clipped) : clipped;
      if (!tf.any(pending).dataSync()[0]) break;
    }
    return result as T;
  }

  /** One tile MVM of DAC codes c: matmul, IR drop ('aihwkit'), read and output noise, ADC (in ADC codes); `over` receives the rows with a clipped output [N, 1]. */
  private tileMvm(c: tf.Tensor2D, t: RowTile, irDrop: Periphery['irDrop'], adc: Periphery['adc'], over?: T[]): T {
    const { sigmaOut2 } = t;
    let p: T = tf.matMul(c, t.wn); // [N, out], in ADC codes
    if (irDrop && t.absWn && t.pos) {
      const cur = tf.mul(tf.matMul(tf.abs(c) as tf.Tensor2D, t.absWn), t.aScale);
      const cc = tf.mul(cur, tf.add(tf.mul(cur, tf.sub(tf.mul(cur, 0.05), 0.2)), 0.5));
      const drop = tf.matMul(tf.mul(c, t.pos) as tf.Tensor2D, t.wn);
      p = tf.sub(p, tf.mul(tf.mul(cc, drop), irDrop.scale));
    }
    if (t.s2 || t.u || sigmaOut2 > 0) {
      let variance: T | null = null;
      if (t.s2 || t.u) {
        const c2 = tf.square(c) as tf.Tensor2D;
        variance = t.s2 ? tf.matMul(c2, t.s2) : tf.mul(tf.matMul(c2, t.u as tf.Tensor2D), t.v as tf.Tensor2D);
        if (sigmaOut2 > 0) variance = tf.add(variance, sigmaOut2);
      }
      // variances are sums of non-negative terms (rank-1 factors of a non-negative matrix are non-negative)
      const sd = variance ? tf.sqrt(variance) : tf.scalar(Math.sqrt(sigmaOut2));
      p = tf.add(p, tf.mul(sd, this.normals(p.shape)));
    }
    if (adc.bits !== null) p = tf.round(p);
    if (t.clip < Infinity) {
      if (this.tracking) this.countAdc(p, t.clip);
      if (over) over.push(tf.any(tf.greater(tf.abs(p), t.clip), 1, true));
      p = tf.clipByValue(p, -t.clip, t.clip);
    }
    return p;
  }

  private countAdc(p: T, bound: number): void {
    this.clips.adcClipped += tf.sum(tf.cast(tf.greater(tf.abs(p), bound), 'float32')).dataSync()[0];
    this.clips.adcTotal += p.size;
  }

  private countDac(xs: T, range: number): void {
    this.clips.dacClipped += tf.sum(tf.cast(tf.greater(tf.abs(xs), range), 'float32')).dataSync()[0];
    this.clips.dacTotal += xs.size;
  }

  /**
   * `forwardTiled` with the DAC and everything after each tile's matmul in one JS loop per tile.
   * Draws the same normals in the same order and rounds the same way (half to even), so both paths
   * give the same numbers up to float rounding.
   */
  private forwardTiledFused(x: tf.Tensor2D): T {
    const tiles = this.rowTiles_();
    const { dac } = this.periphery;
    const irDrop = this.irMvm;
    const round = this.adcRounds();
    const N = x.shape[0];
    const nIn = this.inFeatures;
    const nOut = this.outFeatures;
    const xd = x.dataSync() as Float32Array;
    const y = this.buffer('y', N * nOut);
    if (this.state.bias) for (let r = 0; r < N; r++) y.set(this.state.bias, r * nOut);
    else y.fill(0);
    const L = this.dacLevels();
    const quantiseIn = dac.bits !== null;
    const irScale = irDrop ? irDrop.scale : 0;
    const M = ROUND_MAGIC;
    for (const t of tiles) {
      const n = t.n;
      const fixed = t.range === 'abs-max' ? 0 : t.range;
      const bound = t.clip;
      const sigmaOut2 = t.sigmaOut2;
      let dacClipped = 0;
      let adcClipped = 0;
      // DAC: codes c = round(x·L/a), a = abs-max per input vector (or the fixed range, clipped)
      const c = this.buffer('c', N * n);
      const a = new Float64Array(N);
      for (let r = 0; r < N; r++) {
        const base = r * nIn + t.r0;
        let amax = fixed;
        if (!fixed) for (let i = 0; i < n; i++) { const v = Math.abs(xd[base + i]); if (v > amax) amax = v; }
        if (amax < 1e-30) amax = 1e-30;
        a[r] = amax;
        const scale = L / amax;
        for (let i = 0, o = r * n; i < n; i++, o++) {
          let v = xd[base + i] * scale;
          if (fixed) {
            if (v > L || v < -L) dacClipped++;
            v = v > L ? L : v < -L ? -L : v;
          }
          c[o] = quantiseIn ? v + M - M : v;
        }
      }
      const cT = tf.tensor2d(c, [N, n]);
      // Every TF.js op of the tile first, then the reads (views into the wasm heap stay valid until the next op).
      const pT = tf.matMul(cT, t.wn); // ADC codes
      const curT = irDrop && t.absWn ? tf.matMul(tf.abs(cT) as tf.Tensor2D, t.absWn) : null;
      const dropT = irDrop && t.pos ? tf.matMul(tf.mul(cT, t.pos) as tf.Tensor2D, t.wn) : null;
      const vT = t.s2 ? tf.matMul(tf.square(cT) as tf.Tensor2D, t.s2) : null;
      const P = readFloat32(pT);
      const cur = curT ? readFloat32(curT) : null;
      const drop = dropT ? readFloat32(dropT) : null;
      const V = vT ? readFloat32(vT) : null;
      let ax: Float64Array | null = null;
      if (!t.s2 && t.uJs) {
        ax = new Float64Array(N);
        const u = t.uJs;
        for (let r = 0; r < N; r++) {
          let acc = 0;
          for (let i = 0, o = r * n; i < n; i++, o++) acc += c[o] * c[o] * u[i];
          ax[r] = acc;
        }
      }
      const k = t.kJs;
      const v = t.vJs;
      // The normals fillStandardNormalTable(this.rng, [N·out]) draws, in output order.
      const z = V !== null || ax !== null || sigmaOut2 > 0 ? fillStandardNormalTable(this.rng, this.buffer('z', N * nOut, true)) : null;
      for (let r = 0; r < N; r++) {
        const ar = a[r];
        const axr = ax ? ax[r] : 0;
        for (let j = 0, idx = r * nOut; j < nOut; j++, idx++) {
          let p = P[idx];
          if (cur && drop) {
            const cc = cur[idx] * t.aScale;
            p -= irScale * cc * (cc * (0.05 * cc - 0.2) + 0.5) * drop[idx];
          }
          if (z) p += Math.sqrt((V ? V[idx] : ax ? axr * (v as Float32Array)[j] : 0) + sigmaOut2) * z[idx];
          if (round) p = p + M - M;
          if (p > bound || p < -bound) {
            adcClipped++;
            p = p > bound ? bound : -bound;
          }
          y[idx] += p * ar * k[j];
        }
      }
      this.tally(t, N, dacClipped, adcClipped);
    }
    return tf.tensor2d(y, [N, nOut]);
  }

  /**
   * `forwardTiledFused` as two WebAssembly kernels per tile around the tile's matMul (analog-kernels.ts):
   * the same float64 arithmetic and the same normals in the same order, so the same numbers, without
   * copying x out of the heap or the result back in. The kernels return their clip counts, so
   * tracking clips costs nothing extra here.
   */
  private forwardTiledWasm(x: tf.Tensor2D): T {
    const tiles = this.rowTiles_();
    const { dac } = this.periphery;
    const round = this.adcRounds();
    const N = x.shape[0], nOut = this.outFeatures;
    const bias = this.state.bias;
    let y = filledTensor([N, nOut], (out) => {
      // On wasm `out` is freshly allocated heap memory holding whatever was there before: write every element.
      if (!bias) out.fill(0);
      else for (let r = 0; r < N; r++) out.set(bias, r * nOut);
    }) as tf.Tensor2D;
    const levels = this.dacLevels();
    for (const t of tiles) {
      const { sigmaOut2, clip: bound } = t;
      const { codes, scales, clipped: dacClipped } = dacCodes(x, t.r0, t.n, levels, dac.bits !== null, t.u, t.range);
      const p = tf.matMul(codes, t.wn) as tf.Tensor2D;
      const V = t.s2 ? tf.matMul(tf.square(codes) as tf.Tensor2D, t.s2) : null;
      const z = t.u || V || sigmaOut2 > 0 ? (filledTensor([N, nOut], (out) => fillStandardNormalTable(this.rng, out)) as tf.Tensor2D) : null;
      const adc = adcAccumulate(p, z, scales, V ?? t.v, t.k, y, { round, sigmaOut2, bound, exact: V !== null });
      y = adc.y;
      this.tally(t, N, dacClipped, adc.clipped);
    }
    return y;
  }

  /**
   * Adds one row tile's clips over N input vectors to the counts when tracking: DAC inputs only for
   * a fixed or calibrated range (abs-max never clips), ADC outputs only under a finite bound.
   */
  private tally(t: RowTile, N: number, dacClipped: number, adcClipped: number): void {
    if (!this.tracking) return;
    if (t.range !== 'abs-max') {
      this.clips.dacClipped += dacClipped;
      this.clips.dacTotal += N * t.n;
    }
    if (t.clip < Infinity) {
      this.clips.adcClipped += adcClipped;
      this.clips.adcTotal += N * this.outFeatures;
    }
  }

  /**
   * Starts (or stops) counting clipped DAC inputs (|x| above a fixed or calibrated range) and ADC
   * outputs (|code| above L, or |P| above an unquantised bound); resets the counts.
   */
  trackClipping(on = true): void {
    this.tracking = on;
    this.resetClipping();
  }

  resetClipping(): void {
    this.clips = { dacClipped: 0, dacTotal: 0, adcClipped: 0, adcTotal: 0 };
  }

  /** Counts since `trackClipping`/`resetClipping` (zeros when not tracking). */
  get clipCounts(): ClipCounts {
    return { ...this.clips };
  }

  /**
   * Sets the DAC ranges and ADC bounds of every row tile from calibration inputs x [..., in]
   * (calibration.ts: percentiles of |x| and of the noise-free tile outputs). Returns the ranges.
   * `learnedRange` (input units; needed with calibration.dac 'learned') is every row tile's DAC range.
   */
  calibrate(x: T | Float32Array, learnedRange?: number): CalibratedRanges {
    const cal = this.periphery.calibration;
    if (!cal) throw new Error(`AnalogLinear '${this.state.name}': calibrate needs periphery.calibration (e.g. { dacPercentile: 99.99, adcPercentile: 99.99 })`);
    if (cal.dac === 'learned' && !(typeof learnedRange === 'number' && learnedRange > 0)) {
      throw new Error(`AnalogLinear '${this.state.name}': periphery.calibration.dac is 'learned' but no learned input range was given for this Site; pass the adapter's ranges to chipState.calibrate(inputs, ranges)`);
    }
    const xd = x instanceof Float32Array ? x : (x.dataSync() as Float32Array);
    const nIn = this.inFeatures, nOut = this.outFeatures;
    if (xd.length === 0 || xd.length % nIn !== 0) throw new Error(`AnalogLinear '${this.state.name}': calibration inputs have ${xd.length} values, not a positive multiple of ${nIn} features`);
    const M = xd.length / nIn;
    const rt = this.rowTiles, rows = this.rows;
    const { dac } = this.periphery;
    const bandOf = (tr: number): [number, number] => [tr * rows, Math.min(rows, nIn - tr * rows)];
    const gather = (tr: number): Float32Array => {
      const [r0, n] = bandOf(tr);
      const out = new Float32Array(M * n);
      for (let m = 0; m < M; m++) out.set(xd.subarray(m * nIn + r0, m * nIn + r0 + n), m * n);
      return out;
    };
    const dacRange: ('abs-max' | number)[] = [];
    if (cal.dac === 'learned') dacRange.push(...new Array<number>(rt).fill(learnedRange as number));
    else if (cal.dacPercentile === null) for (let tr = 0; tr < rt; tr++) dacRange.push(dac.range);
    else if (cal.per === 'layer') dacRange.push(...new Array<number>(rt).fill(Math.max(absPercentile(xd, cal.dacPercentile), 1e-30)));
    else for (let tr = 0; tr < rt; tr++) dacRange.push(Math.max(absPercentile(gather(tr), cal.dacPercentile), 1e-30));
    const adcBound: number[] = [];
    if (cal.adcPercentile !== null) {
      const outputs: Float32Array[] = [];
      for (let tr = 0; tr < rt; tr++) {
        const [r0, n] = bandOf(tr);
        const a = dacRange[tr];
        // The tensor leaves tidy, not its values: tidy walks a returned typed array element by element.
        const yT = tf.tidy(() => {
          const xs = tf.tensor2d(gather(tr), [M, n]);
          const scale = a === 'abs-max' ? tf.maximum(tf.max(tf.abs(xs), 1, true), 1e-30) : tf.scalar(a);
          const xt = tf.clipByValue(tf.div(xs, scale), -1, 1) as tf.Tensor2D;
          return tf.matMul(xt, tf.tensor2d(this.state.wn.subarray(r0 * nOut, (r0 + n) * nOut), [n, nOut]));
        });
        const y = Float32Array.from(yT.dataSync() as Float32Array);
        yT.dispose();
        outputs.push(y);
      }
      if (cal.per === 'layer') {
        const all = new Float32Array(outputs.reduce((k, o) => k + o.length, 0));
        outputs.reduce((k, o) => (all.set(o, k), k + o.length), 0);
        adcBound.push(...new Array<number>(rt).fill(Math.max(absPercentile(all, cal.adcPercentile), 1e-12)));
      } else for (const o of outputs) adcBound.push(Math.max(absPercentile(o, cal.adcPercentile), 1e-12));
    } else for (let tr = 0; tr < rt; tr++) adcBound.push(this.periphery.adc.bound ?? Infinity);
    this.disposeTiles();
    this.calibrated = { dacRange, adcBound };
    return { dacRange: [...dacRange], adcBound: [...adcBound] };
  }

  /** Sets ranges found by an earlier `calibrate` (one DAC range and ADC bound per row tile). */
  setRanges(r: CalibratedRanges | CalibratedRanges[]): void {
    if (Array.isArray(r) || r.dacRange.length !== this.rowTiles || r.adcBound.length !== this.rowTiles) {
      throw new Error(`AnalogLinear '${this.state.name}': ranges must give one DAC range and one ADC bound for each of ${this.rowTiles} row tiles`);
    }
    this.disposeTiles();
    this.calibrated = { dacRange: [...r.dacRange], adcBound: [...r.adcBound] };
  }

  /** Starts recording forward inputs for calibration (forward runs uncalibrated meanwhile: fixed DAC range, fixed ADC bound). */
  startRecording(): void {
    this.recorded = [];
  }

  /** Calibrates from the inputs recorded since `startRecording` and stops recording. */
  finishRecording(): CalibratedRanges {
    const rec = this.recorded;
    this.recorded = null;
    if (!rec || rec.length === 0) throw new Error(`AnalogLinear '${this.state.name}': no inputs were recorded for calibration; run forward passes between startCalibration and finishCalibration`);
    const all = new Float32Array(rec.reduce((k, r) => k + r.length, 0));
    rec.reduce((k, r) => (all.set(r, k), k + r.length), 0);
    return this.calibrate(all);
  }

  /** The calibrated ranges, or null. */
  get ranges(): CalibratedRanges | null {
    return this.calibrated ? { dacRange: [...this.calibrated.dacRange], adcBound: [...this.calibrated.adcBound] } : null;
  }

  /** Number of forward calls so far (each drew fresh read noise). */
  get forwardCalls(): number {
    return this.calls;
  }

  private disposeTiles(): void {
    for (const t of this.tiles ?? []) for (const x of [t.wn, t.k, t.s2, t.u, t.v, t.absWn, t.pos]) if (x && !x.isDisposed) x.dispose();
    this.tiles = null;
  }

  dispose(): void {
    const all: (T | null)[] = [this.biasT];
    if (this.direct) {
      this.direct.w.dispose();
      all.push(this.direct.s2, this.direct.u, this.direct.v);
    }
    for (const x of all) if (x && !x.isDisposed) x.dispose();
    this.disposeTiles();
    this.direct = null;
    this.biasT = null;
    this.buffers = {};
  }
}
