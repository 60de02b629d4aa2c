/**
 * How a device is written: a registry of programming methods, one entry per method, dispatched on
 * the profile's `programming.method`.
 *
 *   one-shot          G = G_T + σ_prog(g_T)·z                       (aihwkit PCMLikeNoiseModel)
 *   acceptance-range  as one-shot, σ fitted per acceptance range of a program-and-verify loop,
 *                     the profile selects the range                  (aihwkit ReRamCMONoiseModel);
 *                     σ is what the loop leaves, so it has corrected d (below) already
 *   write-verify      G ← G + gain·(G_T − d·G) + σ_c2c(g_T)·z per pulse on the device's own scale,
 *                     read as d·G, until |d·G − G_T| ≤ tol or maxIterations pulses; each pulse is
 *                     counted
 *   pulsed            finite steps with soft bounds, per-pulse cycle-to-cycle noise and per-device
 *                     step and bound variation (aihwkit PulsedDevice family) — pulsed.ts
 *
 * d is the device's static device-to-device factor 1 + σ_d2d(g_T)·z (crossbar/variation.ts, chip
 * stream). A method that verifies (`verifies`) reads d·G and so corrects it; the crossbar applies d
 * after the others. Arrays hold conductances as fractions of g_max. `z` comes from the programming
 * stream.
 */
import { Registry } from '../base/registry.js';
import type { Rng } from '../tensor/index.js';
import { compileLaw, checkLaw, type GLaw, type LawContext } from './laws.js';
import { fillStandardNormal } from '../tensor/index.js';
import type { ProgrammingJson } from './schema.js';
import { checkPlausible } from './plausible.js';
import { parseQuantity, type QuantityText } from './units.js';

/** What a programming run sees besides targets and the write stream; every field optional. */
export interface ProgramContext {
  /** Device identity stream (the chip stream): per-device parameters of pulsed devices (without it they take the mean parameters). */
  device?: Rng;
  /** Multiplies per-device parameter variation (the profile's variation scale; default 1). */
  variation?: number;
  /** Static device-to-device factors d (length n) that a verifying method reads and corrects, or null. */
  deviation?: Float64Array | null;
  /** Filled with the pulses each device received (length n), when given. */
  counts?: Uint32Array | null;
}

export interface ProgrammingMethod {
  readonly method: string;
  /** Whether the method reads the device back while writing (and so corrects device-to-device variation). */
  readonly verifies: boolean;
  /**
   * Writes programmed conductances of `target` into `out` (both fractions of g_max) and returns the
   * number of pulses used. `scale` multiplies the noise (the profile's programming scale).
   */
  program(target: Float32Array, out: Float32Array, rng: Rng, scale: number, context?: ProgramContext): number;
  /** σ of G − G_T at target g for methods with a closed form (one-shot, acceptance-range); else null. */
  readonly sigma: GLaw | null;
  describe(): string;
}

export interface ProgrammingContext {
  where: string;
  /** g_max in siemens. */
  gMax: number;
  /** Reset conductance (fraction of g_max), where write-verify starts when gain < 1. */
  gReset: number;
  /** Reads a quantity that may carry provenance. */
  value(q: unknown, where: string): QuantityText;
}

type Factory = (json: ProgrammingJson, ctx: ProgrammingContext) => ProgrammingMethod;
const registry = new Registry<Factory>('programming method', 'methods');

export function registerProgramming(method: string, factory: Factory): void {
  registry.add(method, factory);
}

export function programmingMethods(): string[] {
  return registry.names();
}

export function compileProgramming(json: ProgrammingJson, ctx: ProgrammingContext): ProgrammingMethod {
  return registry.get(json.method, `${ctx.where}/method`)(json, ctx);
}

const lawCtx = (ctx: ProgrammingContext, where: string): LawContext => ({ where, kind: 'conductance', gMax: ctx.gMax, allowTime: false });

function pulsesOf(q: unknown, ctx: ProgrammingContext): number {
  if (q === undefined) return 1;
  const text = ctx.value(q, `${ctx.where}/pulses`);
  const v = parseQuantity(text, 'dimensionless', `${ctx.where}/pulses`);
  checkPlausible(v, 'pulses', `${ctx.where}/pulses`, JSON.stringify(text));
  return v;
}

/**
 * out = target + scale·σ(target)·z. With `verifies` (acceptance-range: σ is what a program-and-verify
 * loop leaves) the loop has already corrected any static device-to-device factor, so none is applied.
 */
function oneShot(sigma: GLaw, pulses: number, describe: () => string, method: string, verifies = false): ProgrammingMethod {
  return {
    method,
    verifies,
    sigma,
    describe,
    program(target, out, rng, scale, context = {}) {
      const n = target.length;
      context.counts?.fill(pulses);
      if (scale === 0 || sigma.constant === 0) {
        out.set(target);
        return pulses * n;
      }
      const z = fillStandardNormal(rng, new Float32Array(n));
      const s = sigma.fill(target, new Float32Array(n));
      for (let i = 0; i < n; i++) out[i] = target[i] + scale * s[i] * z[i];
      return pulses * n;
    },
  };
}

