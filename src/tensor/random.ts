/**
 * Bulk random draws for millions of values: device states (chip programming, drift, read noise),
 * per-MVM noise, StochGRASP's per-step training noise, and dropout masks.
 *
 * `Rng.fillNormal` (polar method through a class method per draw) runs at about 26 ns per normal on
 * this machine; programming a roberta-base-sized chip needs several hundred million draws. These
 * fills take their randomness from an `Rng` (four 32-bit words seed a local xoshiro128** state, the
 * same generator Rng uses) and run the generator inline in one loop:
 *
 *   - `fillStandardNormal`: ziggurat (Marsaglia & Tsang, J. Stat. Softw. 5(8), 2000) with 128 layers.
 *     Each 32-bit word is split into independent fields — 7 bits pick the layer, 1 bit the sign,
 *     24 bits the position — avoiding the layer/value correlation Doornik (2005) found in the
 *     original formulation. Measured ≈ 4–7 ns per normal.
 *   - `fillUniform01`: 24-bit uniforms in [0, 1).
 *
 * Deterministic: the same Rng state gives the same numbers. Each call advances `rng` by four words,
 * so consecutive calls give independent blocks.
 */
import { tf } from './engine.js';
import { heapMemory, heapOffset, heapOutput, onceOnWasm } from './wasm-heap.js';
import type { Rng } from './rng.js';

const LAYERS = 128;
const R = 3.442619855899; // right edge of the base layer
const V = 9.91256303526217e-3; // area of each layer
const M24 = 16777216; // 2^24

