/**
 * Pulsed programming: the device moves one finite, state-dependent, noisy step per pulse, as in
 * aihwkit's PulsedDevice family (simulator/configs/devices.py: PulsedDevice, LinearStepDevice,
 * SoftBoundsDevice). Parameters are aihwkit's, in its weight units w; the range [range.min,
 * range.max] (default [wMin, wMax]) maps linearly onto [g_min, g_max]:
 *
 *   g(w) = g_min/g_max + (w − range.min)·(1 − g_min/g_max)/(range.max − range.min)   (fraction of g_max)
 *
 * Per device i, drawn once from the device stream (chip seed) as aihwkit's PulsedRPUDevice::populate
 * does (src/rpucuda/rpu_pulsed_device.cpp), each spread multiplied by the profile's variation scale k:
 *
 *   gain_i = 1 + k·dwMinDtod·ξ        r_i = k·upDownDtod·ξ
 *   Δw_up,i = |dwMin·(gain_i + r_i + min(upDown, 0))|   Δw_down,i = |dwMin·(gain_i − r_i − max(upDown, 0))|
 *   b_max,i = |wMax·(1 + k·wMaxDtod·ξ)|  b_min,i = −|wMin·(1 + k·wMinDtod·ξ)|   (swapped first if crossed)
 *   γ_up,i = |gammaUp + k·gammaUpDtod·ξ| / B_max     γ_down,i = |gammaDown + k·gammaDownDtod·ξ| / |B_min|
 *     (B = the device's own bound b_i, or the mean wMax/wMin with meanBoundReference)
 *
 * One pulse (LinearStepDevice's update; gamma = 1 is SoftBoundsDevice's soft bounds, where the step
 * vanishes at the bound: Δw_up = Δw·(1 − w/b_max), Δw_down = Δw·(1 − w/b_min)):
 *
 *   up:   w ← w + Δw_up,i·max(1 − γ_up,i·w, 0)·(1 + σ·z)        (noise 'multiplicative', aihwkit mult_noise)
 *         w ← w + Δw_up,i·(max(1 − γ_up,i·w, 0) + σ·z)          (noise 'additive')
 *   down: w ← w − Δw_down,i·max(1 + γ_down,i·w, 0)·(…)           then w ← clip(w, b_min,i, b_max,i)
 *
 * σ = dwMinStd × the profile's programming scale; z from the write stream, one per pulse.
 *
 * Writing (verify, the default): start at the symmetry point w = 0 (aihwkit's reset), at range.min
 * ('low', erased) or range.max ('high'); then read, and while |d·g(w) − g_T| > tol and fewer than
 * maxPulses pulses, pulse once toward g_T and read again; a device that reaches its own bound while
 * pulsed toward it stops there (its error is then the spread of its bound). d is the static
 * device-to-device factor of the profile's `variation` (1 when absent), so verify corrects it as
 * well as the step and bound variation. Without verify the controller fires the pulse count a
 * nominal device (mean parameters, no noise) needs, in one direction, and never reads back:
 * n = round(ln((w_T − w*)/(w_0 − w*)) / ln(1 − Δw·γ)) with w* = ±1/γ, or round(|w_T − w_0|/Δw) when
 * γ = 0. The programmed conductance is d·g(w); every pulse is counted per device.
 *
 * Measured (node --import tsx bench/pulsed.ts: 200 000 ecram devices, half at g_min): 427 pulses per
 * device on average, 31–40 M simulated pulses per CPU second.
 */
import type { Rng } from '../tensor/index.js';
import { fillStandardNormal } from '../tensor/index.js';
import { parseTolerance, registerProgramming, type ProgramContext, type ProgrammingContext, type ProgrammingMethod } from './programming.js';
import type { PulsedDeviceJson, PulsedProgrammingJson } from './schema.js';
import { parseQuantity } from './units.js';

/** Mean pulsed-device parameters in aihwkit's weight units (see the file header). */
export interface PulsedParams {
  dwMin: number;
  wMin: number;
  wMax: number;
  rangeMin: number;
  rangeMax: number;
  gammaUp: number;
  gammaDown: number;
  gammaUpDtod: number;
  gammaDownDtod: number;
  meanBoundReference: boolean;
  dwMinStd: number;
  multiplicative: boolean;
  dwMinDtod: number;
  upDown: number;
  upDownDtod: number;
  wMaxDtod: number;
  wMinDtod: number;
}

/** Per-device parameters, drawn once per device. */
export interface PulsedPopulation {
  dwUp: Float64Array;
  dwDown: Float64Array;
  bMax: Float64Array;
  bMin: Float64Array;
  /** γ_up,i (per weight unit). */
  slopeUp: Float64Array;
  /** γ_down,i (per weight unit). */
  slopeDown: Float64Array;
}

