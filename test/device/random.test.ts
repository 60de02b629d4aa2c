import { describe, expect, it } from 'vitest';
import { fillStandardNormal, fillStandardNormalTable, fillUniform01, inverseCdf } from '../../src/device/index.js';
import { Rng } from '../../src/tensor/index.js';

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 is too coarse; use erfc via continued fraction-free series). */
function phi(x: number): number {
  // W. J. Cody-style rational approximation through erf; accurate to ~1e-7, enough for KS at n = 1e6.
  const t = 1 / (1 + 0.5 * Math.abs(x / Math.SQRT2));
  const y = t * Math.exp(-(x * x) / 2 - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - y / 2 : y / 2;
}

describe('bulk random draws', () => {
  it('ziggurat normals have the moments and distribution of N(0, 1)', () => {
    const n = 1_000_000;
    const a = fillStandardNormal(new Rng(7, 'zig'), new Float32Array(n));
    let m = 0;
    for (const x of a) m += x;
    m /= n;
    let v = 0, k = 0;
    for (const x of a) {
      v += (x - m) ** 2;
      k += (x - m) ** 4;
    }
    v /= n;
    k /= n * v * v;
    expect(Math.abs(m)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan(0.006);
    expect(Math.abs(k - 3)).toBeLessThan(0.03);
    const s = Float64Array.from(a).sort();
    let d = 0;
    for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(phi(s[i]) - (i + 0.5) / n));
    expect(d).toBeLessThan(1.95 / Math.sqrt(n)); // KS 99.9 %
    let tail = 0;
    for (const x of a) if (Math.abs(x) > 3.5) tail++;
    expect(tail / n).toBeGreaterThan(0.000465 * 0.7);
    expect(tail / n).toBeLessThan(0.000465 * 1.3);
  });

  it('is deterministic per stream and advances between calls', () => {
    const a = fillStandardNormal(new Rng(1, 's'), new Float32Array(1000));
    const b = fillStandardNormal(new Rng(1, 's'), new Float32Array(1000));
    expect(Array.from(a)).toEqual(Array.from(b));
    const r = new Rng(1, 's');
    const c = fillStandardNormal(r, new Float32Array(1000));
    const d = fillStandardNormal(r, new Float32Array(1000));
    expect(Array.from(c)).toEqual(Array.from(a));
    expect(Array.from(d)).not.toEqual(Array.from(c));
    const u = fillUniform01(new Rng(2), new Float64Array(100000)) as Float64Array;
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((x: number, y: number) => x + y, 0) / u.length - 0.5)).toBeLessThan(0.005);
  });

  it('the inverse-CDF table normals (per-MVM noise) have unit variance and a CDF within 1e-5 of Φ', () => {
    expect(inverseCdf(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(inverseCdf(0.001)).toBeCloseTo(-3.090232306167814, 12);
    expect(inverseCdf(1e-6)).toBeCloseTo(-4.753424308822899, 10);
    const n = 1_000_000;
    const a = fillStandardNormalTable(new Rng(3, 'tab'), new Float32Array(n));
    let m = 0, v = 0;
    for (const x of a) m += x;
    m /= n;
    for (const x of a) v += (x - m) ** 2;
    v /= n;
    expect(Math.abs(m)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan(0.006);
    const s = Float64Array.from(a).sort();
    let d = 0;
    for (let i = 0; i < n; i += 97) d = Math.max(d, Math.abs(phi(s[i]) - (i + 0.5) / n));
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
    expect(Array.from(fillStandardNormalTable(new Rng(3, 'tab'), new Float32Array(11)))).toEqual(Array.from(a.subarray(0, 11)));
  });
});
