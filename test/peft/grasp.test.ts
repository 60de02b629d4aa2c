import { describe, expect, it } from 'vitest';
import { headLogits } from '../../src/model/index.js';
import { attachMethod, expandArray, GroupExpander, makeGrouping } from '../../src/peft/index.js';
import { linear, Rng, tf, toFloat32 } from '../../src/tensor/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';
import { disposeInputs, tinyInputs, tinyModel } from './helpers.js';

describe('grouping', () => {
  it('repeats K values over D, truncates and permutes with a seeded permutation', () => {
    const g = makeGrouping(10, 4, new Rng(3, 'g'));
    expect(Array.from(g.counts).sort()).toEqual([2, 2, 3, 3]);
    const perm = new Rng(3, 'g').permutation(10);
    expect(Array.from(g.assign)).toEqual(Array.from(perm, (p) => p % 4));
    expect(Array.from(makeGrouping(10, 4, new Rng(3, 'g')).assign)).toEqual(Array.from(g.assign));
    expect(Array.from(makeGrouping(10, 4, new Rng(4, 'g')).assign)).not.toEqual(Array.from(g.assign));
    expect(Array.from(expandArray([10, 20, 30, 40], makeGrouping(6, 4, null)))).toEqual([10, 20, 30, 40, 10, 20]);
    expect(() => makeGrouping(10, 11, null, 'Site x')).toThrow(/Site x: 11 groups exceed the dimension 10/);
    expect(() => makeGrouping(10, 0, null)).toThrow(/integer ≥ 1/);
  });

  it('expands by indicator matmul with group-sum gradients (no gather)', async () => {
    await useBackend('wasm');
    const g = makeGrouping(12, 5, new Rng(1, 'g'));
    const ex = new GroupExpander(g);
    const v = tf.tensor2d([[1, 2, 3, 4, 5]]);
    expect(Array.from(ex.expand(v).dataSync())).toEqual(Array.from(expandArray([1, 2, 3, 4, 5], g)));
    const w = tf.tensor2d(new Rng(2, 'w').fillNormal(new Float32Array(12)), [1, 12]);
    const dv = tf.grad((x) => tf.sum(tf.mul(ex.expand(x as tf.Tensor2D), w)))(v);
    const wd = w.dataSync();
    const expected = new Float32Array(5);
    for (let d = 0; d < 12; d++) expected[g.assign[d]] += wd[d];
    expect(maxAbsDiff(dv.dataSync(), expected)).toBeLessThan(1e-6);
    const prof = await tf.profile(() => tf.grad((x) => tf.sum(tf.mul(ex.expand(x as tf.Tensor2D), w)))(v));
    expect(prof.kernels.map((k) => k.name)).not.toContain('GatherV2');
    ex.dispose();
  });
});

