import { describe, expect, it } from 'vitest';
import { attachMethod, groupingRng, isNoiseAware, makeGrouping } from '../../src/peft/index.js';
import { keyedNormalTensor, noiseKey, Rng, tensorCount, tf, toFloat32 } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';
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

  it("stores ln σ as `<site>.stochgrasp_log_sigma`, and loads old adapters' `stochgrasp_rho` (σ = softplus(ρ))", async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const a = attachMethod(model, 'stochgrasp', { k: 4, sites: SITE }, new Rng(0));
    if (!isNoiseAware(a)) throw new Error('not noise-aware');
    const state = a.state();
    expect([...state.keys()].sort()).toEqual([`${SITE}.stochgrasp_log_sigma`, `${SITE}.stochgrasp_mu`]);
    const sigma = [0.002, 0.01, 0.05, 0.3];
    const legacy = new Map(state);
    legacy.delete(`${SITE}.stochgrasp_log_sigma`);
    legacy.set(`${SITE}.stochgrasp_rho`, { shape: [1, 4], data: Float32Array.from(sigma, (v) => Math.log(Math.expm1(v))) });
    a.loadState(legacy, 'old adapter');
    const s = a.sigmaSummary()[0];
    expect(s.min).toBeCloseTo(0.002, 6);
    expect(s.max).toBeCloseTo(0.3, 5);
    const logs = a.state().get(`${SITE}.stochgrasp_log_sigma`)!.data;
    sigma.forEach((v, i) => expect(Math.exp(logs[i]) / v).toBeCloseTo(1, 4));
    a.detach();
    model.dispose();
  });

  it('penalty: λ·Σ over every weight element (sum) or its mean, with per-Site targets', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const a = attachMethod(model, 'stochgrasp', { k: 4, rows: 3, sites: SITE, lambda: 0.1, penalty: 'sum', sigmaTarget: { [SITE]: 0.02 } }, new Rng(0));
    if (!isNoiseAware(a)) throw new Error('not noise-aware');
    const rho = a.trainable().find((t) => t.key.endsWith('_log_sigma'))!.variable;
    const sigma = toFloat32(tf.exp(rho));
    const rows = makeGrouping(16, 3, new Rng(0, `grouping/${SITE}/in`)), cols = makeGrouping(24, 4, new Rng(0, `grouping/${SITE}/out`));
    let sum = 0;
    for (let i = 0; i < 16; i++) for (let j = 0; j < 24; j++) sum += (sigma[rows.assign[i] * 4 + cols.assign[j]] - 0.02) ** 2;
    expect(a.penalty!()!.dataSync()[0]).toBeCloseTo(0.1 * sum, 8);
    // Its gradient (one op computed from ρ's values) against autograd of the same sum over elements.
    const F = tf.tensor2d(Float32Array.from({ length: 16 * 3 }, (_, idx) => (rows.assign[Math.floor(idx / 3)] === idx % 3 ? 1 : 0)), [16, 3]);
    const E = tf.tensor2d(Float32Array.from({ length: 4 * 24 }, (_, idx) => (cols.assign[idx % 24] === Math.floor(idx / 24) ? 1 : 0)), [4, 24]);
    const ref = tf.grad((r) => tf.mul(0.1, tf.sum(tf.square(tf.sub(tf.matMul(tf.matMul(F, tf.exp(r) as tf.Tensor2D), E), 0.02)))))(rho);
    const ours = tf.variableGrads(() => a.penalty!()!, [rho]).grads[rho.name];
    expect(maxAbsDiff(ours.dataSync(), ref.dataSync())).toBeLessThan(1e-6 * Math.max(1, ...Array.from(ref.dataSync(), Math.abs)));
    expect(toFloat32(ours).some((v) => Math.abs(v) > 0)).toBe(true);
    a.detach();
    const zero = attachMethod(model, 'stochgrasp', { k: 4, rows: 3, sites: SITE, lambda: 0 }, new Rng(0));
    expect(zero.penalty!()).toBeNull();
    zero.detach();
    const b = attachMethod(model, 'stochgrasp', { k: 4, rows: 3, sites: SITE, lambda: 0.1, penalty: 'mean', sigmaTarget: 0.02 }, new Rng(0));
    expect(b.penalty!()!.dataSync()[0]).toBeCloseTo((0.1 * sum) / (16 * 24), 10);
    expect(() => (b as ReturnType<typeof attachMethod> & { setSigmaTarget(t: unknown): void }).setSigmaTarget({ other: 1 })).toThrow(/no valid σ_target for Site encoder\.layer\.0\.intermediate\.dense/);
    b.detach();
    model.dispose();
  });

  it("every sampling mode gives each token the output distribution N(x·(W+μ̂), x²·σ̂²)", async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const site = model.sites.get(SITE)!;
    const x = tf.tensor2d(new Rng(3, 'x').fillNormal(new Float32Array(16)), [1, 16]);
    for (const sampling of ['weight', 'sequence', 'local']) {
      const a = attachMethod(model, 'stochgrasp', { k: 4, rows: 'all', sites: SITE, sampling }, new Rng(0));
      const [mu, rho] = a.trainable().map((t) => t.variable);
      mu.assign(tf.fill(mu.shape, 0.05));
      rho.assign(tf.fill(rho.shape, Math.log(0.2)));
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

  it("who shares a draw: 'weight' the whole batch, 'sequence' the tokens of one sequence, 'local' no one", async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const site = model.sites.get(SITE)!;
    const token = new Rng(3, 'x').fillNormal(new Float32Array(16));
    // Two sequences of two tokens, all four the same vector.
    const x = tf.tensor3d(Array.from({ length: 4 }, () => Array.from(token)).flat(), [2, 2, 16]);
    const shared: Record<string, boolean[]> = {};
    for (const sampling of ['weight', 'sequence', 'local']) {
      const a = attachMethod(model, 'stochgrasp', { k: 4, rows: 'all', sites: SITE, sampling }, new Rng(0));
      const [, logSigma] = a.trainable().map((t) => t.variable);
      logSigma.assign(tf.fill(logSigma.shape, Math.log(0.2)));
      a.setMode({ kind: 'train', rng: new Rng(9) });
      const y = toFloat32(site.forward(x));
      const row = (i: number) => Array.from(y.subarray(i * 24, (i + 1) * 24));
      const same = (i: number, j: number) => row(i).every((v, c) => Math.abs(v - row(j)[c]) < 1e-6);
      // [tokens of one sequence alike, sequences alike]
      shared[sampling] = [same(0, 1) && same(2, 3), same(0, 2)];
      a.detach();
    }
    expect(shared).toEqual({ weight: [true, true], sequence: [true, false], local: [false, false] });
    model.dispose();
  });

  it("'sequence' sampling: gradients reach μ and ln σ; the tensor count stays flat", async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const site = model.sites.get(SITE)!;
    const x = tf.tensor3d(new Rng(4, 'x').fillNormal(new Float32Array(3 * 5 * 16)), [3, 5, 16]);
    const a = attachMethod(model, 'stochgrasp', { k: 4, rows: 'all', sites: SITE, sampling: 'sequence' }, new Rng(0));
    const vars = a.trainable().map((t) => t.variable);
    const before = tensorCount();
    a.setMode({ kind: 'train', rng: new Rng(2) });
    const norms = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(site.forward(x))) as tf.Scalar, vars);
      return vars.map((v) => toFloat32(tf.norm(grads[v.name]))[0]);
    });
    expect(norms.every((n) => n > 0 && Number.isFinite(n))).toBe(true);
    expect(tensorCount()).toBe(before);
    a.detach();
    x.dispose();
    model.dispose();
  });

  // The local path's hand-written gradients (R = 1 is one custom op) against autograd of the dense
  // formula y = x·W + b + x·M + ξ⊙√(x²·S² + 1e-20), M and S expanded from μ, σ = exp(ln σ) by
  // one-hot row and column indicators, with the same noise ξ.
  it.each(TEST_BACKENDS)('local sampling: value and gradients for x, μ and ρ equal the dense formula (%s)', async (backend) => {
    await useBackend(backend);
    const model = tinyModel();
    const site = model.sites.get(SITE)!;
    const [din, dout, k, n] = [16, 24, 4, 5];
    const x = tf.tensor2d(new Rng(3, 'x').fillNormal(new Float32Array(n * din)), [n, din]);
    const probe = tf.tensor2d(new Rng(4, 'probe').fillNormal(new Float32Array(n * dout)), [n, dout]);
    for (const rows of [1, 3, 'all'] as const) {
      const a = attachMethod(model, 'stochgrasp', { k, rows, sites: SITE, seed: 2 }, new Rng(0));
      const [mu, rho] = a.trainable().map((t) => t.variable);
      mu.assign(tf.tensor(new Rng(5, 'mu').fillNormal(new Float32Array(mu.size), 0, 0.1), mu.shape));
      rho.assign(tf.tensor(new Rng(6, 'rho').fillNormal(new Float32Array(rho.size), -2, 0.5), rho.shape));
      const r = mu.shape[0];
      const cols = makeGrouping(dout, k, groupingRng(2, SITE, 'out'));
      const rowOf = (i: number) => (rows === 1 ? 0 : rows === 'all' ? i : makeGrouping(din, 3, groupingRng(2, SITE, 'in')).assign[i]);
      const F = tf.tensor2d(Float32Array.from({ length: din * r }, (_, idx) => (rowOf(Math.floor(idx / r)) === idx % r ? 1 : 0)), [din, r]);
      const E = tf.tensor2d(Float32Array.from({ length: k * dout }, (_, idx) => (cols.assign[idx % dout] === Math.floor(idx / dout) ? 1 : 0)), [k, dout]);
      const xi = keyedNormalTensor([n, dout], noiseKey(new Rng(7, 'xi')));
      const dense = (xx: tf.Tensor, m: tf.Tensor, p: tf.Tensor) => {
        const M = tf.matMul(tf.matMul(F, m as tf.Tensor2D), E), S2 = tf.matMul(tf.matMul(F, tf.square(tf.exp(p)) as tf.Tensor2D), E);
        const mean = tf.add(tf.add(tf.matMul(xx as tf.Tensor2D, site.weightTensor()), site.bias()!), tf.matMul(xx as tf.Tensor2D, M));
        return tf.add(mean, tf.mul(xi, tf.sqrt(tf.add(tf.matMul(tf.square(xx) as tf.Tensor2D, S2), 1e-20))));
      };
      const ours = (xx: tf.Tensor) => {
        a.setMode({ kind: 'train', rng: new Rng(7, 'xi') });
        return site.forward(xx);
      };
      expect(maxAbsDiff(ours(x).dataSync(), dense(x, mu, rho).dataSync())).toBeLessThan(1e-4);
      const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, probe)) as tf.Scalar;
      const dxOurs = tf.grad((xx) => loss(ours(xx)))(x), dxRef = tf.grad((xx) => loss(dense(xx, mu, rho)))(x);
      expect(maxAbsDiff(dxOurs.dataSync(), dxRef.dataSync())).toBeLessThan(1e-4);
      const g = tf.variableGrads(() => loss(ours(x)), [mu, rho]).grads;
      const [dmu, drho] = tf.grads((m, p) => loss(dense(x, m, p)))([mu, rho]);
      expect(maxAbsDiff(g[mu.name].dataSync(), dmu.dataSync())).toBeLessThan(1e-4);
      expect(maxAbsDiff(g[rho.name].dataSync(), drho.dataSync())).toBeLessThan(1e-4);
      expect(toFloat32(drho).some((v) => Math.abs(v) > 1e-3)).toBe(true);
      if (rows === 1) {
        // With another hook inside, the term is added to that hook's output as its own op: same value and gradients.
        const inner = site.attach('inner', (xx, next) => next(xx));
        expect(maxAbsDiff(ours(x).dataSync(), dense(x, mu, rho).dataSync())).toBeLessThan(1e-4);
        const gi = tf.variableGrads(() => loss(ours(x)), [mu, rho]).grads;
        expect(maxAbsDiff(gi[rho.name].dataSync(), drho.dataSync())).toBeLessThan(1e-4);
        expect(maxAbsDiff(tf.grad((xx) => loss(ours(xx)))(x).dataSync(), dxRef.dataSync())).toBeLessThan(1e-4);
        inner();
      }
      a.setMode({ kind: 'eval' });
      a.detach();
    }
    model.dispose();
  });
});
