/**
 * Parameter counts from a config alone: the Site shapes and the parameter list come from the
 * config's parameter spec (model/spec.ts), never from tensors, so `grasp-hil params` works for
 * roberta-large or gpt2-medium without their weights.
 *
 * total     the base model's parameters (no task head; BERT's pooler counts when a classification
 *           head implies it, RoBERTa's does not, as in the `transformers` classes)
 * trainable the method's parameters (task head excluded), plus n · hidden for `trainableTokens`
 *           (n ids; `{ fromTargets: N }` counts N, its upper bound)
 * head      the task head's parameters (classification with `labels` outputs; LM heads tied to the
 *           embeddings add only their own layers)
 */
import { checkConfigBounds } from '../io/index.js';
import { modelSpec, type HeadKind, type TransformerConfig } from '../model/index.js';
import { getMethod, type ModelShape, type SiteCount } from './adapter.js';
import { splitTokensOption, tokensParamCount, TOKENS_OPTION } from './trainable-tokens.js';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export interface ShapeOptions {
  /** Task head; default none. */
  head?: HeadKind | null;
  numLabels?: number;
}

/** Base Sites and parameters of a config (heads excluded) and the head's parameter count. */
export function modelShape(config: TransformerConfig, options: ShapeOptions = {}): ModelShape & { headParams: number } {
  checkConfigBounds(config);
  const spec = modelSpec(config, { head: options.head ?? null, ...(options.numLabels !== undefined ? { numLabels: options.numLabels } : {}) });
  const shapes = new Map(spec.params.map((p) => [p.name, p.shape]));
  const base = spec.params.filter((p) => p.part === 'base');
  return {
    architecture: config.architecture,
    numLayers: config.numLayers,
    sites: spec.sites
      .filter((s) => s.role !== 'head')
      .map((s) => {
        const [inFeatures, outFeatures] = shapes.get(`${s.name}.weight`)!;
        return { name: s.name, role: s.role, block: s.block, inFeatures, outFeatures, hasBias: s.hasBias };
      }),
    params: base.map((p) => ({ name: p.name, shape: p.shape })),
    headParams: spec.params.filter((p) => p.part === 'head').reduce((n, p) => n + size(p.shape), 0),
  };
}

export interface ParameterReport {
  method: string;
  trainable: number;
  total: number;
  /** 100 · trainable / total. */
  percent: number;
  head: number;
  sites: SiteCount[];
}

/**
 * Counts a method's parameters for a config. `labels` adds a sequence-classification head (counted
 * apart); without it the head is the LM head for decoders and none for encoders.
 */
export function countParameters(
  config: TransformerConfig,
  method: string,
  options: Readonly<Record<string, unknown>> = {},
  labels?: number,
): ParameterReport {
  const def = getMethod(method);
  const head: HeadKind | null = labels !== undefined ? 'sequence-classification' : config.family === 'decoder' ? 'lm' : null;
  const shape = modelShape(config, { head, ...(labels !== undefined ? { numLabels: labels } : {}) });
  const total = shape.params.reduce((n, p) => n + size(p.shape), 0);
  const { rest, tokens } = splitTokensOption(options, `${def.name}: option '${TOKENS_OPTION}'`);
  const counted = def.count(shape, def.parseOptions(rest));
  const trainable = counted.trainable + tokensParamCount(tokens, config.hiddenSize, config.vocabSize);
  return { method: def.name, trainable, total, percent: (100 * trainable) / total, head: shape.headParams, sites: counted.sites };
}
