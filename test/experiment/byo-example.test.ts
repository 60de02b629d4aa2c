/**
 * The shipped bring-your-own example (experiments/byo-example.json): a supplied LoRA adapter
 * (examples/byo/lora-reviews, made by `grasp-hil train`) on models/tiny-roberta named by path and a
 * local task folder (examples/byo/reviews). It passes the full pre-run validation — the model, the
 * task folder and a trial load of the adapter onto the model with its base-weights check — and plans
 * to the rows docs/experiments.md describes, with nothing to train. Quick: nothing is evaluated.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment, plan } from '../../src/experiment/index.js';
import { validateExperiment } from '../../src/experiment/validate.js';
import { initBackend, tf } from '../../src/tensor/index.js';

const file = fileURLToPath(new URL('../../experiments/byo-example.json', import.meta.url));
const adapterDir = fileURLToPath(new URL('../../examples/byo/lora-reviews', import.meta.url));

describe('the shipped bring-your-own example', () => {
  beforeAll(() => initBackend('wasm'));

  it('validates against its model, task folder and adapter, and plans 32 rows with nothing to train', async () => {
    const { experiment } = loadExperiment(file);
    const before = tf.memory().numTensors;
    const { res, inputs, warnings } = await validateExperiment(experiment, file, join(mkdtempSync(join(tmpdir(), 'byo-example-')), experiment.name));
    expect(tf.memory().numTensors).toBe(before);
    expect(warnings).toEqual([]); // the adapter brings its classification head
    expect(res.modelDir).toMatch(/models\/tiny-roberta$/);
    expect(res.task).toMatchObject({ id: 'tsv:reviews', kind: 'classification', labels: ['negative', 'positive'], primaryMetric: 'accuracy' });
    expect([res.data.train.length, res.evalSplit, res.evalExamples.length]).toEqual([320, 'validation', 160]);
    const p = plan(experiment, inputs);
    expect(p.adapters).toEqual([]);
    expect(p.supplied.map((s) => [s.entryId, s.path])).toEqual([['lora-reviews', adapterDir]]);
    const kinds = p.evaluations.reduce<Record<string, number>>((n, e) => ({ ...n, [e.kind]: (n[e.kind] ?? 0) + 1 }), {});
    // params; noise σ = 0 once (no draw), 0.02 and 0.04 × 3 seeds; hardware 4 times × 2 compensation modes × 3 chips
    expect(kinds).toEqual({ params: 1, noise: 7, hardware: 24 });
    const bytes = readdirSync(adapterDir).reduce((n, f) => n + statSync(join(adapterDir, f)).size, 0);
    expect(bytes).toBeLessThan(200 * 1024);
  });
});
