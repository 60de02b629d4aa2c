/**
 * State-dependent laws: σ_prog(g), ν mean/spread(g), Q(g), relaxation(g, t), … A law is one of the
 * registered types — `expression` (restricted mathjs), `table` (piecewise linear in g), `constant`,
 * `time-table` (laws at given times, interpolated in log t) — each added by one `registerLaw` call.
 *
 * Compiled once at load; evaluated vectorised over Float32Arrays of device states:
 *   - a polynomial in g is evaluated exactly (Horner, float64);
 *   - any other expression of g is sampled once on a 4097-point grid over [0, 1] (uniform in g or
 *     in √g, whichever fits better) and interpolated linearly (a few ns per device); grid cells
 *     where interpolation would be off by more than 1e-5 of the law's range (kinks, such as PCM's
 *     Q(g) at its clamp g ≈ 0.008) are evaluated exactly instead, by a plain JS function
 *     generated from the checked expression tree (5–80 ns per device; mathjs itself takes ≈ 5 µs).
 *     test/device/laws.test.ts checks the accuracy;
 *   - a law of g and t is reduced to a law of g at each t (`at(t)`), then treated the same way.
 *
 * Domain: laws are defined on g ∈ [0, 1] (target conductance as a fraction of g_max). A device
 * state outside (noise can push a conductance past g_max) is evaluated at the nearest end.
 *
 * Bounded time: an expression is limited in size, depth and exponents (expression.ts), polynomial
 * detection is a structural walk (polynomial.ts), and a law costs a fixed number of evaluations at
 * load (≤ 2·16385 per grid, one grid per check time).
 *
 * Units: every law declares `unit`. Conductance laws give their values in the profile's unit
 * ("uS", "nS", … or "gMax" for fractions of g_max) and are returned here in fractions of g_max;
 * dimensionless laws use "1" (or "%").
 */
import { Registry } from '../base/registry.js';
import { compileExpression, horner } from './expression.js';
import { parseQuantity, unitFactor, type QuantityText } from './units.js';

export const GRID_POINTS = 4097;

/** A law at a fixed time: values in model units (conductances as fractions of g_max). */
export interface GLaw {
  value(g: number): number;
  /** out[i] = f(g[i]) for i < count; returns out. `out` may be `g`. */
  fill(g: Float32Array, out: Float32Array, count?: number): Float32Array;
  /** The value when the law does not depend on g, else null. */
  readonly constant: number | null;
}

export interface Law {
  readonly type: string;
  readonly timeDependent: boolean;
  /** The law at t seconds after programming (t ignored by laws of g alone). */
  at(t: number): GLaw;
  /** Short human-readable form (for `profiles show`). */
  describe(): string;
  /**
   * The value at (g, t) in model units computed directly, without building a grid; used by the
   * load-time check of time-dependent laws (one evaluation per point instead of a grid per time).
   * Absent when `at(t).value` is as cheap.
   */
  readonly direct?: (g: number, t: number) => number;
}

/** What a law returns: a conductance (converted to fractions of g_max) or a pure number. */
export type LawKind = 'conductance' | 'dimensionless';

export interface LawContext {
  /** File and JSON pointer, for messages. */
  where: string;
  kind: LawKind;
  /** g_max in siemens (converts conductance laws to fractions of g_max). */
  gMax: number;
  /** Whether the law may use t. */
  allowTime: boolean;
}

/** The JSON form of a law (see device-profile.schema.json `$defs/law`). */
export interface LawSpec {
  type: string;
  unit?: string;
  source?: string;
  verified?: boolean;
  note?: string;
  [key: string]: unknown;
}

export type LawFactory = (spec: LawSpec, ctx: LawContext) => Law;

const registry = new Registry<LawFactory>('law type', 'types');

/** Adds a law type. One call per type, in the type's own section below. */
export function registerLaw(type: string, factory: LawFactory): void {
  registry.add(type, factory);
}

