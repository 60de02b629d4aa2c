/**
 * Law expressions: a restricted subset of mathjs. A profile is data, not code, so an expression
 * may only combine numbers, the law's variables (`g`, the normalised target conductance in [0, 1],
 * and — where the law allows it — `t`, seconds after programming), the constants `pi` and `e`,
 * arithmetic, comparisons, `a ? b : c`, and the functions in `ALLOWED_FUNCTIONS`.
 *
 * Everything else is rejected at load with the offending construct named: assignments, function
 * definitions, property access, matrices, strings, units, and any other function (`evaluate`,
 * `parse`, `import`, `createUnit`, …). The check walks the parsed tree before anything is compiled,
 * so a rejected expression never runs.
 *
 * mathjs runs with `predictable: true`: sqrt(−1) and log(−1) give NaN, never complex numbers; the
 * load-time grid check (laws.ts) turns a NaN into an error.
 *
 * Bounded time. Order: length and bracket depth of the text (before parsing) → parse → node count
 * and tree depth (an iterative walk, before anything recursive) → whitelist → literal numbers finite
 * and literal exponents within ±MAX_EXPONENT → polynomial detection by a structural walk
 * (polynomial.ts, linear in the node count) → compile. No symbolic routine runs on user input, so a
 * law that passes the limits below compiles in milliseconds (test/device/expression-fuzz.test.ts).
 */
import { createRequire } from 'node:module';
import type { MathJsInstance, MathNode } from 'mathjs';
import { polynomialCoefficients } from './polynomial.js';

// mathjs (≈ 1,000 modules as ESM) loads on the first expression compiled, not when grasp-hil is imported.
const require = createRequire(import.meta.url);
let instance: MathJsInstance | null = null;
function mathjs(): MathJsInstance {
  if (!instance) {
    const { create, all } = require('mathjs') as typeof import('mathjs');
    const math = create(all, { predictable: true });
    math.import({ pow: math.typed('pow', { 'number, number': powReal }) }, { override: true });
    instance = math;
  }
  return instance;
}

/**
 * x^y on real numbers, as mathjs's predictable mode computes it except for one branch: mathjs
 * turns a non-integer exponent of a negative base into an exact fraction (Fraction.js) to return an
 * odd root, which takes up to 0.2 s per call (y = 1e-6). Here a negative base to a non-integer power
 * is NaN, which the load-time grid check refuses. The same function serves mathjs and the generated
 * JS, so both agree and the cost of an evaluation is bounded.
 */
export function powReal(x: number, y: number): number {
  if ((x < -1 && y === Infinity) || (x > -1 && x < 0 && y === -Infinity)) return NaN;
  if ((x * x < 1 && y === Infinity) || (x * x > 1 && y === -Infinity)) return 0;
  return Math.pow(x, y);
}

/** Functions a law may call (mathjs semantics, plus `clamp(x, lo, hi)`). */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  'abs', 'sqrt', 'cbrt', 'exp', 'expm1', 'log', 'log10', 'log2', 'log1p', 'pow', 'min', 'max', 'clamp',
  'sin', 'cos', 'tan', 'tanh', 'sinh', 'cosh', 'atan', 'floor', 'ceil', 'round', 'sign',
]);

const ALLOWED_OPERATORS: ReadonlySet<string> = new Set([
  'add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus', 'mod',
  'smaller', 'larger', 'smallerEq', 'largerEq', 'equal', 'unequal', 'and', 'or', 'not',
]);

const CONSTANTS: ReadonlySet<string> = new Set(['pi', 'e']);

/** Longest expression text accepted (characters). The shipped laws are under 100. */
export const MAX_EXPRESSION_CHARS = 2000;
/** Most nodes of the parsed tree (numbers, names, operators, functions, parentheses). The shipped laws have under 30. */
export const MAX_EXPRESSION_NODES = 300;
/**
 * Deepest nesting of the parsed tree (a flat chain a + b − c + … is one level), and of brackets in the
 * text. The shipped laws nest under 10 deep. With ≤ MAX_EXPRESSION_NODES nodes, the recursive walks
 * after parsing stay far from the stack limit.
 */
