/**
 * Masked-LM pre-training's loss and every parameter's gradient against PyTorch: float64 autograd of an
 * independent RobertaForMaskedLM forward (scripts/make_mlm_grad_fixtures.py) on a fixed batch with
 * repeated tokens, masked and kept positions. This covers what pre-training differentiates and the
 * model tests do not: the embedding lookups' scatter gradient (repeated ids), the picked-rows gather,
 * the tied decoder (the word embeddings get both gradients), the LM head, LayerNorm and attention.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/index.js';
import { buildModel } from '../../src/model/index.js';
import { Rng, tensorCount, tf } from '../../src/tensor/index.js';
import { mlmLoss } from '../../src/train/mlm.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const FIX = new URL('../fixtures/tiny-roberta-random/', import.meta.url).pathname;

interface Golden {
  input_ids: number[][];
  positions: number[];
  labels: number[];
  loss: number;
  grads: Record<string, { shape: number[]; values: number[] }>;
}

const golden = JSON.parse(readFileSync(`${FIX}mlm-grads.json`, 'utf8')) as Golden;

/** Our [in, out] layout of a Hugging Face tensor: nn.Linear weights are stored transposed. */
function ours(name: string, shape: number[]): Float64Array {
  const g = golden.grads[name] ?? golden.grads[`roberta.${name}`];
  if (!g) throw new Error(`no golden gradient for ${name}`);
  const v = Float64Array.from(g.values);
  if (g.shape.length !== 2 || name.includes('embeddings')) return v;
  const [o, i] = g.shape;
  expect([i, o]).toEqual(shape);
  const t = new Float64Array(v.length);
  for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) t[c * o + r] = v[r * i + c];
  return t;
}

describe('masked-LM gradients against PyTorch', () => {
  it.each(TEST_BACKENDS)('%s: the loss and all 42 parameters\' gradients agree (rel. 1e-4 of each tensor\'s largest entry)', async (backend) => {
    await useBackend(backend);
    const loaded = await loadModel(`${FIX}masked-lm`, { withHead: 'lm' });
    const model = buildModel({ ...loaded.config, embeddingDropout: 0, hiddenDropout: 0, attentionDropout: 0 }, loaded.params, loaded.options);
    const names = model.params.names();
    for (const n of names) model.params.setTrainable(n, true);
    const vars = [...model.params.trainable()];
    expect(vars.length).toBe(42);
    const [B, L] = [golden.input_ids.length, golden.input_ids[0].length];
    const batch = { inputIds: Int32Array.from(golden.input_ids.flat()), rows: B, length: L, positions: Int32Array.from(golden.positions), labels: Int32Array.from(golden.labels) };
    const before = tensorCount();
    const { value, grads } = tf.variableGrads(() => mlmLoss(model, batch, new Rng(0)), vars.map(([, v]) => v));
    expect(value.dataSync()[0]).toBeCloseTo(golden.loss, 5);
    for (const [name, v] of vars) {
      const want = ours(name, v.shape), got = grads[v.name].dataSync();
      let scale = 0, err = 0;
      for (let i = 0; i < want.length; i++) {
        scale = Math.max(scale, Math.abs(want[i]));
        err = Math.max(err, Math.abs(got[i] - want[i]));
      }
      expect(err, `${name}: max |Δ| ${err} against a largest entry of ${scale}`).toBeLessThanOrEqual(1e-4 * scale + 1e-7);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tensorCount()).toBe(before);
    for (const n of names) model.params.setTrainable(n, false);
    model.dispose();
  });
});
