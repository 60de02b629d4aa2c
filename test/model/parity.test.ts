/**
 * Parity with PyTorch: tiny random checkpoints in Hugging Face layout and golden outputs made by
 * scripts/make_fixtures.py with an independent PyTorch forward (nn.TransformerEncoderLayer for the
 * encoder, a hand-written causal block for GPT-2).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel } from '../../src/io/index.js';
import { Encoder, type Model } from '../../src/model/index.js';
import { tensorCount } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;

interface Case {
  name: string;
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  shape: number[];
  last_hidden_state: number[];
  lm_logits: number[];
  classifier_logits?: number[];
  bert_last_hidden_state?: number[];
  bert_pooler_output?: number[];
}

const golden = (dir: string): Case[] => (JSON.parse(readFileSync(`${FIX}${dir}/golden.json`, 'utf8')) as { cases: Case[] }).cases;
const ROBERTA = golden('tiny-roberta-random');
const GPT2 = golden('tiny-gpt2-random');
const TOL = 1e-4;

function inputs(c: Case, withTypes: boolean) {
  return {
    inputIds: tf.tensor2d(c.input_ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(c.attention_mask, undefined, 'float32'),
    ...(withTypes && c.token_type_ids ? { tokenTypeIds: tf.tensor2d(c.token_type_ids, undefined, 'int32') } : {}),
  };
}

function run<T>(model: Model, c: Case, withTypes: boolean, f: (i: ReturnType<typeof inputs>) => T): T {
  const i = inputs(c, withTypes);
  try {
    return f(i);
  } finally {
    tf.dispose(Object.values(i));
  }
}

describe.each(TEST_BACKENDS)('PyTorch parity on %s', (backend) => {
  it('RobertaModel (bare keys, position_ids buffer): last_hidden_state within 1e-4, no leak', async () => {
    await useBackend(backend);
    const model = await loadModel(`${FIX}tiny-roberta-random`);
    expect(model.head).toBeNull();
    for (const c of ROBERTA) {
      const before = tensorCount();
      const got = run(model, c, true, (i) => {
        const y = model.forward(i);
        const d = y.dataSync().slice();
        y.dispose();
        return d;
      });
      expect(tensorCount()).toBe(before);
      expect(got.every(Number.isFinite)).toBe(true);
      expect(maxAbsDiff(got, c.last_hidden_state), c.name).toBeLessThan(TOL);
    }
    model.dispose();
  });

  it('RobertaForMaskedLM layout (roberta. prefix, tied decoder): hidden state and LM logits', async () => {
    await useBackend(backend);
    const model = await loadModel(`${FIX}tiny-roberta-random/masked-lm`);
    expect(model.head?.kind).toBe('lm');
    for (const c of ROBERTA) {
      run(model, c, true, (i) => {
        const h = model.forward(i);
        expect(maxAbsDiff(h.dataSync(), c.last_hidden_state)).toBeLessThan(TOL);
        const logits = model.logits(i);
        expect(logits.shape).toEqual([c.shape[0], c.shape[1], 100]);
        expect(maxAbsDiff(logits.dataSync(), c.lm_logits)).toBeLessThan(TOL);
        tf.dispose([h, logits]);
      });
    }
    model.dispose();
  });

  it('RobertaForSequenceClassification layout: classifier logits with 3 labels', async () => {
    await useBackend(backend);
    const model = await loadModel(`${FIX}tiny-roberta-random/sequence-classification`);
    expect(model.head?.kind).toBe('sequence-classification');
    expect(model.config.id2label).toEqual({ 0: 'negative', 1: 'neutral', 2: 'positive' });
    expect(model.head!.sites.map((s) => s.name)).toEqual(['classifier.dense', 'classifier.out_proj']);
    for (const c of ROBERTA) {
      run(model, c, true, (i) => {
        const logits = model.logits(i);
        expect(logits.shape).toEqual([c.shape[0], 3]);
        expect(maxAbsDiff(logits.dataSync(), c.classifier_logits!)).toBeLessThan(TOL);
        logits.dispose();
      });
    }
    model.dispose();
  });

  it('BertModel with pooler: positions 0..L-1, last_hidden_state and pooler output', async () => {
    await useBackend(backend);
    const model = (await loadModel(`${FIX}tiny-roberta-random/bert`)) as Encoder;
    expect(model.hasPooler).toBe(true);
    expect(model.sites.get('pooler.dense')?.role).toBe('head');
    for (const c of ROBERTA) {
      run(model, c, true, (i) => {
        const h = model.forward(i);
        expect(maxAbsDiff(h.dataSync(), c.bert_last_hidden_state!)).toBeLessThan(TOL);
        const pooled = model.pooled(h);
        expect(maxAbsDiff(pooled.dataSync(), c.bert_pooler_output!)).toBeLessThan(TOL);
        tf.dispose([h, pooled]);
      });
    }
    model.dispose();
  });

  it.each(['', '/lm-head'])('GPT2 layout %s: causal + padding mask, last_hidden_state and tied LM logits', async (sub) => {
    await useBackend(backend);
    const model = await loadModel(`${FIX}tiny-gpt2-random${sub}`, { withHead: 'lm' });
    expect(model.config.intermediateSize).toBe(128);
    for (const c of GPT2) {
      const before = tensorCount();
      run(model, c, false, (i) => {
        const h = model.forward(i);
        expect(maxAbsDiff(h.dataSync(), c.last_hidden_state), c.name).toBeLessThan(TOL);
        const logits = model.logits(i);
        expect(maxAbsDiff(logits.dataSync(), c.lm_logits), c.name).toBeLessThan(TOL);
        tf.dispose([h, logits]);
      });
      expect(tensorCount()).toBe(before);
    }
    model.dispose();
  });
});