export const MAX_EXPRESSION_DEPTH = 32;
/** Largest |literal exponent| in `a ^ n` or `pow(a, n)`. */
export const MAX_EXPONENT = 1000;

const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);

export interface CompiledExpression {
  readonly text: string;
  /** Variables the expression uses (a subset of those allowed). */
  readonly uses: ReadonlySet<string>;
  /** Evaluates at g and t (t ignored when unused), through mathjs. A non-number result becomes NaN. */
  evaluate(g: number, t: number): number;
  /**
   * The same expression as a plain JS function (generated from the checked tree; ~100× faster
   * than mathjs), or null when it does not reproduce mathjs on a test grid.
   */
  readonly fast: ((g: number, t: number) => number) | null;
  /** A plain JS function of g with t fixed (from `fast`; mathjs when `fast` is null). */
  bind(t: number): (g: number) => number;
  /** Polynomial coefficients c0 + c1·g + … when the expression is a polynomial in g alone, else null. */
  readonly polynomial: readonly number[] | null;
}

function check(node: MathNode, variables: readonly string[], uses: Set<string>, fail: (why: string) => never): void {
  node.traverse((n, _path, parent) => {
    switch (n.type) {
      case 'ConstantNode': {
        const v = (n as unknown as { value: unknown }).value;
        if (typeof v !== 'number') fail(`only numbers are allowed as constants, found ${JSON.stringify(v)}`);
        return;
      }
      case 'SymbolNode': {
        const name = (n as unknown as { name: string }).name;
        const isCallee = parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === n;
        if (isCallee) return; // checked with its FunctionNode
        if (variables.includes(name)) {
          uses.add(name);
          return;
        }
        if (CONSTANTS.has(name)) return;
        fail(`unknown name '${name}'; a law may use ${variables.join(' and ')}${variables.includes('t') ? '' : ' (t is not allowed in this law)'} and the constants pi, e`);
        return;
      }
      case 'FunctionNode': {
        const fn = (n as unknown as { fn: MathNode }).fn;
        const name = fn.type === 'SymbolNode' ? (fn as unknown as { name: string }).name : null;
        if (name === null || !ALLOWED_FUNCTIONS.has(name)) {
          fail(`function '${name ?? fn.toString()}' is not allowed; allowed functions: ${[...ALLOWED_FUNCTIONS].join(', ')}`);
        }
        return;
      }
      case 'OperatorNode': {
        const op = (n as unknown as { fn: string; op: string });
        if (!ALLOWED_OPERATORS.has(op.fn)) fail(`operator '${op.op}' is not allowed`);
        return;
      }
      case 'ParenthesisNode':
      case 'ConditionalNode':
      case 'RelationalNode':
        return;
      default:
        fail(`${describeNode(n.type)} is not allowed in a law (a profile is data, not code)`);
    }
  });
}

function describeNode(type: string): string {
  const names: Record<string, string> = {
    AssignmentNode: 'assignment',
    FunctionAssignmentNode: 'function definition',
    AccessorNode: 'property or index access',
    IndexNode: 'indexing',
    ObjectNode: 'an object',
    ArrayNode: 'a matrix or array',
    BlockNode: 'a block of several statements',
    RangeNode: 'a range',
  };
  return names[type] ?? `a ${type}`;
}

/** Limits on the text, checked before parsing (the parser recurses once per bracket). */
function checkText(text: string, fail: (why: string) => never): void {
  if (text.length > MAX_EXPRESSION_CHARS) {
    fail(`is ${text.length} characters long; the limit is ${MAX_EXPRESSION_CHARS} (a law that long is better given as a table)`);
  }
  let depth = 0;
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (depth > MAX_EXPRESSION_DEPTH) fail(`nests brackets more than ${MAX_EXPRESSION_DEPTH} deep; simplify the expression`);
  }
}

