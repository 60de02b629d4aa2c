/**
 * Full fine-tuning (every base parameter) and fine-tuning the top k transformer blocks
 * (every parameter of blocks numLayers − k … numLayers − 1; embeddings and the rest frozen).
 */
import type { Transformer } from '../model/index.js';
import { registerMethod, type ModelShape } from './adapter.js';
import { OptionReader } from './options.js';
import { baseParamNames, ParamTuning } from './param-tuning.js';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export const full = registerMethod<Record<string, never>>({
  name: 'full',
  peftType: 'FULL',
  summary: 'Full fine-tuning: every parameter of the base model',
  optionDocs: {},
  parseOptions(raw) {
    new OptionReader('full', raw, {}).finish();
    return {};
  },
  attach: (model) => new ParamTuning('full', model, baseParamNames(model), {}),
  count(shape) {
    const sites = shape.sites.map((s) => ({ site: s.name, params: s.inFeatures * s.outFeatures + (s.hasBias ? s.outFeatures : 0) }));
    return { trainable: shape.params.reduce((n, p) => n + size(p.shape), 0), sites };
  },
});

/** Block index of a parameter name (`encoder.layer.3.…`, `h.3.…`), or null. */
export function blockOf(name: string): number | null {
  const m = /^(?:encoder\.layer|h)\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

export interface TopKOptions {
  /** Number of top blocks to train. */
  k: number;
}

const TOPK_DOCS = { k: 'number of top transformer blocks to train, ≥ 1; default 1' };

function topNames(names: string[], numLayers: number, k: number): string[] {
  if (k > numLayers) throw new Error(`top-k: k = ${k} exceeds the model's ${numLayers} blocks`);
  return names.filter((n) => {
    const b = blockOf(n);
    return b !== null && b >= numLayers - k;
  });
}

export const topK = registerMethod<TopKOptions>({
  name: 'top-k',
  peftType: 'TOP_K',
  summary: 'Fine-tune the top k transformer blocks',
  optionDocs: TOPK_DOCS,
  parseOptions(raw) {
    const r = new OptionReader('top-k', raw, TOPK_DOCS);
    const o = { k: r.int('k', 1, 1) };
    r.finish();
    return o;
  },
  attach: (model: Transformer, o) => new ParamTuning('top-k', model, topNames(baseParamNames(model), model.config.numLayers, o.k), { ...o }),
  count(shape: ModelShape, o) {
    const names = new Set(topNames(shape.params.map((p) => p.name), shape.numLayers, o.k));
    const sites = shape.sites
      .filter((s) => s.block !== null && s.block >= shape.numLayers - o.k)
      .map((s) => ({ site: s.name, params: s.inFeatures * s.outFeatures + (s.hasBias ? s.outFeatures : 0) }));
    return { trainable: shape.params.filter((p) => names.has(p.name)).reduce((n, p) => n + size(p.shape), 0), sites };
  },
});
