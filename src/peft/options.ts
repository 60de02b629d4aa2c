/**
 * Reading a method's options: every value checked at the boundary with a message naming the
 * method, the option and the accepted values; unknown option names are errors that list the known
 * ones.
 */
export class OptionReader {
  private readonly used = new Set<string>();

  constructor(
    private readonly method: string,
    private readonly raw: Readonly<Record<string, unknown>>,
    private readonly docs: Readonly<Record<string, string>>,
  ) {}

  private take(name: string): unknown {
    this.used.add(name);
    return this.raw[name];
  }

  private fail(name: string, value: unknown, want: string): never {
    throw new Error(`${this.method}: option '${name}' must be ${want}, got ${JSON.stringify(value)}`);
  }

  /** An integer in [min, max]; `def` when absent. */
  int(name: string, def: number, min = -Infinity, max = Infinity): number {
    const v = this.take(name) ?? def;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) this.fail(name, v, 'an integer');
    if (n < min || n > max) this.fail(name, v, `an integer in [${min}, ${max === Infinity ? '∞' : max}]`);
    return n;
  }

  /** An integer ≥ min, or the word `word` (e.g. rows: 'all'). */
  intOrWord<W extends string>(name: string, def: number | W, word: W, min = 1): number | W {
    const v = this.raw[name] ?? def;
    if (v === word) {
      this.used.add(name);
      return word;
    }
    if (typeof v === 'string' && v !== word && !/^\s*-?\d+\s*$/.test(v)) this.fail(name, v, `an integer ≥ ${min} or '${word}'`);
    return this.int(name, typeof def === 'number' ? def : min, min);
  }

  /** An optional integer ≥ min (undefined when absent). */
  optionalInt(name: string, min = -Infinity): number | undefined {
    if (this.raw[name] === undefined || this.raw[name] === null) {
      this.used.add(name);
      return undefined;
    }
    return this.int(name, 0, min);
  }

  /** A finite number in [min, max]. */
  number(name: string, def: number, min = -Infinity, max = Infinity): number {
    const v = this.take(name) ?? def;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) this.fail(name, v, 'a number');
    if (n < min || n > max) this.fail(name, v, `a number in [${min}, ${max === Infinity ? '∞' : max}]`);
    return n;
  }

  /** One of `allowed`. */
  choice<T extends string>(name: string, def: T, allowed: readonly T[]): T {
    const v = this.take(name) ?? def;
    if (typeof v !== 'string' || !allowed.includes(v as T)) this.fail(name, v, `one of ${allowed.join(', ')}`);
    return v as T;
  }

  /** A string (Site selectors and the like). */
  string(name: string, def: string): string {
    const v = this.take(name) ?? def;
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.join(',');
    if (typeof v !== 'string' || v.trim() === '') this.fail(name, v, 'a non-empty string');
    return v;
  }

  /** A number, or a record of numbers by Site name. */
  numberOrRecord(name: string, def: number): number | Record<string, number> {
    const v = this.take(name) ?? def;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
      return { ...(v as Record<string, number>) };
    }
    return this.fail(name, v, 'a number ≥ 0 or an object of numbers ≥ 0 by Site name');
  }

  /** An object of numbers ≥ min by key (PEFT's rank_pattern / alpha_pattern); `{}` when absent. */
  numberRecord(name: string, min: number, integer = false): Record<string, number> {
    const v = this.take(name) ?? {};
    const ok = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= min && (!integer || Number.isInteger(x));
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every(ok)) {
      this.fail(name, v, `an object of ${integer ? 'integers' : 'numbers'} ≥ ${min} by Site pattern`);
    }
    return { ...(v as Record<string, number>) };
  }

  /** true or false. */
  bool(name: string, def: boolean): boolean {
    const v = this.take(name) ?? def;
    if (typeof v !== 'boolean') this.fail(name, v, 'true or false');
    return v;
  }

  /** Throws on option names that were not read. */
  finish(): void {
    const unknown = Object.keys(this.raw).filter((k) => !this.used.has(k) && this.raw[k] !== undefined);
    if (unknown.length) {
      const known = Object.entries(this.docs).map(([k, d]) => `${k} (${d})`).join('; ');
      throw new Error(`${this.method}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; options: ${known}`);
    }
  }
}
