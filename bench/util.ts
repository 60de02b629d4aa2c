/** Shared benchmark helpers: timing with warm-up, GFLOP/s, plain output lines. */
import { tf } from '../src/tensor/index.js';

/** Median milliseconds of `fn` over `reps` runs after `warmup` runs; `fn` must read its result back. */
export function timeMs(fn: () => void, reps = 5, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export const gflops = (flops: number, ms: number): number => flops / ms / 1e6;

/** Runs `make` in a tidy scope and reads every returned tensor back (forces execution). */
export function sync(make: () => tf.Tensor | tf.Tensor[]): void {
  const out = tf.tidy(make);
  for (const t of Array.isArray(out) ? out : [out]) {
    t.dataSync();
    t.dispose();
  }
}

export function report(name: string, values: Record<string, number | string>): void {
  const parts = Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`);
  console.log(`${name}: ${parts.join(' ')}`);
}

/**
 * A benchmark's flag reader. The command line is checked first: every `--name` must be one of `values`
 * (and then takes the next argument as its value, whatever it looks like) or one of `switches`, so a
 * mistyped flag stops the run with the list of known ones instead of being ignored. The returned
 * `arg(name, fallback)` gives a flag's value or the fallback.
 */
export function flagReader(values: readonly string[], switches: readonly string[] = [], argv: readonly string[] = process.argv.slice(2)): (name: string, fallback: string) => string {
  const known = () => [...values.map((v) => `--${v} <value>`), ...switches.map((s) => `--${s}`)].join(', ') || 'no flags';
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.slice(2) : null;
    if (name !== null && values.includes(name)) {
      if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
      given.set(name, argv[++i]);
    } else if (name === null || !switches.includes(name)) {
      throw new Error(`${name === null ? `unexpected argument '${a}'` : `unknown flag --${name}`}; this benchmark takes ${known()}`);
    }
  }
  return (name, fallback) => {
    if (!values.includes(name)) throw new Error(`flagReader: '${name}' is not among this benchmark's flags (${known()})`);
    return given.get(name) ?? fallback;
  };
}
