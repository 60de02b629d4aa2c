/**
 * BitFit (Ben Zaken et al. 2022): trains every bias of the base model — each Site's bias and each
 * LayerNorm's β (embeddings included) — and nothing else.
 */
import { registerMethod } from './adapter.js';
import { OptionReader } from './options.js';
import { baseParamNames, ParamTuning } from './param-tuning.js';

const DOCS = {};

const isBias = (name: string) => name.endsWith('.bias');

export const bitfit = registerMethod<Record<string, never>>({
  name: 'bitfit',
  peftType: 'BITFIT',
  summary: 'BitFit: every bias of the base model, LayerNorm β included',
  optionDocs: DOCS,
  parseOptions(raw) {
    new OptionReader('bitfit', raw, DOCS).finish();
    return {};
  },
  attach: (model) => new ParamTuning('bitfit', model, baseParamNames(model).filter(isBias), {}),
  count(shape) {
    const sites = shape.sites.filter((s) => s.hasBias).map((s) => ({ site: s.name, params: s.outFeatures }));
    const trainable = shape.params.filter((p) => isBias(p.name)).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    return { trainable, sites };
  },
});
