/**
 * Numeric CLI flags, checked before any work: a command lists each numeric flag with its meaning
 * (seed, count, σ, fraction, …) and `checkFlags` refuses the first bad one with
 * `--flag must be <what>, got <value>`. yargs turns `--seed abc` into NaN, so NaN is refused like any
 * other out-of-range value. Flags the user did not give (undefined) are skipped.
 *
 * Meanings (what each `FlagRule` preset accepts):
 *   SEED      an integer in [0, 2³² − 1] (every seeded stream hashes a 32-bit seed)
 *   COUNT     an integer ≥ 1 (examples, steps, samples, layers, …)
 *   NONNEG    a finite number ≥ 0 (σ, t in seconds, weight decay, clip norm)
 *   POSITIVE  a finite number > 0 (learning rates)
 *   FRACTION  a finite number in [0, 1]
 */

export interface FlagRule {
  /** Only integers. */
  integer?: boolean;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Values must be strictly above this. */
  above?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
}

export const SEED: FlagRule = { integer: true, min: 0, max: 0xffffffff };
export const COUNT: FlagRule = { integer: true, min: 1 };
export const NONNEG: FlagRule = { min: 0 };
export const POSITIVE: FlagRule = { above: 0 };
export const FRACTION: FlagRule = { min: 0, max: 1 };
/** Any finite number. */
export const FINITE: FlagRule = {};

/** A count with an upper bound: an integer in [1, max]. */
export function countUpTo(max: number): FlagRule {
  return { integer: true, min: 1, max };
}

/** "an integer in [1, 100]", "a finite number > 0", … */
export function describeRule(rule: FlagRule): string {
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const lo = rule.above !== undefined ? null : rule.min;
  if (lo !== undefined && lo !== null && rule.max !== undefined) return `${kind} in [${lo}, ${rule.max}]`;
  if (rule.above !== undefined) return `${kind} > ${rule.above}${rule.max !== undefined ? ` and ≤ ${rule.max}` : ''}`;
  if (lo !== undefined && lo !== null) return `${kind} ≥ ${lo}`;
  if (rule.max !== undefined) return `${kind} ≤ ${rule.max}`;
  return kind;
}

function fits(x: number, rule: FlagRule): boolean {
  if (!Number.isFinite(x)) return false;
  if (rule.integer && !Number.isInteger(x)) return false;
  if (rule.min !== undefined && x < rule.min) return false;
  if (rule.above !== undefined && !(x > rule.above)) return false;
  if (rule.max !== undefined && x > rule.max) return false;
  return true;
}

/** The value of one numeric flag, or an error `--flag must be …, got …`. `flag` is the name without dashes. */
export function numericFlag(value: unknown, flag: string, rule: FlagRule): number {
  const x = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!fits(x, rule)) {
    const shown = typeof value === 'number' && Number.isNaN(value) ? 'NaN (not a number)' : typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
    throw new Error(`--${flag} must be ${describeRule(rule)}, got ${shown}`);
  }
  return x;
}

/**
 * Checks every flag of `rules` that `argv` holds (undefined: not given, skipped); a repeatable flag
 * (array) is checked element by element. Call it first in a handler, before anything loads.
 */
export function checkFlags(argv: Record<string, unknown>, rules: Record<string, FlagRule>): void {
  for (const [flag, rule] of Object.entries(rules)) {
    const v = argv[flag];
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) numericFlag(x, flag, rule);
  }
}

/** `--rows`: 'all' or a count ≥ 1 (row groups of StochGRASP / grasp-weight). */
export function checkRowsFlag(value: unknown): void {
  if (value === undefined || value === 'all') return;
  if (typeof value === 'string' && /^\d+$/.test(value.trim()) && Number(value) >= 1) return;
  throw new Error(`--rows must be 'all' or an integer ≥ 1, got ${JSON.stringify(value)}`);
}