export type PulsedStart = 'symmetry' | 'low' | 'high';

/** Normals for one device-to-device term, or null when the term is off (its stream is then not drawn). */
function spread(rng: Rng | null, name: string, n: number, sigma: number): Float32Array | null {
  if (rng === null || sigma === 0) return null;
  return fillStandardNormal(rng.fork(name), new Float32Array(n), 0, sigma);
}

/** Draws each device's step sizes, bounds and slopes (device stream `rng`; k scales every spread). */
export function drawPopulation(p: PulsedParams, n: number, rng: Rng | null, k = 1): PulsedPopulation {
  const on = k === 0 ? null : rng;
  const gain = spread(on, 'dw-min', n, k * p.dwMinDtod);
  const beta = spread(on, 'up-down', n, k * p.upDownDtod);
  const top = spread(on, 'w-max', n, k * p.wMaxDtod);
  const bottom = spread(on, 'w-min', n, k * p.wMinDtod);
  const gUp = spread(on, 'gamma-up', n, k * p.gammaUpDtod);
  const gDown = spread(on, 'gamma-down', n, k * p.gammaDownDtod);
  const pop: PulsedPopulation = {
    dwUp: new Float64Array(n), dwDown: new Float64Array(n), bMax: new Float64Array(n), bMin: new Float64Array(n),
    slopeUp: new Float64Array(n), slopeDown: new Float64Array(n),
  };
  const upBias = p.upDown > 0 ? 0 : p.upDown;
  const downBias = p.upDown > 0 ? -p.upDown : 0;
  for (let i = 0; i < n; i++) {
    const g = 1 + (gain ? gain[i] : 0);
    const r = beta ? beta[i] : 0;
    pop.dwUp[i] = Math.abs(p.dwMin * (upBias + g + r));
    pop.dwDown[i] = Math.abs(p.dwMin * (downBias + g - r));
    let hi = p.wMax * (1 + (top ? top[i] : 0));
    let lo = p.wMin * (1 + (bottom ? bottom[i] : 0));
    if (lo > hi) [hi, lo] = [lo, hi];
    hi = Math.abs(hi);
    lo = -Math.abs(lo);
    pop.bMax[i] = hi;
    pop.bMin[i] = lo;
    const refUp = p.meanBoundReference ? p.wMax : hi;
    const refDown = p.meanBoundReference ? p.wMin : lo;
    pop.slopeUp[i] = refUp > 0 ? Math.abs(p.gammaUp + (gUp ? gUp[i] : 0)) / refUp : 0;
    pop.slopeDown[i] = refDown < 0 ? Math.abs(p.gammaDown + (gDown ? gDown[i] : 0)) / -refDown : 0;
  }
  return pop;
}

/** The nominal device (mean parameters): pulses from w0 toward wT, rounded; Infinity when unreachable. */
export function nominalPulses(p: PulsedParams, w0: number, wT: number): number {
  if (wT === w0) return 0;
  const up = wT > w0;
  const gamma = up ? (p.gammaUp / p.wMax) : (p.gammaDown / -p.wMin);
  const dw = p.dwMin * (up ? 1 + Math.min(p.upDown, 0) : 1 - Math.max(p.upDown, 0));
  if (gamma === 0) return Math.round(Math.abs(wT - w0) / dw);
  const fixed = up ? 1 / gamma : -1 / gamma; // where the step would vanish
  const ratio = (wT - fixed) / (w0 - fixed);
  if (!(ratio > 0)) return Infinity;
  return Math.round(Math.log(ratio) / Math.log(1 - dw * gamma));
}

const quantity = (q: unknown, where: string, ctx: ProgrammingContext): number => parseQuantity(ctx.value(q, where), 'dimensionless', where);

