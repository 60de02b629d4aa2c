import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, parseSiteSelector, selectSites, tinyConfig, type Model } from '../../src/model/index.js';
import { Rng } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

let enc: Model, dec: Model;
beforeAll(async () => {
  await useBackend('cpu');
  enc = createModel(tinyConfig({ architecture: 'roberta', numLayers: 2 }), new Rng(1), { head: 'sequence-classification' });
  dec = createModel(tinyConfig({ architecture: 'gpt2', numLayers: 2 }), new Rng(1), { head: 'sequence-classification' });
});
afterAll(() => {
  enc.dispose();
  dec.dispose();
});
const names = (m: Model, s: Parameters<typeof selectSites>[1]) => selectSites(m, s).map((x) => x.name);
const tails = (m: Model, s: Parameters<typeof selectSites>[1]) => [...new Set(names(m, s).map((n) => n.replace(/^(encoder\.layer|h)\.\d+\./, '')))];

describe('selectSites', () => {
  it('presets on the encoder', () => {
    expect(tails(enc, { preset: 'all-linear' })).toEqual([
      'attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense', 'intermediate.dense', 'output.dense',
    ]);
    expect(names(enc, { preset: 'all-linear' })).toHaveLength(12);
    expect(tails(enc, { preset: 'kvff2' })).toEqual(['attention.self.key', 'attention.self.value', 'output.dense']);
    expect(names(enc, { preset: 'ff2' })).toEqual(['encoder.layer.0.output.dense', 'encoder.layer.1.output.dense']);
    expect(tails(enc, { preset: 'qv' })).toEqual(['attention.self.query', 'attention.self.value']);
    expect(tails(enc, { preset: 'attention' })).toHaveLength(4);
    expect(tails(enc, { preset: 'ffn' })).toEqual(['intermediate.dense', 'output.dense']);
    expect(names(enc, { preset: 'none' })).toEqual([]);
  });

  it('presets on GPT-2', () => {
    expect(tails(dec, 'all-linear')).toEqual(['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj']);
    expect(tails(dec, 'kvff2')).toEqual(['attn.c_attn', 'mlp.c_proj']);
    expect(tails(dec, 'ff2')).toEqual(['mlp.c_proj']);
    expect(tails(dec, 'qv')).toEqual(['attn.c_attn']);
  });

  it('suffixes match at a dot boundary, as PEFT target_modules do; heads only when asked', () => {
    expect(tails(enc, 'output.dense')).toEqual(['attention.output.dense', 'output.dense']);
    expect(tails(enc, 'query,value')).toEqual(['attention.self.query', 'attention.self.value']);
  });

  it('regex, names and heads', () => {
    expect(names(enc, '/layer\\.1\\..*query/')).toEqual(['encoder.layer.1.attention.self.query']);
    expect(names(enc, { names: ['classifier.dense'] })).toEqual(['classifier.dense']);
    expect(names(enc, 'ff2+heads')).toEqual(['encoder.layer.0.output.dense', 'encoder.layer.1.output.dense']);
    expect(names(enc, { suffixes: ['dense'], includeHeads: true }).filter((n) => n.startsWith('classifier'))).toEqual(['classifier.dense']);
    expect(names(enc, { suffixes: ['dense'] }).some((n) => n.startsWith('classifier'))).toBe(false);
  });

  it('parses text selectors', () => {
    expect(parseSiteSelector('all-linear')).toEqual({ preset: 'all-linear' });
    expect(parseSiteSelector('/attention/')).toEqual({ regex: 'attention' });
    expect(parseSiteSelector('qv, output.dense')).toEqual({ preset: 'qv', suffixes: ['output.dense'] });
    expect(parseSiteSelector('ff2+heads')).toEqual({ preset: 'ff2', includeHeads: true });
    expect(() => parseSiteSelector('')).toThrow('is empty');
    expect(() => parseSiteSelector('/(/')).toThrow('invalid regular expression');
    expect(() => parseSiteSelector('qv,ff2')).toThrow('two presets');
    expect(() => parseSiteSelector('out put')).toThrow("cannot read 'out put'");
  });

  it('a selector matching nothing lists the Sites, folded by block', () => {
    expect(() => selectSites(enc, 'c_proj')).toThrow(
      "site selector suffix 'c_proj' matched no Site; Sites: encoder.layer.*.attention.self.query, encoder.layer.*.attention.self.key",
    );
    expect(() => selectSites(dec, { names: ['h.9.mlp.c_fc'] })).toThrow("no Site named 'h.9.mlp.c_fc'; Sites: h.*.attn.c_attn");
  });
});
