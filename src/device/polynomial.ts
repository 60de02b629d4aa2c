/**
 * Polynomial detection by a structural walk of a checked expression tree: one pass over the nodes,
 * no symbolic algebra. A law that is a polynomial in g is evaluated exactly (Horner, float64)
 * instead of on an interpolation grid.
 *
 * Rules (c = coefficient array, c[k] multiplies g^k):
 *   number x → [x];  g → [0, 1];  pi, e → [π], [e];  t or any other name → not a polynomial
 *   a + b, a − b, −a, +a, (a)      coefficient-wise
 *   a · b                          convolution
 *   a / k                          only by a non-zero constant k
 *   a ^ n, pow(a, n)               only for a constant integer 0 ≤ n with degree(a)·n ≤ MAX_POLYNOMIAL_DEGREE
 *   anything else (functions, conditionals, comparisons, mod, …) → not a polynomial
 *
 * Cost: O(nodes · degree²) with degree ≤ MAX_POLYNOMIAL_DEGREE, so linear in the expression's size.
 * A higher degree is not an error: the law is then sampled on the grid like any other function.
 */
import type { MathNode } from 'mathjs';

/** Highest degree expanded exactly; beyond it the law is sampled on the grid instead. */
export const MAX_POLYNOMIAL_DEGREE = 16;

type Poly = number[];

const trim = (c: Poly): Poly => {
  let n = c.length;
  while (n > 1 && c[n - 1] === 0) n--;
  return c.slice(0, n);
};

function add(a: Poly, b: Poly, sign: 1 | -1): Poly {
  const out = new Array<number>(Math.max(a.length, b.length)).fill(0);
  for (let i = 0; i < a.length; i++) out[i] = a[i];
  for (let i = 0; i < b.length; i++) out[i] = sign === 1 ? out[i] + b[i] : out[i] - b[i];
  return out;
}

function multiply(a: Poly, b: Poly): Poly | null {
  if (a.length + b.length - 2 > MAX_POLYNOMIAL_DEGREE) return null;
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j] += a[i] * b[j];
  return out;
}

const constantOf = (p: Poly): number | null => (trim(p).length === 1 ? p[0] : null);

function power(base: Poly, exponent: Poly): Poly | null {
  const n = constantOf(exponent);
  if (n === null || !Number.isInteger(n) || n < 0) return null;
  const b = trim(base);
  if ((b.length - 1) * n > MAX_POLYNOMIAL_DEGREE) return null;
  if (b.length === 1) return [b[0] ** n];
  let out: Poly = [1];
  for (let k = 0; k < n; k++) {
    const next = multiply(out, b);
    if (next === null) return null;
    out = next;
  }
  return out;
}

function walk(node: MathNode): Poly | null {
  const a = node as unknown as Record<string, unknown>;
  switch (node.type) {
    case 'ConstantNode':
      return typeof a.value === 'number' ? [a.value] : null;
    case 'SymbolNode':
      return a.name === 'g' ? [0, 1] : a.name === 'pi' ? [Math.PI] : a.name === 'e' ? [Math.E] : null;
    case 'ParenthesisNode':
      return walk(a.content as MathNode);
    case 'FunctionNode': {
      const args = a.args as MathNode[];
      if ((a.fn as { name?: string }).name !== 'pow' || args.length !== 2) return null;
      const base = walk(args[0]);
      const exponent = base && walk(args[1]);
      return base && exponent && power(base, exponent);
    }
    case 'OperatorNode': {
      const args = (a.args as MathNode[]).map(walk);
      if (args.some((x) => x === null)) return null;
      const [x, y] = args as Poly[];
      switch (a.fn as string) {
        case 'unaryPlus': return x;
        case 'unaryMinus': return x.map((v) => -v);
        case 'add': return add(x, y, 1);
        case 'subtract': return add(x, y, -1);
        case 'multiply': return multiply(x, y);
        case 'divide': {
          const k = constantOf(y);
          return k === null || k === 0 ? null : x.map((v) => v / k);
        }
        case 'pow': return power(x, y);
        default: return null;
      }
    }
    default:
      return null;
  }
}

/**
 * Coefficients [c0, c1, …] when `node` (already checked against the whitelist) is a polynomial in g
 * alone of degree ≤ MAX_POLYNOMIAL_DEGREE with finite coefficients, else null.
 */
export function polynomialCoefficients(node: MathNode): number[] | null {
  const c = walk(node);
  if (c === null || !c.every(Number.isFinite)) return null;
  return trim(c).map((v) => v + 0); // + 0 turns −0 into 0
}
