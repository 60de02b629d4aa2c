/**
 * The contract every PEFT method satisfies (PEFT's shared test battery): identity at initialisation,
 * only the method's variables change in a step, merged output equals unmerged, save → load
 * round-trips exactly, outputs finite, parameter count equals the count from the config alone,
 * and the tensor count stays flat across steps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headLogits } from '../../src/model/index.js';
import { applyMerged, attachMethod, countParameters, loadAdapter, saveAdapter, type Adapter } from '../../src/peft/index.js';
import { Rng, tensorCount, tf, toFloat32 } from '../../src/tensor/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';
import { disposeInputs, logits, tinyInputs, tinyModel } from './helpers.js';

const CASES: [string, Record<string, unknown>][] = [
  ['grasp', { k: 4 }],
  ['grasp', { k: 5, variant: 'scale', sites: 'kvff2' }],
  ['grasp', { k: 3, variant: 'shift', sites: 'ff2' }],
  ['stochgrasp', { k: 4 }],
  ['stochgrasp', { k: 4, rows: 'all', sampling: 'weight' }],
  ['stochgrasp', { k: 3, rows: 5, sites: 'kvff2', penalty: 'sum' }],
  ['grasp-weight', { k: 4, rows: 3 }],
  ['lora', { rank: 2 }],
  ['bitfit', {}],
  ['ia3', {}],
  ['red', {}],
  ['full', {}],
  ['top-k', { k: 1 }],
  // Trainable word-embedding rows beside a method (PEFT trainable_token_indices); tinyInputs use ids 3..49.
  ['lora', { rank: 2, trainableTokens: [4, 9, 17, 30] }],
  ['grasp', { k: 4, trainableTokens: [5, 11] }],
];

/** Snapshot of every stored model parameter (not an adapter's view of it) and adapter variable. */
function snapshot(model: ReturnType<typeof tinyModel>, adapter: Adapter): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const n of model.params.names()) out.set(`param:${n}`, toFloat32(model.params.stored(n)).slice());
  for (const t of adapter.trainable()) out.set(`var:${t.key}`, toFloat32(t.variable).slice());
  return out;
}

/** One SGD step on a loss that depends on every logit; returns nothing, keeps no tensors. */
function sgdStep(model: ReturnType<typeof tinyModel>, adapter: Adapter, inputs: ReturnType<typeof tinyInputs>, rng: Rng): void {
  const vars = adapter.trainable().map((t) => t.variable);
  adapter.setMode({ kind: 'train', rng });
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const y = headLogits(model, inputs, { training: false });
      const loss = tf.sum(tf.square(tf.sub(y, 0.3)));
      const p = adapter.penalty?.();
      return (p ? tf.add(loss, p) : loss) as tf.Scalar;
    }, vars);
    for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.05)));
  });
  adapter.setMode({ kind: 'eval' });
}

/** Moves every variable away from its initial value (so merge is not trivially exact). */
function perturb(adapter: Adapter, rng: Rng): void {
  for (const t of adapter.trainable()) {
    const noise = rng.fillNormal(new Float32Array(t.variable.size), 0, 0.1);
    tf.tidy(() => t.variable.assign(tf.add(t.variable, tf.tensor(noise, t.variable.shape))));
  }
}

describe.each([
  ['cpu', 'roberta'],
  ['cpu', 'gpt2'],
  ['wasm', 'roberta'],
] as const)('PEFT contract on %s, %s', (backend, arch) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  const dir = mkdtempSync(join(tmpdir(), `peft-contract-${backend}-${arch}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each(CASES)('%s %j', (method, options) => {
    it('satisfies the contract', async () => {
      const model = tinyModel(arch);
      const inputs = tinyInputs();
      const base = logits(model, inputs);
      // Attach + detach leaves no tensor behind.
      const atStart = tensorCount();
      attachMethod(model, method, options, new Rng(0)).detach();
      expect(tensorCount()).toBe(atStart);
      const rng = new Rng(5, `contract/${method}`);
      const adapter = attachMethod(model, method, options, rng.fork('init'));

      // Identity at initialisation.
      expect(maxAbsDiff(logits(model, inputs), base)).toBeLessThan(1e-6);

      // Parameter count equals the count from the config alone.
      const counted = countParameters(model.config, method, options, 3);
      expect(adapter.parameterCount()).toBe(counted.trainable);
      expect(adapter.parameterCount()).toBeGreaterThan(0);

      // Only the method's variables change; tensor count flat across steps.
      const before = snapshot(model, adapter);
      sgdStep(model, adapter, inputs, rng.fork('step0'));
      const tensors = tensorCount();
      sgdStep(model, adapter, inputs, rng.fork('step1'));
      sgdStep(model, adapter, inputs, rng.fork('step2'));
      expect(tensorCount()).toBe(tensors);
      const after = snapshot(model, adapter);
      const own = new Set(adapter.trainable().map((t) => t.key));
      let changed = 0;
      for (const [k, v] of before) {
        const moved = maxAbsDiff(v, after.get(k)!) > 0;
        const name = k.replace(/^(param|var):/, '');
        if (moved) {
          expect(own.has(name), `${k} changed but is not a variable of ${method}`).toBe(true);
          changed++;
        }
      }
      expect(changed).toBeGreaterThan(0);

      // Outputs finite in training mode (sampling, dropout).
      adapter.setMode({ kind: 'train', rng: rng.fork('finite') });
      const trainOut = logits(model, inputs, { training: true, rng: rng.fork('dropout') });
      adapter.setMode({ kind: 'eval' });
      expect(trainOut.every(Number.isFinite)).toBe(true);

      // Merged output equals unmerged.
      perturb(adapter, rng.fork('perturb'));
      const unmerged = logits(model, inputs);
      expect(maxAbsDiff(unmerged, base)).toBeGreaterThan(1e-4);
      const merged = adapter.merge();
      expect([...merged.sites.keys()].sort()).toEqual([...adapter.sites].sort());
      const state = adapter.state();
      await saveAdapter(join(dir, `${method}-${Object.keys(options).join('-')}`), model, adapter);
      adapter.detach();
      expect(maxAbsDiff(logits(model, inputs), base)).toBe(0);
      const undo = applyMerged(model, merged);
      expect(maxAbsDiff(logits(model, inputs), unmerged)).toBeLessThan(1e-5);
      undo();
      expect(maxAbsDiff(logits(model, inputs), base)).toBe(0);

      // Save → load round-trips exactly.
      const loaded = await loadAdapter(join(dir, `${method}-${Object.keys(options).join('-')}`), model);
      expect(loaded.adapter.method).toBe(method);
      const again = loaded.adapter.state();
      expect([...again.keys()]).toEqual([...state.keys()]);
      for (const [k, t] of state) {
        expect(again.get(k)!.shape, k).toEqual(t.shape);
        expect(maxAbsDiff(again.get(k)!.data, t.data), k).toBe(0);
      }
      expect(maxAbsDiff(logits(model, inputs), unmerged)).toBe(0);
      loaded.adapter.detach();

      disposeInputs(inputs);
      model.dispose();
    });
  });
});