registerProgramming('one-shot', (json, ctx) => {
  if (json.method !== 'one-shot') throw new Error('unreachable');
  const law = compileLaw(json.sigma, lawCtx(ctx, `${ctx.where}/sigma`));
  checkLaw(law, `${ctx.where}/sigma`, true, 'σ_prog');
  return oneShot(law.at(0), pulsesOf(json.pulses, ctx), () => `one-shot, σ_prog(g) = ${law.describe()}`, 'one-shot');
});

registerProgramming('acceptance-range', (json, ctx) => {
  if (json.method !== 'acceptance-range') throw new Error('unreachable');
  const keys = Object.keys(json.sigma);
  const norm = (k: string) => parseQuantity(k, 'dimensionless', `${ctx.where}/sigma/${k}`);
  const wanted = parseQuantity(json.range, 'dimensionless', `${ctx.where}/range`);
  const key = keys.find((k) => Math.abs(norm(k) - wanted) < 1e-12);
  if (key === undefined) throw new Error(`${ctx.where}/range: '${json.range}' is not one of the fitted ranges (${keys.join(', ')})`);
  const laws = Object.fromEntries(keys.map((k) => {
    const law = compileLaw(json.sigma[k], lawCtx(ctx, `${ctx.where}/sigma/${k}`));
    checkLaw(law, `${ctx.where}/sigma/${k}`, true, 'σ_prog');
    return [k, law];
  }));
  const law = laws[key];
  return oneShot(law.at(0), pulsesOf(json.pulses, ctx), () => `program-and-verify, acceptance range ${key}: σ_prog(g) = ${law.describe()}`, 'acceptance-range', true);
});

/** A verify tolerance as a fraction of g_max (absolute) or of the target/g_max, checked to lie in (0, 1]. */
export function parseTolerance(json: { value: unknown; of: 'target' | 'gMax' | 'absolute' }, ctx: ProgrammingContext): { tol: number; tolText: QuantityText; of: 'target' | 'gMax' | 'absolute' } {
  const tolWhere = `${ctx.where}/tolerance/value`;
  const of = json.of;
  const tolText = ctx.value(json.value, tolWhere);
  const tol = of === 'absolute'
    ? parseQuantity(tolText, 'conductance', tolWhere) / ctx.gMax
    : parseQuantity(tolText, 'dimensionless', tolWhere);
  if (!(tol > 0)) throw new Error(`${tolWhere}: tolerance must be > 0, got ${tolText}`);
  if (!(tol <= 1)) {
    throw new Error(`${tolWhere}: tolerance ${tolText} is ${of === 'absolute' ? 'above g_max' : 'above 100 %'}; a write-verify tolerance must be a fraction of ${of === 'absolute' ? 'g_max' : of} at most 1`);
  }
  return { tol, tolText, of };
}

registerProgramming('write-verify', (json, ctx) => {
  if (json.method !== 'write-verify') throw new Error('unreachable');
  const c2c = compileLaw(json.c2c, lawCtx(ctx, `${ctx.where}/c2c`));
  checkLaw(c2c, `${ctx.where}/c2c`, true, 'σ_c2c');
  const sigmaC2c = c2c.at(0);
  const { tol, tolText, of } = parseTolerance(json.tolerance, ctx);
  const maxIt = json.maxIterations;
  const gain = json.gain ?? 1;
  const tolOf = (gT: number): number => (of === 'target' ? tol * Math.abs(gT) : tol);
  return {
    method: 'write-verify',
    verifies: true,
    sigma: null,
    describe: () => `write-verify: σ_c2c(g) = ${c2c.describe()}, tolerance ${tolText} of ${of}, ≤ ${maxIt} pulses, gain ${gain}`,
    program(target, out, rng, scale, context = {}) {
      const n = target.length;
      const d = context.deviation ?? null;
      const counts = context.counts ?? null;
      counts?.fill(0);
      const s = sigmaC2c.fill(target, new Float32Array(n));
      const z = new Float32Array(n);
      const start = gain === 1 ? 0 : ctx.gReset;
      out.fill(start);
      // Devices still being written, compacted after each pulse.
      let active = new Int32Array(n);
      for (let i = 0; i < n; i++) active[i] = i;
      let count = n;
      let pulses = 0;
      for (let it = 0; it < maxIt && count > 0; it++) {
        fillStandardNormal(rng, z, 0, 1, count);
        let kept = 0;
        for (let k = 0; k < count; k++) {
          const i = active[k];
          const gT = target[i];
          // the pulse is set from the read d·G; the device moves on its own scale G
          const g = d === null
            ? out[i] + gain * (gT - out[i]) + scale * s[i] * z[k]
            : out[i] + gain * (gT - d[i] * out[i]) + scale * s[i] * z[k];
          out[i] = g;
          if (counts) counts[i]++;
          if (Math.abs((d === null ? g : d[i] * g) - gT) > tolOf(gT)) active[kept++] = i;
        }
        pulses += count;
        count = kept;
        if (it === 0) active = active.slice(0, Math.max(count, 1));
      }
      if (d !== null) for (let i = 0; i < n; i++) out[i] *= d[i];
      return pulses;
    },
  };
});