export function lawTypes(): string[] {
  return registry.names();
}

/** Compiles a law spec; dispatches on `spec.type`. */
export function compileLaw(spec: LawSpec, ctx: LawContext): Law {
  const factory = registry.find(spec?.type);
  if (!factory) throw new Error(registry.unknownMessage(spec?.type, `${ctx.where}/type`));
  return factory(spec, ctx);
}

/** Multiplier from the law's declared unit to model units. */
export function outputScale(spec: LawSpec, ctx: LawContext): number {
  const unit = (spec.unit ?? '').trim();
  const where = `${ctx.where}/unit`;
  if (ctx.kind === 'dimensionless') {
    if (unit === '' || unit === '1') return 1;
    if (unit === '%') return 0.01;
    throw new Error(`${where}: '${unit}' is not a dimensionless unit; use "1" or "%"`);
  }
  if (unit === 'gMax') return 1;
  if (unit === '') throw new Error(`${where}: a conductance law needs a unit, e.g. "uS" or "gMax" (fraction of g_max)`);
  return unitFactor(unit, 'conductance', where) / ctx.gMax;
}

const clamp01 = (g: number): number => (g > 1 ? 1 : g >= 0 ? g : 0);

/** Exact polynomial in g. */
function polynomialLaw(c: readonly number[], scale: number): GLaw {
  const k = c.map((x) => x * scale);
  const constant = k.slice(1).every((x) => x === 0) ? k[0] : null;
  return {
    constant,
    value: (g) => horner(k, clamp01(g)),
    fill(g, out, count = g.length) {
      if (k.length === 3) {
        const [a, b, cc] = k;
        for (let i = 0; i < count; i++) {
          const x = clamp01(g[i]);
          out[i] = a + x * (b + x * cc);
        }
      } else {
        for (let i = 0; i < count; i++) out[i] = horner(k, clamp01(g[i]));
      }
      return out;
    },
  };
}

/**
 * Largest interpolation error accepted, relative to max |f| on [0, 1]. The laws are fits good to a
 * few percent; 1e-5 of the range is far below that (for PCM's Q(g) it is 2e-6 absolute) and keeps
 * exact evaluation to the few grid cells around kinks.
 */
export const GRID_TOLERANCE = 1e-5;

/** Where the grid's points sit: uniform in g, or uniform in √g (dense near 0, where laws like √g or g^−0.65 are steep). */
export type GridSpacing = 'linear' | 'sqrt';

interface Grid {
  spacing: GridSpacing;
  /** f at the GRID_POINTS points (plus a guard entry). */
  table: Float64Array;
  /** 1 where interpolation misses f by more than the tolerance: evaluate exactly there. */
  exactCell: Uint8Array;
  bad: number;
}

function buildGrid(f: (g: number) => number, scale: number, spacing: GridSpacing): Grid {
  const n = GRID_POINTS - 1;
  const at = spacing === 'linear' ? (u: number) => u : (u: number) => u * u;
  const table = new Float64Array(GRID_POINTS + 1);
  for (let i = 0; i <= n; i++) table[i] = f(at(i / n)) * scale;
  table[GRID_POINTS] = table[n];
  let range = 0;
  for (let i = 0; i <= n; i++) range = Math.max(range, Math.abs(table[i]));
  const exactCell = new Uint8Array(GRID_POINTS + 1);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    for (const frac of [0.25, 0.5, 0.75]) {
      const exact = f(at((i + frac) / n)) * scale;
      const approx = table[i] + frac * (table[i + 1] - table[i]);
      if (!(Math.abs(approx - exact) <= GRID_TOLERANCE * range) && !(Number.isNaN(exact) && Number.isNaN(approx))) {
        exactCell[i] = 1;
        bad++;
        break;
      }
    }
  }
  exactCell[n] = exactCell[n - 1];
  return { spacing, table, exactCell, bad };
}