function readParams(json: PulsedDeviceJson, ctx: ProgrammingContext): PulsedParams {
  const at = (k: string) => `${ctx.where}/device/${k}`;
  const opt = (q: unknown, k: string, fallback: number): number => (q === undefined ? fallback : quantity(q, at(k), ctx));
  const nonNeg = (v: number, k: string, what: string): number => {
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`${at(k)}: ${what} must be a finite number ≥ 0, got ${v}`);
    return v;
  };
  const dwMin = quantity(json.dwMin, at('dwMin'), ctx);
  const wMin = quantity(json.wMin, at('wMin'), ctx);
  const wMax = quantity(json.wMax, at('wMax'), ctx);
  if (!(wMin < 0 && wMax > 0)) {
    throw new Error(`${at('wMin')}: the bounds must enclose the symmetry point w = 0 (wMin < 0 < wMax, aihwkit's convention), got wMin ${wMin}, wMax ${wMax}`);
  }
  const rangeMin = json.range ? quantity(json.range.min, at('range/min'), ctx) : wMin;
  const rangeMax = json.range ? quantity(json.range.max, at('range/max'), ctx) : wMax;
  if (!(rangeMin < rangeMax)) throw new Error(`${at('range')}: range.min (${rangeMin}) must be below range.max (${rangeMax})`);
  if (rangeMin < wMin || rangeMax > wMax) {
    throw new Error(`${at('range')}: the range [${rangeMin}, ${rangeMax}] mapped onto [g_min, g_max] must lie within the bounds [${wMin}, ${wMax}]`);
  }
  if (!(dwMin > 0 && dwMin < rangeMax - rangeMin)) {
    throw new Error(`${at('dwMin')}: the step must be > 0 and smaller than the range ${rangeMax - rangeMin}, got ${dwMin}`);
  }
  const upDown = opt(json.upDown, 'upDown', 0);
  if (!(Math.abs(upDown) < 1)) throw new Error(`${at('upDown')}: the up/down bias must lie in (−1, 1), got ${upDown}`);
  return {
    dwMin, wMin, wMax, rangeMin, rangeMax, upDown,
    gammaUp: nonNeg(opt(json.gammaUp, 'gammaUp', 1), 'gammaUp', 'gammaUp'),
    gammaDown: nonNeg(opt(json.gammaDown, 'gammaDown', 1), 'gammaDown', 'gammaDown'),
    gammaUpDtod: nonNeg(opt(json.gammaUpDtod, 'gammaUpDtod', 0), 'gammaUpDtod', 'gammaUpDtod'),
    gammaDownDtod: nonNeg(opt(json.gammaDownDtod, 'gammaDownDtod', 0), 'gammaDownDtod', 'gammaDownDtod'),
    meanBoundReference: json.meanBoundReference ?? false,
    dwMinStd: nonNeg(opt(json.dwMinStd, 'dwMinStd', 0), 'dwMinStd', 'cycle-to-cycle spread'),
    multiplicative: (json.noise ?? 'multiplicative') === 'multiplicative',
    dwMinDtod: nonNeg(opt(json.dwMinDtod, 'dwMinDtod', 0), 'dwMinDtod', 'device-to-device spread'),
    upDownDtod: nonNeg(opt(json.upDownDtod, 'upDownDtod', 0), 'upDownDtod', 'device-to-device spread'),
    wMaxDtod: nonNeg(opt(json.wMaxDtod, 'wMaxDtod', 0), 'wMaxDtod', 'device-to-device spread'),
    wMinDtod: nonNeg(opt(json.wMinDtod, 'wMinDtod', 0), 'wMinDtod', 'device-to-device spread'),
  };
}

export interface PulsedWriter extends ProgrammingMethod {
  readonly params: PulsedParams;
  readonly start: PulsedStart;
  readonly verify: boolean;
  /** Verify tolerance as a function of the target (fractions of g_max); null without verify. */
  readonly tolerance: ((gT: number) => number) | null;
  readonly maxPulses: number;
  /** g(w) as a fraction of g_max. */
  conductance(w: number): number;
  /** w(g), the inverse of `conductance`. */
  weight(g: number): number;
}

