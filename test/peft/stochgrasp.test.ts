import { describe, expect, it } from 'vitest';
import { attachMethod, isNoiseAware, makeGrouping } from '../../src/peft/index.js';
import { Rng, tensorCount, tf, toFloat32 } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';
import { tinyModel } from './helpers.js';

const SITE = 'encoder.layer.0.intermediate.dense'; // [16, 24]

describe('StochGRASP', () => {
  it('starts with μ = 0 and σ in [0.001, 0.005], positive by construction', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const a = attachMethod(model, 'stochgrasp', { k: 4, rows: 'all' }, new Rng(0));
    if (!isNoiseAware(a)) throw new Error('not noise-aware');
    for (const s of a.sigmaSummary()) {
      expect(s.min).toBeGreaterThanOrEqual(0.001 - 1e-7);
      expect(s.max).toBeLessThanOrEqual(0.005 + 1e-7);
    }
    for (const t of a.trainable().filter((v) => v.key.endsWith('_mu'))) expect(toFloat32(t.variable).every((v) => v === 0)).toBe(true);
    a.detach();
    model.dispose();
  });

  it('penalty: λ·Σ over every weight element (sum) or its mean, with per-Site targets', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const a = attachMethod(model, 'stochgrasp', { k: 4, rows: 3, sites: SITE, lambda: 0.1, penalty: 'sum', sigmaTarget: { [SITE]: 0.02 } }, new Rng(0));
    if (!isNoiseAware(a)) throw new Error('not noise-aware');
    const rho = a.trainable().find((t) => t.key.endsWith('_rho'))!.variable;
    const sigma = toFloat32(tf.softplus(rho));
    const rows = makeGrouping(16, 3, new Rng(0, `grouping/${SITE}/in`)), cols = makeGrouping(24, 4, new Rng(0, `grouping/${SITE}/out`));
    let sum = 0;
    for (let i = 0; i < 16; i++) for (let j = 0; j < 24; j++) sum += (sigma[rows.assign[i] * 4 + cols.assign[j]] - 0.02) ** 2;
    expect(a.penalty!()!.dataSync()[0]).toBeCloseTo(0.1 * sum, 8);
    a.detach();
    const b = attachMethod(model, 'stochgrasp', { k: 4, rows: 3, sites: SITE, lambda: 0.1, penalty: 'mean', sigmaTarget: 0.02 }, new Rng(0));
    expect(b.penalty!()!.dataSync()[0]).toBeCloseTo((0.1 * sum) / (16 * 24), 10);
    expect(() => (b as ReturnType<typeof attachMethod> & { setSigmaTarget(t: unknown): void }).setSigmaTarget({ other: 1 })).toThrow(/no valid σ_target for Site encoder\.layer\.0\.intermediate\.dense/);
    b.detach();
    model.dispose();
  });

  it("both sampling modes give each token the output distribution N(x·(W+μ̂), x²·σ̂²)", async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const site = model.sites.get(SITE)!;
    const x = tf.tensor2d(new Rng(3, 'x').fillNormal(new Float32Array(16)), [1, 16]);
    for (const sampling of ['weight', 'local']) {
      const a = attachMethod(model, 'stochgrasp', { k: 4, rows: 'all', sites: SITE, sampling }, new Rng(0));
      const [mu, rho] = a.trainable().map((t) => t.variable);
      mu.assign(tf.fill(mu.shape, 0.05));
      rho.assign(tf.fill(rho.shape, Math.log(Math.expm1(0.2))));
      a.setMode({ kind: 'eval' });
      const mean = toFloat32(site.forward(x));
      const n = 400;
      const acc = new Float64Array(24), acc2 = new Float64Array(24);
      const rng = new Rng(5, sampling);
      const before = tensorCount();
      for (let s = 0; s < n; s++) {
        a.setMode({ kind: 'train', rng });
        const y = tf.tidy(() => toFloat32(site.forward(x)));
        y.forEach((v, j) => {
          acc[j] += v;
          acc2[j] += v * v;
        });
      }
      expect(tensorCount()).toBe(before);
      const sd = 0.2 * Math.sqrt(toFloat32(tf.sum(tf.square(x))) [0]);
      for (let j = 0; j < 24; j++) {
        const m = acc[j] / n, v = acc2[j] / n - m * m;
        expect(Math.abs(m - mean[j])).toBeLessThan((4 * sd) / Math.sqrt(n));
        expect(Math.sqrt(v) / sd).toBeGreaterThan(0.8);
        expect(Math.sqrt(v) / sd).toBeLessThan(1.2);
      }
      // Evaluation modes: mean weights, and one fixed draw with σ replaced by an injected level.
      a.setMode({ kind: 'sample', rng: new Rng(1), sigma: 0 });
      expect(toFloat32(site.forward(x)).every((v, j) => Math.abs(v - mean[j]) < 1e-5)).toBe(true);
      a.setMode({ kind: 'sample', rng: new Rng(1), sigma: 0.3 });
      const s1 = toFloat32(site.forward(x)), s2 = toFloat32(site.forward(x));
      expect(s1).toEqual(s2);
      expect(s1.some((v, j) => Math.abs(v - mean[j]) > 0.05)).toBe(true);
      a.setMode({ kind: 'eval' });
      a.detach();
    }
    model.dispose();
  });
});