/**
 * f on a 4097-point grid — uniform in g or in √g, whichever needs fewer exact cells — with linear
 * interpolation, except in cells where interpolation misses f by more than GRID_TOLERANCE·max|f|
 * (checked at ¼, ½, ¾ of every cell): there f is evaluated exactly. Kinks and steep stretches thus
 * cost exact evaluations only for the devices that fall in them.
 */
export function fastestAccurateLaw(f: (g: number) => number, scale: number): GLaw {
  const lin = buildGrid(f, scale, 'linear');
  const first = lin.table[0];
  if (lin.table.every((v) => v === first)) return constantLaw(first);
  const best = lin.bad === 0 ? lin : (() => {
    const sq = buildGrid(f, scale, 'sqrt');
    return sq.bad < lin.bad ? sq : lin;
  })();
  const { table, exactCell } = best;
  const n = GRID_POINTS - 1;
  const sqrt = best.spacing === 'sqrt';
  const f0 = f(0) * scale;
  const value = (g: number): number => {
    const x = clamp01(g);
    const xs = (sqrt ? Math.sqrt(x) : x) * n;
    const i = xs | 0;
    if (exactCell[i]) return x === 0 ? f0 : f(x) * scale;
    return table[i] + (xs - i) * (table[i + 1] - table[i]);
  };
  return {
    constant: null,
    value,
    fill(g, out, count = g.length) {
      for (let k = 0; k < count; k++) {
        const gk = g[k];
        const x = gk > 1 ? 1 : gk > 0 ? gk : 0;
        const xs = (sqrt ? Math.sqrt(x) : x) * n;
        const i = xs | 0;
        if (exactCell[i] === 0) {
          const lo = table[i];
          out[k] = lo + (xs - i) * (table[i + 1] - lo);
        } else {
          out[k] = x === 0 ? f0 : f(x) * scale;
        }
      }
      return out;
    },
  };
}

/** f sampled on GRID_POINTS points over [0, 1], linear interpolation between them (no exact cells). */
export function gridLaw(f: (g: number) => number, scale: number): GLaw {
  const n = GRID_POINTS - 1;
  const grid = new Float64Array(GRID_POINTS + 1);
  for (let i = 0; i <= n; i++) grid[i] = f(i / n) * scale;
  grid[GRID_POINTS] = grid[n]; // guard for g = 1 exactly
  const first = grid[0];
  const constant = grid.every((v) => v === first) ? first : null;
  const value = (g: number): number => {
    const x = clamp01(g) * n;
    const i = Math.floor(x);
    return grid[i] + (x - i) * (grid[i + 1] - grid[i]);
  };
  return {
    constant,
    value,
    fill(g, out, count = g.length) {
      if (constant !== null) {
        out.fill(constant, 0, count);
        return out;
      }
      for (let k = 0; k < count; k++) {
        const gk = g[k];
        const x = (gk > 1 ? 1 : gk >= 0 ? gk : 0) * n;
        const i = x | 0;
        const lo = grid[i];
        out[k] = lo + (x - i) * (grid[i + 1] - lo);
      }
      return out;
    },
  };
}

function constantLaw(v: number): GLaw {
  return {
    constant: v,
    value: () => v,
    fill(_g, out, count = out.length) {
      out.fill(v, 0, count);
      return out;
    },
  };
}

/** Caches the GLaw of the last t asked for. */
function timeCached(make: (t: number) => GLaw): (t: number) => GLaw {
  let lastT = NaN;
  let last: GLaw | null = null;
  return (t) => {
    if (last === null || t !== lastT) {
      last = make(t);
      lastT = t;
    }
    return last;
  };
}