const CHAINS: readonly ReadonlySet<string>[] = [new Set(['add', 'subtract']), new Set(['multiply', 'divide'])];

/** Whether `child`, the left operand of `parent`, continues a flat chain such as a + b − c + d. */
function continuesChain(parent: MathNode, child: MathNode, index: number): boolean {
  if (index !== 0 || parent.type !== 'OperatorNode' || child.type !== 'OperatorNode') return false;
  const p = (parent as unknown as { fn: string }).fn;
  const c = (child as unknown as { fn: string }).fn;
  return CHAINS.some((chain) => chain.has(p) && chain.has(c));
}

/**
 * Node count and nesting depth of the parsed tree, by an explicit stack (no recursion). A flat
 * chain of sums or products (a + b − c + …) counts as one level, however long: mathjs nests it
 * to the left, but it is not deep to a reader.
 */
function checkTree(root: MathNode, fail: (why: string) => never): void {
  const stack: [MathNode, number][] = [[root, 1]];
  let nodes = 0;
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (++nodes > MAX_EXPRESSION_NODES) fail(`has more than ${MAX_EXPRESSION_NODES} terms (numbers, names, operators); simplify it or give the law as a table`);
    if (d > MAX_EXPRESSION_DEPTH) fail(`nests operations more than ${MAX_EXPRESSION_DEPTH} deep; simplify the expression`);
    let i = 0;
    n.forEach((child) => stack.push([child, continuesChain(n, child, i++) ? d : d + 1]));
  }
}

