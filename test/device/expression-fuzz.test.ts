/**
 * Fuzzing the law loader: seeded random expression trees — arithmetic, comparisons, conditionals,
 * allowed and forbidden functions, numbers from 1e-300 to 1e300, g and t, deep nesting, huge
 * exponents, long sums — each compiled and checked as the profile loader does (compileLaw +
 * checkLaw, as a law of g and as a law of g and t). Every case must finish within its time budget
 * and either load or fail with a plain Error naming the file and the law's JSON pointer; a
 * RangeError (stack), TypeError or a hang fails the test.
 *
 *   FUZZ_CASES=20000 FUZZ_BUDGET_MS=200 npx vitest run test/device/expression-fuzz.test.ts
 *
 * runs the bigger campaign by hand (defaults: 300 cases, 1000 ms per case — generous for a shared CI
 * machine; the by-hand figures are in docs/devices.md).
 */
import { describe, expect, it } from 'vitest';
import { checkLaw, compileLaw } from '../../src/device/index.js';
import { Rng } from '../../src/tensor/rng.js';

const CASES = Number(process.env.FUZZ_CASES ?? 300);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 1000);
const FILE = 'fuzz.json';

const FUNCTIONS: [string, number][] = [
  ['abs', 1], ['sqrt', 1], ['exp', 1], ['log', 1], ['log', 2], ['log10', 1], ['pow', 2], ['min', 2], ['max', 3], ['clamp', 3],
  ['sin', 1], ['tanh', 1], ['floor', 1], ['round', 1], ['sign', 1], ['expm1', 1], ['cbrt', 1],
  ['evaluate', 1], ['import', 1], ['foo', 2], // not allowed: must be refused
];
const BINARY = ['+', '-', '*', '/', '^', ' mod ', '<', '>', '<=', '==', '!=', ' and ', ' or '];

function number(rng: Rng): string {
  switch (rng.int(6)) {
    case 0: return String(rng.int(10));
    case 1: return rng.uniformIn(-5, 5).toPrecision(4);
    case 2: return `1e${rng.int(601) - 300}`;
    case 3: return `${rng.int(2000) - 1000}`;
    case 4: return ['pi', 'e', '0', '1e999', '0.5'][rng.int(5)];
    default: return rng.uniform().toPrecision(3);
  }
}

function leaf(rng: Rng): string {
  const r = rng.int(10);
  return r < 4 ? 'g' : r < 6 ? 't' : r < 7 ? ['x', 'Infinity', 'NaN', 'i'][rng.int(4)] : number(rng);
}

/** A random expression tree of at most `depth` levels. */
function tree(rng: Rng, depth: number): string {
  if (depth <= 0 || rng.uniform() < 0.2) return leaf(rng);
  const r = rng.int(10);
  if (r < 4) return `${tree(rng, depth - 1)}${BINARY[rng.int(BINARY.length)]}${tree(rng, depth - 1)}`;
  if (r < 6) {
    const [name, arity] = FUNCTIONS[rng.int(FUNCTIONS.length)];
    return `${name}(${Array.from({ length: arity }, () => tree(rng, depth - 1)).join(', ')})`;
  }
  if (r < 7) return `(${tree(rng, depth - 1)})`;
  if (r < 8) return `-${tree(rng, depth - 1)}`;
  if (r < 9) return `${tree(rng, depth - 1)} > ${number(rng)} ? ${tree(rng, depth - 1)} : ${tree(rng, depth - 1)}`;
  return `(${tree(rng, depth - 1)})^${['2', '5', '17', '40', '1000', '1001', '1e9', '-3', '0.5', 'g'][rng.int(10)]}`;
}

/** One fuzz case: ordinary random trees, or one of the shapes that used to hang or crash. */
function expression(rng: Rng): string {
  const n = 1 + rng.int(40);
  switch (rng.int(10)) {
    case 0: return Array.from({ length: n * n * 5 }, () => tree(rng, 1)).join(' + '); // long sums, up to ~8000 terms
    case 1: return `${'('.repeat(n * 2)}g${')'.repeat(n * 2)}`; // bracket nesting
    case 2: return `${'sqrt('.repeat(n)}g${')'.repeat(n)}`; // function nesting
    case 3: return `${'-'.repeat(n * 50)}g`; // unary chains
    case 4: return `0.05*(${tree(rng, 2)} - g)^${rng.int(30)} + 0.01`; // powers of sums (rationalize hung on these)
    case 5: return Array.from({ length: n }, () => `(g + ${number(rng)})`).join('*'); // products of many factors
    default: return tree(rng, 2 + rng.int(8));
  }
}

interface Outcome { loaded: number; refused: number; slowest: number; slowestText: string; medianMs: number; p99Ms: number; overBudget: string[] }

function fuzz(cases: number, seed: number, timed = true): Outcome {
  const rng = new Rng(seed, 'expression-fuzz');
  const out: Outcome = { loaded: 0, refused: 0, slowest: 0, slowestText: '', medianMs: 0, p99Ms: 0, overBudget: [] };
  const times: number[] = [];
  for (let i = 0; i < cases; i++) {
    const expr = expression(rng);
    const allowTime = rng.uniform() < 0.5;
    const pointer = allowTime ? '/drift/shift' : '/programming/sigma';
    const where = `${FILE}: ${pointer}`;
    const t0 = performance.now();
    try {
      const law = compileLaw({ type: 'expression', expr, unit: 'uS' }, { where, kind: 'conductance', gMax: 25e-6, allowTime });
      checkLaw(law, where, !allowTime, allowTime ? 'relaxation shift' : 'σ_prog');
      law.at(3600).value(0.5);
      out.loaded++;
    } catch (e) {
      if (!(e instanceof Error) || e.constructor !== Error) {
        throw new Error(`case ${i} '${expr.slice(0, 200)}' threw ${String(e)} (${(e as Error)?.constructor?.name}), not a clear error`);
      }
      if (!e.message.startsWith(where)) throw new Error(`case ${i} '${expr.slice(0, 200)}': error does not name file and field: ${e.message.slice(0, 300)}`);
      out.refused++;
    }
    const ms = performance.now() - t0;
    if (ms > out.slowest) {
      out.slowest = ms;
      out.slowestText = expr.slice(0, 120);
    }
    times.push(ms);
    if (timed && ms > BUDGET_MS) out.overBudget.push(`case ${i} '${expr.slice(0, 100)}': ${ms.toFixed(0)} ms`);
  }
  times.sort((a, b) => a - b);
  out.medianMs = Number(times[Math.floor(times.length / 2)].toFixed(2));
  out.p99Ms = Number(times[Math.floor(times.length * 0.99)].toFixed(2));
  return out;
}

describe('law loader fuzz', () => {
  it(`loads or clearly refuses ${CASES} random expressions, each within ${BUDGET_MS} ms`, () => {
    fuzz(30, 1, false); // warm-up: the first calls compile mathjs and the loader itself
    const o = fuzz(CASES, 20261207);
    if (process.env.FUZZ_CASES) console.log(JSON.stringify(o));
    expect(o.overBudget, `cases over the ${BUDGET_MS} ms budget`).toEqual([]);
    expect(o.loaded + o.refused).toBe(CASES);
    // Both outcomes occur: the generator is not trivially all-bad or all-good.
    expect(o.loaded).toBeGreaterThan(CASES / 20);
    expect(o.refused).toBeGreaterThan(CASES / 20);
  }, 600_000);
});
