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