const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}…` : s);

/** The value of a literal number, possibly signed or parenthesised; null for anything else. */
function literal(node: MathNode): number | null {
  const a = node as unknown as Record<string, unknown>;
  if (node.type === 'ConstantNode') return typeof a.value === 'number' ? a.value : null;
  if (node.type === 'ParenthesisNode') return literal(a.content as MathNode);
  if (node.type === 'OperatorNode' && (a.fn === 'unaryMinus' || a.fn === 'unaryPlus')) {
    const v = literal((a.args as MathNode[])[0]);
    return v === null ? null : a.fn === 'unaryMinus' ? -v : v;
  }
  return null;
}

/** Literal numbers finite; literal exponents within ±MAX_EXPONENT. */
function checkNumbers(root: MathNode, fail: (why: string) => never): void {
  root.traverse((n) => {
    const a = n as unknown as Record<string, unknown>;
    if (n.type === 'ConstantNode' && typeof a.value === 'number' && !Number.isFinite(a.value)) {
      fail(`a number overflows to ${n.toString()}; numbers must be finite (below about 1.8e308)`);
    }
    const isPow = (n.type === 'OperatorNode' && a.fn === 'pow')
      || (n.type === 'FunctionNode' && (a.fn as { name?: string }).name === 'pow');
    if (!isPow) return;
    const args = a.args as MathNode[];
    const x = args.length === 2 ? literal(args[1]) : null;
    if (x !== null && Math.abs(x) > MAX_EXPONENT) {
      fail(`the exponent ${args[1].toString()} in '${clip(n.toString())}' exceeds the limit of ±${MAX_EXPONENT}`);
    }
  });
}

/**
 * Parses and checks `text` as a law of `variables` (['g'] or ['g', 't']), compiles it once.
 * Throws `${where}: …` naming the problem.
 */
export function compileExpression(text: string, variables: readonly string[], where: string): CompiledExpression {
  const fail = (why: string): never => {
    throw new Error(`${where}: expression '${clip(String(text))}': ${why}`);
  };
  if (typeof text !== 'string' || text.trim() === '') fail('empty expression');
  checkText(text, fail);
  let node: MathNode;
  try {
    node = mathjs().parse(text);
  } catch (e) {
    if (e instanceof RangeError) return fail(`nests too deeply to parse; simplify the expression`);
    return fail(`does not parse (${(e as Error).message})`);
  }
  checkTree(node, fail);
  const uses = new Set<string>();
  check(node, variables, uses, fail);
  checkNumbers(node, fail);
  const code = node.compile();
  const scope = new Map<string, unknown>([['clamp', clamp], ['g', 0], ['t', 0]]);
  const evaluate = (g: number, t: number): number => {
    scope.set('g', g);
    scope.set('t', t);
    const v = code.evaluate(scope) as unknown;
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return NaN;
  };
  const poly = uses.has('t') ? null : polynomialCoefficients(node);
  // Trust the polynomial form only where it reproduces the expression (rounding of expanded powers).
  const polynomial = poly && [0, 0.137, 0.5, 0.871, 1].every((g) => {
    const p = horner(poly, g);
    const e = evaluate(g, 0);
    return Math.abs(p - e) <= 1e-12 * Math.max(1, Math.abs(e));
  }) ? poly : null;
  const js = toJs(node, evaluate, variables);
  const bind = (t: number): ((g: number) => number) => {
    if (!js) return (g) => evaluate(g, t);
    const f = new Function('H', `const t = ${Number(t)}; return function law(g) { return ${js.source}; };`) as (h: typeof HELPERS) => (g: number) => number;
    return f(HELPERS);
  };
  return { text, uses, evaluate, polynomial, fast: js?.fn ?? null, bind };
}

// ── plain-JS code generation from a checked tree ─────────────────────────────────────────────

/** mathjs's tolerances (config relTol, absTol): its comparisons, floor, ceil and mod treat nearly equal numbers as equal. */
const REL_TOL = 1e-12;
const ABS_TOL = 1e-15;

/** mathjs nearlyEqual with its default tolerances. */
function near(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= Math.max(REL_TOL * Math.max(Math.abs(a), Math.abs(b)), ABS_TOL);
}

/** mathjs round: half away from zero. */
const round = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** mathjs floor and ceil: an x nearly equal to an integer rounds to it. */
function snap(x: number, f: number): number {
  const r = round(x);
  return f !== r && near(x, r) && !near(x, f) ? r : f;
}

/**
 * Helpers the generated code calls, each reproducing mathjs's semantics for numbers (so the plain
 * JS function matches mathjs and the slow mathjs path is almost never needed).
 */
const HELPERS = {
  clamp,
  round,
  pow: powReal,
  floor: (x: number): number => snap(x, Math.floor(x)),
  ceil: (x: number): number => snap(x, Math.ceil(x)),
  /** mathjs mod: x − y·floor(x/y), x when y = 0. */
  mod: (x: number, y: number): number => (y === 0 ? x : x - y * snap(x / y, Math.floor(x / y))),
  log: (x: number, b?: number): number => (b === undefined ? Math.log(x) : Math.log(x) / Math.log(b)),
  smaller: (x: number, y: number): number => (x < y && !near(x, y) ? 1 : 0),
  larger: (x: number, y: number): number => (x > y && !near(x, y) ? 1 : 0),
  smallerEq: (x: number, y: number): number => (x <= y || near(x, y) ? 1 : 0),
  largerEq: (x: number, y: number): number => (x >= y || near(x, y) ? 1 : 0),
  equal: (x: number, y: number): number => (near(x, y) ? 1 : 0),
  unequal: (x: number, y: number): number => (near(x, y) ? 0 : 1),
};

const JS_FUNCTIONS: Record<string, string> = {
  abs: 'Math.abs', sqrt: 'Math.sqrt', cbrt: 'Math.cbrt', exp: 'Math.exp', expm1: 'Math.expm1', log: 'H.log',
  log10: 'Math.log10', log2: 'Math.log2', log1p: 'Math.log1p', pow: 'H.pow', min: 'Math.min', max: 'Math.max',
  clamp: 'H.clamp', sin: 'Math.sin', cos: 'Math.cos', tan: 'Math.tan', tanh: 'Math.tanh', sinh: 'Math.sinh',
  cosh: 'Math.cosh', atan: 'Math.atan', floor: 'H.floor', ceil: 'H.ceil', round: 'H.round', sign: 'Math.sign',
};

const BINARY: Record<string, (a: string, b: string) => string> = {
  add: (a, b) => `(${a} + ${b})`,
  subtract: (a, b) => `(${a} - ${b})`,
  multiply: (a, b) => `(${a} * ${b})`,
  divide: (a, b) => `(${a} / ${b})`,
  pow: (a, b) => `H.pow(${a}, ${b})`,
  mod: (a, b) => `H.mod(${a}, ${b})`,
  smaller: (a, b) => `H.smaller(${a}, ${b})`,
  larger: (a, b) => `H.larger(${a}, ${b})`,
  smallerEq: (a, b) => `H.smallerEq(${a}, ${b})`,
  largerEq: (a, b) => `H.largerEq(${a}, ${b})`,
  equal: (a, b) => `H.equal(${a}, ${b})`,
  unequal: (a, b) => `H.unequal(${a}, ${b})`,
  and: (a, b) => `(${a} && ${b} ? 1 : 0)`,
  or: (a, b) => `(${a} || ${b} ? 1 : 0)`,
};


function emit(n: MathNode): string {
  const a = n as unknown as Record<string, unknown>;
  switch (n.type) {
    case 'ConstantNode':
      return `(${String(a.value as number)})`;
    case 'SymbolNode': {
      const name = a.name as string;
      return name === 'pi' ? 'Math.PI' : name === 'e' ? 'Math.E' : name;
    }
    case 'ParenthesisNode':
      return emit(a.content as MathNode);
    case 'ConditionalNode':
      return `(${emit(a.condition as MathNode)} ? ${emit(a.trueExpr as MathNode)} : ${emit(a.falseExpr as MathNode)})`;
    case 'FunctionNode': {
      const name = (a.fn as { name: string }).name;
      const args = (a.args as MathNode[]).map(emit);
      if (name === 'log' && args.length === 1) return `Math.log(${args[0]})`;
      return `${JS_FUNCTIONS[name]}(${args.join(', ')})`;
    }
    case 'OperatorNode': {
      const fn = a.fn as string;
      const args = (a.args as MathNode[]).map(emit);
      if (fn === 'unaryMinus') return `(-${args[0]})`;
      if (fn === 'unaryPlus') return args[0];
      if (fn === 'not') return `(${args[0]} ? 0 : 1)`;
      return BINARY[fn](args[0], args[1]);
    }
    case 'RelationalNode': {
      const ops = a.conditionals as string[];
      const ps = (a.params as MathNode[]).map(emit);
      return `(${ops.map((op, i) => `H.${op}(${ps[i]}, ${ps[i + 1]})`).join(' && ')} ? 1 : 0)`;
    }
    default:
      throw new Error(`cannot generate code for ${n.type}`);
  }
}

/** JS function of (g, t) for a checked tree; null unless it matches mathjs on a test grid. */
function toJs(node: MathNode, reference: (g: number, t: number) => number, variables: readonly string[]): { fn: (g: number, t: number) => number; source: string } | null {
  let f: (g: number, t: number) => number;
  let source: string;
  try {
    // Safe: every node was checked against the whitelist (numbers, g, t, pi, e, listed operators
    // and functions); the generated body references only its arguments, Math and H.
    source = emit(node);
    const body = new Function('H', `return function law(g, t) { return ${source}; };`) as (h: typeof HELPERS) => (g: number, t: number) => number;
    f = body(HELPERS);
  } catch {
    return null;
  }
  const times = variables.includes('t') ? [0, 1e-6, 1, 20, 3600, 1e6] : [0];
  for (const t of times) {
    for (let i = 0; i <= 64; i++) {
      const g = i / 64;
      const want = reference(g, t);
      const got = f(g, t);
      if (Number.isNaN(want) && Number.isNaN(got)) continue;
      if (!(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want))) && got !== want) return null;
    }
  }
  return { fn: f, source };
}

/** c0 + c1·x + c2·x² + … */
export function horner(c: readonly number[], x: number): number {
  let v = 0;
  for (let i = c.length - 1; i >= 0; i--) v = v * x + c[i];
  return v;
}
