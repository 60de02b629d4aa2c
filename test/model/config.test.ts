import { describe, expect, it } from 'vitest';
import { configToJson, maxSequenceLength, parseConfig } from '../../src/model/index.js';

const ROBERTA_BASE = {
  architectures: ['RobertaForMaskedLM'], attention_probs_dropout_prob: 0.1, bos_token_id: 0, eos_token_id: 2,
  hidden_act: 'gelu', hidden_dropout_prob: 0.1, hidden_size: 768, initializer_range: 0.02, intermediate_size: 3072,
  layer_norm_eps: 1e-5, max_position_embeddings: 514, model_type: 'roberta', num_attention_heads: 12,
  num_hidden_layers: 12, pad_token_id: 1, type_vocab_size: 1, vocab_size: 50265,
};
const GPT2 = {
  activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], attn_pdrop: 0.1, bos_token_id: 50256,
  embd_pdrop: 0.1, eos_token_id: 50256, initializer_range: 0.02, layer_norm_epsilon: 1e-5, model_type: 'gpt2',
  n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, resid_pdrop: 0.1, vocab_size: 50257,
};

describe('parseConfig', () => {
  it('normalises roberta-base', () => {
    const c = parseConfig(ROBERTA_BASE, 'roberta-base/config.json');
    expect(c).toMatchObject({
      architecture: 'roberta', family: 'encoder', vocabSize: 50265, hiddenSize: 768, numLayers: 12, numHeads: 12,
      intermediateSize: 3072, maxPositions: 514, typeVocabSize: 1, layerNormEps: 1e-5, padTokenId: 1, hiddenAct: 'gelu',
    });
    expect(maxSequenceLength(c)).toBe(512);
    expect(c.numLabels).toBeUndefined();
  });

  it("normalises gpt2's n_* fields, defaulting n_inner to 4·n_embd", () => {
    const c = parseConfig(GPT2);
    expect(c).toMatchObject({
      architecture: 'gpt2', family: 'decoder', hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072,
      maxPositions: 1024, typeVocabSize: 0, layerNormEps: 1e-5, hiddenAct: 'gelu_new', padTokenId: null,
    });
    expect(parseConfig({ ...GPT2, n_inner: 100 }).intermediateSize).toBe(100);
  });

  it('reads labels and problem type; num_labels follows id2label', () => {
    const c = parseConfig({ ...ROBERTA_BASE, id2label: { 0: 'neg', 1: 'pos' }, problem_type: 'single_label_classification' });
    expect(c.numLabels).toBe(2);
    expect(c.problemType).toBe('single_label_classification');
    expect(parseConfig({ ...ROBERTA_BASE, num_labels: 1 }).numLabels).toBe(1);
  });

  it('infers the architecture from `architectures` when model_type is missing', () => {
    const { model_type: _, ...rest } = ROBERTA_BASE;
    expect(parseConfig(rest).architecture).toBe('roberta');
  });

  it('round-trips through configToJson, keeping unknown fields', () => {
    for (const raw of [{ ...ROBERTA_BASE, custom_field: 'kept' }, GPT2]) {
      const c = parseConfig(raw);
      const json = configToJson(c);
      expect(parseConfig(json)).toEqual({ ...c, raw: json });
      if ('custom_field' in raw) expect(json.custom_field).toBe('kept');
    }
  });

  it.each<[unknown, string]>([
    [{ ...ROBERTA_BASE, hidden_size: undefined }, "config.json: field 'hidden_size' must be a positive integer; it is missing"],
    [{ ...ROBERTA_BASE, hidden_size: '768' }, `config.json: field 'hidden_size' must be a positive integer; got "768"`],
    [{ ...ROBERTA_BASE, num_attention_heads: 10 }, 'config.json: hidden_size 768 is not divisible by num_attention_heads 10'],
    [{ ...GPT2, n_head: 5 }, 'n_embd 768 is not divisible by n_head 5'],
    [{ ...GPT2, n_embd: undefined }, "field 'n_embd' or 'hidden_size' must be a positive integer; it is missing"],
    [{ ...ROBERTA_BASE, model_type: 't5' }, "model_type 't5' is not supported; supported model types: roberta, xlm-roberta, camembert, bert, gpt2"],
    [{ ...ROBERTA_BASE, model_type: undefined, architectures: ['T5Model'] }, 'name no supported class'],
    [{ ...ROBERTA_BASE, hidden_act: 'mish' }, "field 'hidden_act' must be one of gelu"],
    [{ ...ROBERTA_BASE, position_embedding_type: 'relative_key' }, "field 'position_embedding_type' must be 'absolute'"],
    [{ ...ROBERTA_BASE, hidden_dropout_prob: 1.5 }, "field 'hidden_dropout_prob' must be a probability in [0, 1)"],
    [{ ...ROBERTA_BASE, pad_token_id: 60000 }, 'pad_token_id 60000 is outside the vocabulary [0, 50265)'],
    [{ ...ROBERTA_BASE, num_labels: 3, id2label: { 0: 'a' } }, 'num_labels is 3 but id2label has 1 entries'],
    [[1, 2], 'config.json: expected a JSON object, got an array'],
  ])('rejects bad config %#: %s', (raw, message) => {
    expect(() => parseConfig(raw, 'config.json')).toThrow(message);
  });
});