// ── expression ───────────────────────────────────────────────────────────────────────────────
registerLaw('expression', (spec, ctx) => {
  const vars = ctx.allowTime ? ['g', 't'] : ['g'];
  const expr = compileExpression(spec.expr as string, vars, `${ctx.where}/expr`);
  const scale = outputScale(spec, ctx);
  const timeDependent = expr.uses.has('t');
  const f = expr.fast ?? expr.evaluate;
  const bind = (t: number) => (expr.fast ? expr.bind(t) : (g: number) => f(g, t));
  let fixed: GLaw | null = null;
  if (!timeDependent) {
    fixed = expr.polynomial ? polynomialLaw(expr.polynomial, scale) : fastestAccurateLaw(bind(0), scale);
  }
  const atT = timeCached((t) => fastestAccurateLaw(bind(t), scale));
  return {
    type: 'expression',
    timeDependent,
    at: (t) => fixed ?? atT(t),
    direct: timeDependent ? (g, t) => f(g, t) * scale : undefined,
    describe: () => `${expr.text} [${spec.unit ?? '1'}]`,
  };
});

// ── table ────────────────────────────────────────────────────────────────────────────────────
registerLaw('table', (spec, ctx) => {
  const where = ctx.where;
  const gs = spec.g as number[];
  const vs = spec.value as number[];
  if (!Array.isArray(gs) || !Array.isArray(vs) || gs.length !== vs.length || gs.length < 1) {
    throw new Error(`${where}: a table needs arrays g and value of the same length (≥ 1)`);
  }
  for (let i = 0; i < gs.length; i++) {
    if (!Number.isFinite(gs[i]) || gs[i] < 0 || gs[i] > 1) throw new Error(`${where}/g/${i}: g must lie in [0, 1], got ${gs[i]}`);
    if (!Number.isFinite(vs[i])) throw new Error(`${where}/value/${i}: not a finite number`);
    if (i > 0 && !(gs[i] > gs[i - 1])) throw new Error(`${where}/g/${i}: g must increase strictly (${gs[i - 1]} then ${gs[i]})`);
  }
  const scale = outputScale(spec, ctx);
  const xs = Float64Array.from(gs);
  const ys = Float64Array.from(vs, (v) => v * scale);
  const value = (g: number): number => {
    if (g <= xs[0]) return ys[0];
    const last = xs.length - 1;
    if (g >= xs[last]) return ys[last];
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= g) lo = mid;
      else hi = mid;
    }
    return ys[lo] + ((g - xs[lo]) / (xs[hi] - xs[lo])) * (ys[hi] - ys[lo]);
  };
  const law: GLaw = ys.length === 1 || ys.every((y) => y === ys[0])
    ? constantLaw(ys[0])
    : { constant: null, value, fill(g, out, count = g.length) { for (let i = 0; i < count; i++) out[i] = value(g[i]); return out; } };
  return {
    type: 'table',
    timeDependent: false,
    at: () => law,
    describe: () => `table g=[${gs.join(', ')}] → [${vs.join(', ')}] [${spec.unit ?? '1'}]`,
  };
});

// ── constant ─────────────────────────────────────────────────────────────────────────────────
registerLaw('constant', (spec, ctx) => {
  const v = spec.value;
  let value: number;
  if (typeof v === 'number') {
    value = v * outputScale(spec, ctx);
  } else if (typeof v === 'string' && ctx.kind === 'conductance') {
    value = parseQuantity(v, 'conductance', `${ctx.where}/value`) / ctx.gMax;
  } else if (typeof v === 'string') {
    value = parseQuantity(v, 'dimensionless', `${ctx.where}/value`);
  } else {
    throw new Error(`${ctx.where}/value: a constant law needs a value`);
  }
  const law = constantLaw(value);
  return { type: 'constant', timeDependent: false, at: () => law, describe: () => `${v}${typeof v === 'number' ? ` [${spec.unit ?? '1'}]` : ''}` };
});

// ── time-table ───────────────────────────────────────────────────────────────────────────────
/**
 * Laws of g given at fixed times; between two times the value is interpolated linearly in log t,
 * before the first time the first law holds, after the last time the last law holds.
 */