describe('GRASP', () => {
  it("computes linear((x − β̂)/γ̂) on each Site's input", async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const adapter = attachMethod(model, 'grasp', { k: 3, sites: 'encoder.layer.0.attention.self.query', seed: 9 }, new Rng(0));
    const [scale, shift] = adapter.trainable();
    scale.variable.assign(tf.tensor1d([0.5, 2, -1.5]));
    shift.variable.assign(tf.tensor1d([0.1, -0.2, 0.3]));
    const site = model.sites.get('encoder.layer.0.attention.self.query')!;
    const x = tf.tensor2d(new Rng(1, 'x').fillNormal(new Float32Array(4 * 16)), [4, 16]);
    const g = makeGrouping(16, 3, new Rng(9, 'grouping/encoder.layer.0.attention.self.query/in'));
    const gam = expandArray([0.5, 2, -1.5], g), bet = expandArray([0.1, -0.2, 0.3], g);
    const xd = x.dataSync();
    const xt = tf.tensor2d(xd.map((v, i) => (v - bet[i % 16]) / gam[i % 16]), [4, 16]);
    const ref = linear(xt, site.weightTensor(), site.bias());
    expect(maxAbsDiff(site.forward(x).dataSync(), ref.dataSync())).toBeLessThan(1e-5);
    adapter.detach();
    model.dispose();
  });

  it('hands its transform to an inner hook as the transformed input (Site.forward applies it before that hook)', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const model = tinyModel();
      const name = 'encoder.layer.0.attention.self.query';
      const adapter = attachMethod(model, 'grasp', { k: 4, sites: name, seed: 3 }, new Rng(0));
      const [scale, shift] = adapter.trainable();
      scale.variable.assign(tf.tensor1d([0.5, 2, -1.5, 1.25]));
      shift.variable.assign(tf.tensor1d([0.1, -0.2, 0.3, 0.05]));
      const site = model.sites.get(name)!;
      const x = tf.tensor2d(new Rng(1, 'x').fillNormal(new Float32Array(3 * 16)), [3, 16]);
      const fused = site.forward(x).dataSync().slice();
      // An inner hook that returns its input: it must see x̃ = (x − β̂)/γ̂.
      const seen = site.attach('probe', (h) => h);
      const g = makeGrouping(16, 4, new Rng(3, `grouping/${name}/in`));
      const gam = expandArray([0.5, 2, -1.5, 1.25], g), bet = expandArray([0.1, -0.2, 0.3, 0.05], g);
      const xt = Float32Array.from(x.dataSync(), (v, i) => (v - bet[i % 16]) / gam[i % 16]);
      expect(maxAbsDiff(site.forward(x).dataSync(), xt)).toBeLessThan(1e-5);
      seen();
      // An inner hook that calls the base: the same output as the fused op.
      const doubled = site.attach('probe', (h, next) => tf.mul(next(h), 2));
      expect(maxAbsDiff(site.forward(x).dataSync(), fused.map((v) => 2 * v))).toBeLessThan(1e-5);
      doubled();
      adapter.detach();
      model.dispose();
    }
  });

  it('computes no weight gradient for frozen Sites in the backward pass (kernel profile)', async () => {
    await useBackend('wasm');
    const model = tinyModel();
    const inputs = tinyInputs(2, 3, 7);
    const siteShapes = new Set([...model.sites.values()].filter((s) => s.role !== 'head').map((s) => `${s.inFeatures},${s.outFeatures}`));
    const profileRun = async (method: string, options: Record<string, unknown>) => {
      const adapter = attachMethod(model, method, options, new Rng(0));
      const vars = adapter.trainable().map((t) => t.variable);
      const prof = await tf.profile(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(headLogits(model, inputs))) as tf.Scalar, vars);
        return Object.values(grads);
      });
      adapter.detach();
      const mm = prof.kernels.filter((k) => k.name === 'BatchMatMul');
      return { count: mm.length, weightShaped: mm.filter((k) => siteShapes.has(String(k.outputShapes[0]?.slice(-2)))).length };
    };
    const graspRun = await profileRun('grasp', { k: 4 });
    const fullRun = await profileRun('full', {});
    // Full fine-tuning produces one weight-shaped product per Site (dW = xᵀ·dy); GRASP none.
    expect(graspRun.weightShaped).toBe(0);
    expect(fullRun.weightShaped).toBeGreaterThanOrEqual(12);
    disposeInputs(inputs);
    model.dispose();
  });

  it('merges exactly into W′ = diag(1/γ̂)·W, b′ = b − (β̂/γ̂)·W', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const adapter = attachMethod(model, 'grasp', { k: 2, sites: 'encoder.layer.1.output.dense' }, new Rng(0));
    const [scale, shift] = adapter.trainable();
    scale.variable.assign(tf.tensor1d([2, 4]));
    shift.variable.assign(tf.tensor1d([1, -1]));
    const site = model.sites.get('encoder.layer.1.output.dense')!;
    const W = toFloat32(site.weightTensor()), b = toFloat32(site.bias()!);
    const g = makeGrouping(24, 2, new Rng(0, 'grouping/encoder.layer.1.output.dense/in'));
    const m = adapter.merge().sites.get('encoder.layer.1.output.dense')!;
    const gam = expandArray([2, 4], g), bet = expandArray([1, -1], g);
    for (let i = 0; i < 24; i++) for (let j = 0; j < 16; j++) expect(m.weight[i * 16 + j]).toBeCloseTo(W[i * 16 + j] / gam[i], 6);
    for (let j = 0; j < 16; j++) {
      let s = b[j];
      for (let i = 0; i < 24; i++) s -= (bet[i] / gam[i]) * W[i * 16 + j];
      expect(m.bias![j]).toBeCloseTo(s, 5);
    }
    adapter.detach();
    model.dispose();
  });

  it.each(['all-linear', 'encoder.layer.1.output.dense', 'query,encoder.layer.0.output.dense'])(
    'gives every variable a finite gradient, also when a Site is alone in its input dimension (%s)',
    async (sites) => {
      for (const backend of ['cpu', 'wasm'] as const) {
        await useBackend(backend);
        const model = tinyModel();
        const inputs = tinyInputs();
        const adapter = attachMethod(model, 'grasp', { k: 4, sites }, new Rng(0));
        const vars = adapter.trainable().map((t) => t.variable);
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(headLogits(model, inputs))) as tf.Scalar, vars);
        expect(Object.keys(grads)).toHaveLength(vars.length);
        for (const g of Object.values(grads)) expect(toFloat32(g).every(Number.isFinite)).toBe(true);
        expect(Object.values(grads).some((g) => toFloat32(g).some((v) => v !== 0))).toBe(true);
        tf.dispose(Object.values(grads));
        adapter.detach();
        disposeInputs(inputs);
        model.dispose();
      }
    },
  );
});