/** Compiles a `pulsed` programming section; gMinNorm is g_min/g_max (where range.min maps). */
export function pulsedWriter(json: PulsedProgrammingJson, ctx: ProgrammingContext): PulsedWriter {
  const p = readParams(json.device, ctx);
  const verify = json.verify ?? true;
  const start: PulsedStart = json.start ?? 'symmetry';
  if (verify && !json.tolerance) throw new Error(`${ctx.where}/tolerance: pulsed programming with verify needs a tolerance ({ "value": "0.5 %", "of": "gMax" }); or set "verify": false`);
  const tolerance = verify && json.tolerance ? (() => {
    const { tol, of } = parseTolerance(json.tolerance, ctx);
    return of === 'target' ? (gT: number) => tol * Math.abs(gT) : () => tol;
  })() : null;
  const maxPulses = json.maxPulses;
  const lo = ctx.gReset;
  const s = (1 - lo) / (p.rangeMax - p.rangeMin);
  const conductance = (w: number): number => lo + (w - p.rangeMin) * s;
  const weight = (g: number): number => p.rangeMin + (g - lo) / s;
  const w0 = start === 'symmetry' ? 0 : start === 'low' ? p.rangeMin : p.rangeMax;
  const describe = (): string => `pulsed: Δw ${p.dwMin} of [${p.wMin}, ${p.wMax}] (γ up ${p.gammaUp}, down ${p.gammaDown}), c2c ${p.dwMinStd} ${p.multiplicative ? 'multiplicative' : 'additive'}, d2d step ${p.dwMinDtod}, bounds ${p.wMaxDtod}/${p.wMinDtod}; start ${start}; ${verify ? `verify, ≤ ${maxPulses} pulses` : `open loop, ≤ ${maxPulses} pulses`}`;

  return {
    method: 'pulsed',
    verifies: verify,
    sigma: null,
    params: p,
    start,
    verify,
    tolerance,
    maxPulses,
    conductance,
    weight,
    describe,
    program(target: Float32Array, out: Float32Array, rng: Rng, scale: number, context: ProgramContext = {}): number {
      const n = target.length;
      const pop = drawPopulation(p, n, context.device ?? null, context.variation ?? 1);
      const d = context.deviation ?? null;
      const counts = context.counts ?? new Uint32Array(n);
      counts.fill(0);
      const sigma = scale * p.dwMinStd;
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) w[i] = Math.min(Math.max(w0, pop.bMin[i]), pop.bMax[i]);
      // Each round pulses every device in `active` once, toward its target (sign in `dir`).
      let active = new Int32Array(n);
      const dir = new Int8Array(n);
      const saturated = new Uint8Array(n); // reached its own bound while pulsing toward it: it goes no further
      const tolOf = tolerance ?? (() => 0);
      /** Verify read: true (and the direction set) when device i lies outside tolerance. */
      const outside = (i: number): boolean => {
        const e = target[i] - (lo + (w[i] - p.rangeMin) * s) * (d === null ? 1 : d[i]);
        if (Math.abs(e) <= tolOf(target[i])) return false;
        dir[i] = e > 0 ? 1 : -1;
        return true;
      };
      let count = 0;
      let remaining: Uint32Array | null = null;
      if (verify) {
        for (let i = 0; i < n; i++) if (outside(i)) active[count++] = i;
      } else {
        // open loop: the nominal device's pulse count, in one direction
        remaining = new Uint32Array(n);
        for (let i = 0; i < n; i++) {
          const wT = weight(target[i]);
          const c = Math.min(nominalPulses(p, w0, wT), maxPulses);
          remaining[i] = c;
          dir[i] = wT > w0 ? 1 : -1;
          if (c > 0) active[count++] = i;
        }
      }
      const z = sigma > 0 ? new Float32Array(n) : null;
      let pulses = 0;
      // Each round pulses every device in `active` once toward its target, then reads it (verify) or
      // counts down its pulses (open loop) and keeps it for the next round if it needs more.
      for (let round = 0; count > 0; round++) {
        if (z) fillStandardNormal(rng, z, 0, 1, count);
        let kept = 0;
        for (let k = 0; k < count; k++) {
          const i = active[k];
          const x = w[i];
          let step: number;
          if (dir[i] > 0) {
            const f = Math.max(1 - pop.slopeUp[i] * x, 0);
            step = z === null ? pop.dwUp[i] * f : p.multiplicative ? pop.dwUp[i] * f * (1 + sigma * z[k]) : pop.dwUp[i] * (f + sigma * z[k]);
          } else {
            const f = Math.max(1 + pop.slopeDown[i] * x, 0);
            step = -(z === null ? pop.dwDown[i] * f : p.multiplicative ? pop.dwDown[i] * f * (1 + sigma * z[k]) : pop.dwDown[i] * (f + sigma * z[k]));
          }
          const y = x + step;
          if (y <= pop.bMin[i]) {
            w[i] = pop.bMin[i];
            if (dir[i] < 0) saturated[i] = 1;
          } else if (y >= pop.bMax[i]) {
            w[i] = pop.bMax[i];
            if (dir[i] > 0) saturated[i] = 1;
          } else {
            w[i] = y;
          }
          counts[i]++;
          const again = remaining !== null ? --remaining[i] > 0 : round + 1 < maxPulses && saturated[i] === 0 && outside(i);
          if (again) active[kept++] = i;
        }
        pulses += count;
        count = kept;
        if (round === 0) active = active.slice(0, Math.max(count, 1));
      }
      for (let i = 0; i < n; i++) out[i] = conductance(w[i]) * (d === null ? 1 : d[i]);
      return pulses;
    },
  };
}

registerProgramming('pulsed', (json, ctx) => {
  if (json.method !== 'pulsed') throw new Error('unreachable');
  return pulsedWriter(json, ctx);
});