registerLaw('time-table', (spec, ctx) => {
  const times = (spec.t as QuantityText[] | undefined) ?? [];
  const laws = (spec.laws as LawSpec[] | undefined) ?? [];
  if (!ctx.allowTime) throw new Error(`${ctx.where}: a time-table is not allowed here (this law does not depend on time)`);
  if (times.length === 0 || times.length !== laws.length) {
    throw new Error(`${ctx.where}: a time-table needs arrays t and laws of the same length (≥ 1)`);
  }
  const ts = times.map((t, i) => parseQuantity(t, 'time', `${ctx.where}/t/${i}`));
  ts.forEach((t, i) => {
    if (!(t > 0)) throw new Error(`${ctx.where}/t/${i}: times must be > 0 (log-t interpolation), got ${times[i]}`);
    if (i > 0 && !(t > ts[i - 1])) throw new Error(`${ctx.where}/t/${i}: times must increase strictly`);
  });
  const inner = laws.map((l, i) => compileLaw(l, { ...ctx, allowTime: false, where: `${ctx.where}/laws/${i}` }).at(0));
  const at = timeCached((t) => {
    if (t <= ts[0]) return inner[0];
    const last = ts.length - 1;
    if (t >= ts[last]) return inner[last];
    let k = 0;
    while (ts[k + 1] < t) k++;
    const w = (Math.log(t) - Math.log(ts[k])) / (Math.log(ts[k + 1]) - Math.log(ts[k]));
    const a = inner[k];
    const b = inner[k + 1];
    return fastestAccurateLaw((g) => (1 - w) * a.value(g) + w * b.value(g), 1);
  });
  return {
    type: 'time-table',
    timeDependent: true,
    at,
    describe: () => `time-table at t = [${times.join(', ')}]`,
  };
});

/** Times (s) at which time-dependent laws are checked at load. */
export const CHECK_TIMES = [0, 1e-6, 1e-3, 1, 20, 3600, 86400, 2 * 86400, 30 * 86400, 3.15e7, 3.15e8];

/**
 * Largest |value| a law may take, in model units (fractions of g_max for conductance laws; the
 * number itself for dimensionless ones). No physical σ, shift, ν or Q comes near it; a value beyond
 * is a unit or formula mistake.
 */
export const LAW_VALUE_LIMIT = 1000;

/**
 * Checks a law on a 1025-point grid over g ∈ [0, 1] (and at `CHECK_TIMES` when it depends on t):
 * every value finite, within ±LAW_VALUE_LIMIT, and ≥ 0 when `nonNegative`. Throws naming the law
 * (`where`, `what`) and the first bad point.
 */
export function checkLaw(law: Law, where: string, nonNegative: boolean, what = 'value'): void {
  const times = law.timeDependent ? CHECK_TIMES : [0];
  for (const t of times) {
    const direct = law.direct;
    const value = direct ? (g: number) => direct(g, t) : law.at(t).value;
    for (let i = 0; i <= 1024; i++) {
      const g = i / 1024;
      const v = value(g);
      const when = law.timeDependent ? ` at t = ${t} s` : '';
      if (!Number.isFinite(v)) throw new Error(`${where}: ${what} is ${v} at g = ${g}${when}; a law must be finite on all of g ∈ [0, 1]`);
      if (nonNegative && v < 0) {
        throw new Error(`${where}: ${what} is negative (${v.toPrecision(4)}) at g = ${g}${when}; a standard deviation must be ≥ 0 on all of g ∈ [0, 1]`);
      }
      if (Math.abs(v) > LAW_VALUE_LIMIT) {
        throw new Error(`${where}: ${what} is ${v.toPrecision(4)} at g = ${g}${when} (in fractions of g_max for a conductance law), beyond ±${LAW_VALUE_LIMIT}; check the law's unit and formula`);
      }
    }
  }
}