// kn[i]: acceptance threshold (24-bit scale); wn[i]: x per unit of the 24-bit field; fn[i] = f(x_i).
const kn = new Uint32Array(LAYERS);
const wn = new Float64Array(LAYERS);
const fn = new Float64Array(LAYERS);
// Signed copies indexed by the low 8 bits (7 layer bits + 1 sign bit): the fast path needs no
// branch on the sign (a 50 % unpredictable branch cost ~3 ns per draw).
const kn2 = new Float64Array(2 * LAYERS);
const wn2 = new Float64Array(2 * LAYERS);
(() => {
  let dn = R;
  let tn = dn;
  const q = V / Math.exp(-0.5 * dn * dn);
  kn[0] = Math.floor((dn / q) * M24);
  kn[1] = 0;
  wn[0] = q / M24;
  wn[LAYERS - 1] = dn / M24;
  fn[0] = 1;
  fn[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(V / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = Math.floor((dn / tn) * M24);
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / M24;
  }
  for (let i = 0; i < 2 * LAYERS; i++) {
    kn2[i] = kn[i & 127];
    wn2[i] = i < LAYERS ? wn[i] : -wn[i & 127];
  }
})();

/** xoshiro128** state seeded from four words of `rng` (never all zero). Exported for hot loops that inline the generator. */
export function seedState(rng: Rng): Uint32Array {
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) s[i] = rng.nextUint32();
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

/** One xoshiro128** output from a shared state array (slow paths only). */
function next(st: Int32Array): number {
  const s1 = st[1];
  const r = Math.imul(((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25)), 9) >>> 0;
  const t = s1 << 9;
  st[2] ^= st[0]; st[3] ^= st[1]; st[1] ^= st[2]; st[0] ^= st[3]; st[2] ^= t; st[3] = (st[3] << 11) | (st[3] >>> 21);
  return r;
}

/** The ziggurat's rare paths (about 1.2 % of draws): base-layer tail, wedges and retries. */
function slowNormal(st: Int32Array, r: number): number {
  for (;;) {
    const iz = r & 127;
    const u = r >>> 8;
    const neg = (r & 128) !== 0;
    if (u < kn[iz]) return neg ? -u * wn[iz] : u * wn[iz];
    if (iz === 0) {
      let xt: number, yt: number;
      do {
        xt = -Math.log(((next(st) >>> 8) + 0.5) / M24) / R;
        yt = -Math.log(((next(st) >>> 8) + 0.5) / M24);
      } while (yt + yt < xt * xt);
      return neg ? -(R + xt) : R + xt;
    }
    const x = u * wn[iz];
    const uc = ((next(st) >>> 8) + 0.5) / M24;
    if (fn[iz] + uc * (fn[iz - 1] - fn[iz]) < Math.exp(-0.5 * x * x)) return neg ? -x : x;
    r = next(st);
  }
}

/**
 * Fills `out` with standard normal draws (scaled by `std`, shifted by `mean`) and returns it.
 * `count` limits the fill to the first `count` entries.
 */
export function fillStandardNormal(rng: Rng, out: Float32Array, mean = 0, std = 1, count = out.length): Float32Array {
  const st = new Int32Array(seedState(rng).buffer);
  let s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
  for (let n = 0; n < count; n++) {
    const r = Math.imul(((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25)), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    const i = r & 255;
    const u = r >>> 8;
    let x: number;
    if (u < kn2[i]) {
      x = u * wn2[i];
    } else {
      st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
      x = slowNormal(st, r);
      s0 = st[0]; s1 = st[1]; s2 = st[2]; s3 = st[3];
    }
    out[n] = x;
  }
  if (mean !== 0 || std !== 1) for (let n = 0; n < count; n++) out[n] = mean + std * out[n];
  return out;
}

/** Fills the first `count` entries of `out` with uniforms in [0, 1) (24-bit resolution). */
export function fillUniform01(rng: Rng, out: Float32Array | Float64Array, count = out.length): typeof out {
  const st = seedState(rng);
  let s0 = st[0] | 0, s1 = st[1] | 0, s2 = st[2] | 0, s3 = st[3] | 0;
  for (let n = 0; n < count; n++) {
    const r = Math.imul(((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25)), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    out[n] = (r >>> 8) / M24;
  }
  return out;
}

// ── inverse-CDF table for per-MVM noise ─────────────────────────────────────────────────────

const TABLE_BITS = 16;
const TABLE_SIZE = 1 << TABLE_BITS;

/**
 * Φ⁻¹(p) by P. J. Acklam's rational approximation (relative error < 1.2e-9), refined by one
 * Halley step on Φ computed from erfc (good to ~1e-15 on the table's points).
 */
function inverseNormalCdf(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley refinement: e = Φ(x) − p
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** erfc by W. J. Cody's rational Chebyshev approximations (|relative error| < 1e-15 … 1e-13). */
function erfc(x: number): number {
  // Numerical Recipes' erfcc-style series is too coarse; use the continued fraction for large |x|
  // and the Taylor series of erf for small |x| — both converge fast in double precision.
  const ax = Math.abs(x);
  let r: number;
  if (ax < 2) {
    // erf Taylor series: 2/√π Σ (−1)^n x^(2n+1) / (n!(2n+1))
    let sum = ax;
    let term = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // Lentz continued fraction for erfc
    let f = ax;
    let C = ax;
    let D = 0;
    for (let n = 1; n < 200; n++) {
      const an = n / 2;
      D = ax + an * D;
      D = D === 0 ? 1e-300 : 1 / D;
      C = ax + an / C;
      const delta = C * D;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  }
  return x >= 0 ? r : 2 - r;
}

let normalTable: Float32Array | null = null;

/** Midpoint quantiles Φ⁻¹((i + ½)/2^16), rescaled to unit variance (the table of `fillStandardNormalTable`). */
export function normalTable16(): Float32Array {
  return table();
}

function table(): Float32Array {
  if (normalTable) return normalTable;
  const t = new Float64Array(TABLE_SIZE);
  let v = 0;
  for (let i = 0; i < TABLE_SIZE / 2; i++) {
    const x = inverseNormalCdf((i + 0.5) / TABLE_SIZE);
    t[i] = x;
    t[TABLE_SIZE - 1 - i] = -x;
    v += 2 * x * x;
  }
  const k = 1 / Math.sqrt(v / TABLE_SIZE);
  normalTable = Float32Array.from(t, (x) => x * k);
  return normalTable;
}

/**
 * Fast approximate standard normals for per-MVM noise: two draws per 32-bit word, each a 2^16-point
 * inverse-CDF lookup (midpoint quantiles, unit variance). The distribution is N(0, 1) discretised to
 * 65 536 equiprobable values: CDF error < 8e-6, tails cut at ±4.3σ. About 4× cheaper than
 * `fillStandardNormal`; used where noise is drawn for every tile output of every MVM.
 */
export function fillStandardNormalTable(rng: Rng, out: Float32Array, count = out.length): Float32Array {
  const tab = table();
  const st = seedState(rng);
  let s0 = st[0] | 0, s1 = st[1] | 0, s2 = st[2] | 0, s3 = st[3] | 0;
  let n = 0;
  for (; n + 1 < count; n += 2) {
    const r = Math.imul(((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25)), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    out[n] = tab[r >>> 16];
    out[n + 1] = tab[r & 0xffff];
  }
  if (n < count) {
    const r = Math.imul(((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25)), 9) >>> 0;
    out[n] = tab[r >>> 16];
  }
  return out;
}

/** Φ⁻¹, exported for tests. */
export const inverseCdf = inverseNormalCdf;

/**
 * A tensor of exact N(0, 1) draws (the ziggurat) from `rng`, written straight into the wasm heap on
 * wasm. tf.randomNormal generates in JavaScript too, at ≈ 41 ns per draw; the ziggurat takes ≈ 7 ns.
 */
export function randomNormalTensor(shape: number[], rng: Rng): tf.Tensor {
  return filledTensor(shape, (out) => fillStandardNormal(rng, out));
}

const f = Math.fround;

// ── dropout masks: tf.randomUniform's numbers, drawn inline ──────────────────────────────────

/**
 * The state of seedrandom's Alea generator (J. Baagøe; what `tf.randomUniform` draws with) for a
 * seed string, as its `Mash` seeds it: three fractions s₀, s₁, s₂ ∈ [0, 1) and a carry c.
 */
function aleaState(seed: string): AleaState {
  let n = 0xefc8249d;
  const mash = (data: string) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000;
    }
    return (n >>> 0) * 2.3283064365386963e-10;
  };
  const s = [mash(' '), mash(' '), mash(' ')];
  for (let i = 0; i < 3; i++) {
    s[i] -= mash(seed);
    if (s[i] < 0) s[i] += 1;
  }
  return [s[0], s[1], s[2], 1];
}

/**
 * Alea is a lag-3 multiply-with-carry generator in base b = 2^32 with multiplier a = 2091639 (its
 * doubles hold x/2^32 exactly: a·x + c < 2^53). With Z = c + a·(x₀ + x₁·b + x₂·b²) for the state
 * (s₀, s₁, s₂, c) = (x₀, x₁, x₂)/2^32, one step is Z ← Z·b⁻¹ mod p, p = a·b³ − 1 (Couture &
 * L'Ecuyer 1997), and b⁻¹ = a·b² mod p — so jumping m steps ahead is one modular power.
 */
const ALEA_A = 2091639n, ALEA_B = 1n << 32n, ALEA_P = ALEA_A * ALEA_B ** 3n - 1n, ALEA_BINV = ALEA_A * ALEA_B * ALEA_B;
type AleaState = [number, number, number, number];

function aleaJump([s0, s1, s2, c]: AleaState, steps: number): AleaState {
  const word = (v: number) => BigInt(v * 4294967296);
  let z = (BigInt(c) + ALEA_A * (word(s0) + (word(s1) << 32n) + (word(s2) << 64n))) % ALEA_P;
  for (let base = ALEA_BINV, e = BigInt(steps); e > 0n; e >>= 1n, base = (base * base) % ALEA_P) if (e & 1n) z = (z * base) % ALEA_P;
  const x = z / ALEA_A, frac = (k: bigint) => Number((x >> k) & 0xffffffffn) / 4294967296;
  return [frac(0n), frac(32n), frac(64n), Number(z % ALEA_A)];
}

/**
 * Inverted dropout's scaled keep mask for `keep` = 1 − rate: element for element what
 * `tf.div(tf.cast(tf.less(tf.randomUniform(shape, 0, 1, 'float32', seed), keep), 'float32'), keep)`
 * gives on every backend (u < keep compared in float32, kept elements 1/keep in float32). tfjs draws
 * its seeded uniforms in JavaScript through three closures per value and the mask then takes three
 * more passes; here Alea runs inline in one loop writing the mask, as four chains a quarter of the
 * tensor apart (`aleaJump`) whose carries do not wait for one another (one chain is bound by the
 * carry's latency, ≈ 5 ns per value; four take ≈ 2 ns, with the keep test as arithmetic, not a branch
 * the 10 % of dropped elements mispredict). Tests compare it with the tf ops.
 */
export function dropoutMaskTensor(shape: number[], keep: number, seed: number): tf.Tensor {
  const keepF = f(keep), scale = f(1 / keepF);
  return filledTensor(shape, (out) => {
    const n = out.length, m = n >= 4096 ? Math.floor(n / 4) : 0;
    const first = aleaState(String(seed));
    let [a0, a1, a2, ac] = first;
    if (m > 0) {
      let [b0, b1, b2, bc] = aleaJump(first, m), [c0, c1, c2, cc] = aleaJump(first, 2 * m), [d0, d1, d2, dc] = aleaJump(first, 3 * m);
      for (let i = 0; i < m; i++) {
        const ta = 2091639 * a0 + ac * 2.3283064365386963e-10, tb = 2091639 * b0 + bc * 2.3283064365386963e-10;
        const tc = 2091639 * c0 + cc * 2.3283064365386963e-10, td = 2091639 * d0 + dc * 2.3283064365386963e-10;
        a0 = a1; a1 = a2; ac = Math.floor(ta); a2 = ta - ac; // t ≥ 0: Math.floor is Alea's t | 0
        b0 = b1; b1 = b2; bc = Math.floor(tb); b2 = tb - bc;
        c0 = c1; c1 = c2; cc = Math.floor(tc); c2 = tc - cc;
        d0 = d1; d1 = d2; dc = Math.floor(td); d2 = td - dc;
        out[i] = scale * +(f(a2) < keepF);
        out[m + i] = scale * +(f(b2) < keepF);
        out[2 * m + i] = scale * +(f(c2) < keepF);
        out[3 * m + i] = scale * +(f(d2) < keepF);
      }
      [a0, a1, a2, ac] = [d0, d1, d2, dc];
    }
    for (let i = 4 * m; i < n; i++) {
      const t = 2091639 * a0 + ac * 2.3283064365386963e-10;
      a0 = a1; a1 = a2; ac = Math.floor(t); a2 = t - ac;
      out[i] = scale * +(f(a2) < keepF);
    }
  });
}

// ── keyed counter-based normals (StochGRASP's training noise) ───────────────────────────────

/**
 * Two 32-bit words keying a counter-based stream of normals: element p of the stream is a function of
 * (key, p) alone (`fillKeyedNormal`), so StochGRASP's SIMD kernels draw the noise inside the pass that
 * uses it, any slice of it, in any order, with the same numbers as this JavaScript reference
 * (local-noise.ts). Draw a fresh key for every use.
 */
export type NoiseKey = readonly [number, number];

/** A fresh key from `rng` (advances it by two words). */
export function noiseKey(rng: Rng): NoiseKey {
  return [rng.nextUint32() | 0, rng.nextUint32() | 0];
}

/**
 * Constants of the keyed generator, shared with the SIMD kernels (local-noise.ts), which must give
 * the same float32 numbers: Wellons' `triple32` multipliers (hash-prospector), and the float32
 * coefficients of ln m = 2s·(1 + s²/3 + s⁴/5 + s⁶/7 + s⁸/9), s = (m − 1)/(m + 1), m ∈ [√½, √2)
 * (truncation < 1e-9 relative) and of the Taylor polynomials of sin and cos on [0, π/2]
 * (truncation < 6e-8). Coefficients are listed highest power first (Horner order), each poly ending
 * in + 1.
 */
export const KEYED = {
  m1: 0xed5ad4bb | 0, m2: 0xac4c1b51 | 0, m3: 0x31848bab | 0,
  ln2: f(Math.LN2), sqrt2: f(Math.SQRT2), angle: f(Math.PI / 2048),
  log: [1 / 9, 1 / 7, 1 / 5, 1 / 3].map(f),
  sin: [-1 / 39916800, 1 / 362880, -1 / 5040, 1 / 120, -1 / 6].map(f),
  cos: [1 / 479001600, -1 / 3628800, 1 / 40320, -1 / 720, 1 / 24, -1 / 2].map(f),
} as const;

/**
 * The 32-bit word of counter c in the stream `key`: Wellons' `triple32` (three xorshift-multiply
 * rounds, a bijection with near-ideal avalanche) of c ⊕ k₁, with k₂ xored in after the first round.
 * The second key word keeps two streams from being shifted copies of each other (with c ⊕ k alone,
 * stream k at c would equal stream k′ at c ⊕ k ⊕ k′).
 */
export function keyedWord(c: number, key: NoiseKey): number {
  let h = c ^ key[0];
  h ^= h >>> 17;
  h = Math.imul(h, KEYED.m1);
  h ^= h >>> 11;
  h ^= key[1];
  h = Math.imul(h, KEYED.m2);
  h ^= h >>> 15;
  h = Math.imul(h, KEYED.m3);
  return h ^ (h >>> 14);
}

const [L0, L1, L2, L3] = KEYED.log;
const [S0, S1, S2, S3, S4] = KEYED.sin;
const [C0, C1, C2, C3, C4, C5] = KEYED.cos;

/**
 * The pair of normals of word h, by the Box–Muller transform in float32: u₁ = (h[31:12] + ½)/2^20
 * gives the radius r = √(−2 ln u₁) (at most 5.4), u₂ = (h[11:0] + ½)/2^12 the angle 2πu₂ (quadrant
 * from 2 bits, sin and cos of the remaining quarter-turn from their polynomials). Every operation is
 * one IEEE float32 operation (Math.fround), in the order the SIMD kernel does it (local-noise.ts), so
 * both give the same numbers. Writes r·cos to out[i0] and, when i1 ≥ 0, r·sin to out[i1].
 */
function boxMuller(h: number, out: Float32Array, i0: number, i1: number): void {
  // u₁·2^20 = (2k + 1)/2 = m·2^(t − 1) with t = ⌊log₂(2k + 1)⌋, m ∈ [1, 2) exact in float32
  const k = ((h >>> 12) << 1) | 1;
  const t = 31 - Math.clz32(k);
  let e = t - 21;
  let m = k / (1 << t);
  if (m > KEYED.sqrt2) {
    m = f(m * 0.5);
    e += 1;
  }
  const s = f(f(m - 1) / f(m + 1));
  const s2 = f(s * s);
  let p = f(f(L0 * s2) + L1);
  p = f(f(p * s2) + L2);
  p = f(f(p * s2) + L3);
  p = f(f(p * s2) + 1);
  const lnU = f(f(e * KEYED.ln2) + f(f(s + s) * p));
  const r = f(Math.sqrt(f(lnU * -2)));
  const lo = h & 0xfff;
  const phi = f(f((lo & 0x3ff) + 0.5) * KEYED.angle);
  const p2 = f(phi * phi);
  let sn = f(f(S0 * p2) + S1);
  sn = f(f(sn * p2) + S2);
  sn = f(f(sn * p2) + S3);
  sn = f(f(sn * p2) + S4);
  sn = f(f(f(sn * p2) + 1) * phi);
  let cs = f(f(C0 * p2) + C1);
  cs = f(f(cs * p2) + C2);
  cs = f(f(cs * p2) + C3);
  cs = f(f(cs * p2) + C4);
  cs = f(f(cs * p2) + C5);
  cs = f(f(cs * p2) + 1);
  const swap = (lo & 0x400) !== 0;
  const a = swap ? sn : cs, c = swap ? cs : sn;
  out[i0] = f(r * (((lo >> 10) ^ (lo >> 11)) & 1 ? -a : a));
  if (i1 >= 0) out[i1] = f(r * ((lo >> 11) & 1 ? -c : c));
}

/**
 * Elements from…out.length − 1 of the stream `key` (the JavaScript reference; keyedNormalTensor in
 * local-noise.ts fills whole pairs of blocks with the SIMD kernel). Elements come in blocks of 8: the
 * four words of counters 4b … 4b + 3 give elements 8b … 8b + 3 (their r·cos) and 8b + 4 … 8b + 7
 * (their r·sin). `from` must be a multiple of 8.
 */
export function fillKeyedNormal(key: NoiseKey, out: Float32Array, from = 0): Float32Array {
  for (let b = from / 8; b * 8 < out.length; b++) {
    for (let lane = 0; lane < 4; lane++) {
      const p = 8 * b + lane;
      if (p >= out.length) break;
      boxMuller(keyedWord(4 * b + lane, key), out, p, p + 4 < out.length ? p + 4 : -1);
    }
  }
  return out;
}

/**
 * A float32 tensor filled by `fill`. On wasm the values are written straight into the output
 * tensor's heap memory: no JavaScript buffer of the full size per call, no copy into the heap (for
 * 2.4 M draws per step that buffer churn once cost StochGRASP more than the generator itself). `fill`
 * gets the wasm backend too (null elsewhere), so a WebAssembly kernel can fill `out` in place at its
 * heap byte offset `out.byteOffset`.
 */
export type Fill = (out: Float32Array, wasmBackend: unknown | null) => void;

export function filledTensor(shape: number[], fill: Fill): tf.Tensor {
  if (tf.getBackend() === 'wasm' && registerFill()) return tf.engine().runKernel(FILL, {}, { shape, fill } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(out, null);
  return tf.tensor(out, shape);
}

const FILL = 'GraspHilFillFloat32';
const registerFill = onceOnWasm(() =>
  tf.registerKernel({
    kernelName: FILL,
    backendName: 'wasm',
    kernelFunc: ({ backend, attrs }) => {
      const { shape, fill } = attrs as unknown as { shape: number[]; fill: Fill };
      const out = heapOutput(backend, shape);
      fill(new Float32Array(heapMemory(backend).buffer, heapOffset(backend, out), shape.reduce((a, b) => a * b, 1)), backend);
      return out;
    },
  }));
