/**
 * The parameter list a config implies: every tensor of a model, by Hugging Face name, with its
 * shape as stored here and as stored in a checkpoint, and how `transformers` initialises it.
 *
 * One list serves three readers: `createModel` initialises from it, the checkpoint loader checks
 * names and shapes against it, and the model constructor builds its Sites from it. Names carry no
 * base-model prefix (`roberta.`, `bert.`, `transformer.`); heads use their own names
 * (`classifier.dense`, `lm_head.dense`, `cls.predictions.transform.dense`, `score`).
 */
import { labelCount, type TransformerConfig } from './config.js';
import type { SiteRole, WeightLayout } from './site.js';
import type { HeadKind } from './types.js';

export type ParamInit =
  | { kind: 'normal'; std: number }
  | { kind: 'zeros' }
  | { kind: 'ones' };

export interface ParamSpec {
  /** Hugging Face name without the base-model prefix. */
  name: string;
  /** Shape in the ParamStore (Site weights [in, out]). */
  shape: number[];
  /** Shape in a checkpoint (nn.Linear [out, in]; Conv1D [in, out]). */
  checkpointShape: number[];
  /** True when the checkpoint holds the transpose of the stored tensor (nn.Linear weights). */
  transposed: boolean;
  init: ParamInit;
  /** Row zeroed at initialisation (an embedding's padding_idx, as nn.Embedding does). */
  zeroRow?: number;
  /** 'base' tensors take the base-model prefix in prefixed checkpoints; 'head' tensors never do. */
  part: 'base' | 'head';
}

export interface SiteSpec {
  name: string;
  role: SiteRole;
  block: number | null;
  layout: WeightLayout;
  hasBias: boolean;
}

export interface ModelSpec {
  params: ParamSpec[];
  sites: SiteSpec[];
}

export interface SpecOptions {
  head?: HeadKind | null;
  /** Include BERT/RoBERTa's `pooler.dense` (implied by a BERT sequence-classification head). */
  pooler?: boolean;
  /** Labels of a classification head; default: the config's, else 2. */
  numLabels?: number;
}

class SpecBuilder {
  readonly params: ParamSpec[] = [];
  readonly sites: SiteSpec[] = [];
  constructor(private readonly std: number) {}

  vector(name: string, n: number, init: ParamInit, part: 'base' | 'head' = 'base'): void {
    this.params.push({ name, shape: [n], checkpointShape: [n], transposed: false, init, part });
  }

  layerNorm(name: string, n: number, part: 'base' | 'head' = 'base'): void {
    this.vector(`${name}.weight`, n, { kind: 'ones' }, part);
    this.vector(`${name}.bias`, n, { kind: 'zeros' }, part);
  }

  embedding(name: string, rows: number, dim: number, zeroRow?: number): void {
    const p: ParamSpec = { name: `${name}.weight`, shape: [rows, dim], checkpointShape: [rows, dim], transposed: false, init: { kind: 'normal', std: this.std }, part: 'base' };
    if (zeroRow !== undefined && zeroRow !== null) p.zeroRow = zeroRow;
    this.params.push(p);
  }

  /** A Site: weight [in, out] (+ bias [out]). */
  site(name: string, role: SiteRole, block: number | null, layout: WeightLayout, inF: number, outF: number,
    opts: { bias?: boolean; std?: number; part?: 'base' | 'head' } = {}): void {
    const hasBias = opts.bias ?? true;
    const part = opts.part ?? (role === 'head' ? 'head' : 'base');
    const transposed = layout === 'linear';
    this.params.push({
      name: `${name}.weight`, shape: [inF, outF], checkpointShape: transposed ? [outF, inF] : [inF, outF], transposed,
      init: { kind: 'normal', std: opts.std ?? this.std }, part,
    });
    if (hasBias) this.vector(`${name}.bias`, outF, { kind: 'zeros' }, part);
    this.sites.push({ name, role, block, layout, hasBias });
  }
}

function encoderSpec(c: TransformerConfig, o: SpecOptions): ModelSpec {
  const b = new SpecBuilder(c.initializerRange);
  const H = c.hiddenSize, F = c.intermediateSize;
  const pad = c.padTokenId ?? undefined;
  b.embedding('embeddings.word_embeddings', c.vocabSize, H, pad);
  b.embedding('embeddings.position_embeddings', c.maxPositions, H, c.architecture === 'roberta' ? pad : undefined);
  b.embedding('embeddings.token_type_embeddings', c.typeVocabSize, H);
  b.layerNorm('embeddings.LayerNorm', H);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `encoder.layer.${i}`;
    b.site(`${p}.attention.self.query`, 'query', i, 'linear', H, H);
    b.site(`${p}.attention.self.key`, 'key', i, 'linear', H, H);
    b.site(`${p}.attention.self.value`, 'value', i, 'linear', H, H);
    b.site(`${p}.attention.output.dense`, 'attention.output', i, 'linear', H, H);
    b.layerNorm(`${p}.attention.output.LayerNorm`, H);
    b.site(`${p}.intermediate.dense`, 'intermediate', i, 'linear', H, F);
    b.site(`${p}.output.dense`, 'output', i, 'linear', F, H);
    b.layerNorm(`${p}.output.LayerNorm`, H);
  }
  const head = o.head ?? null;
  const pooler = o.pooler || (head === 'sequence-classification' && c.architecture === 'bert');
  if (pooler) b.site('pooler.dense', 'head', null, 'linear', H, H, { part: 'base' });
  if (head === 'sequence-classification') {
    const n = o.numLabels ?? labelCount(c);
    if (c.architecture === 'roberta') {
      b.site('classifier.dense', 'head', null, 'linear', H, H);
      b.site('classifier.out_proj', 'head', null, 'linear', H, n);
    } else {
      b.site('classifier', 'head', null, 'linear', H, n);
    }
  } else if (head === 'lm') {
    const [dense, ln, bias, decoder] = c.architecture === 'roberta'
      ? ['lm_head.dense', 'lm_head.layer_norm', 'lm_head.bias', 'lm_head.decoder.weight']
      : ['cls.predictions.transform.dense', 'cls.predictions.transform.LayerNorm', 'cls.predictions.bias', 'cls.predictions.decoder.weight'];
    b.site(dense, 'head', null, 'linear', H, H);
    b.layerNorm(ln, H, 'head');
    if (!c.tieWordEmbeddings) {
      b.params.push({ name: decoder, shape: [c.vocabSize, H], checkpointShape: [c.vocabSize, H], transposed: false, init: { kind: 'normal', std: c.initializerRange }, part: 'head' });
    }
    b.vector(bias, c.vocabSize, { kind: 'zeros' }, 'head');
  }
  return { params: b.params, sites: b.sites };
}

function decoderSpec(c: TransformerConfig, o: SpecOptions): ModelSpec {
  const b = new SpecBuilder(c.initializerRange);
  const H = c.hiddenSize, F = c.intermediateSize;
  // GPT-2's init scales residual projections by 1/√(2·n_layer) (modeling_gpt2._init_weights).
  const projStd = c.initializerRange / Math.sqrt(2 * c.numLayers);
  b.embedding('wte', c.vocabSize, H);
  b.embedding('wpe', c.maxPositions, H);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `h.${i}`;
    b.layerNorm(`${p}.ln_1`, H);
    b.site(`${p}.attn.c_attn`, 'c_attn', i, 'conv1d', H, 3 * H);
    b.site(`${p}.attn.c_proj`, 'attn.c_proj', i, 'conv1d', H, H, { std: projStd });
    b.layerNorm(`${p}.ln_2`, H);
    b.site(`${p}.mlp.c_fc`, 'mlp.c_fc', i, 'conv1d', H, F);
    b.site(`${p}.mlp.c_proj`, 'mlp.c_proj', i, 'conv1d', F, H, { std: projStd });
  }
  b.layerNorm('ln_f', H);
  const head = o.head ?? null;
  if (head === 'sequence-classification') {
    b.site('score', 'head', null, 'linear', H, o.numLabels ?? labelCount(c), { bias: false });
  } else if (head === 'lm' && !c.tieWordEmbeddings) {
    b.params.push({ name: 'lm_head.weight', shape: [c.vocabSize, H], checkpointShape: [c.vocabSize, H], transposed: false, init: { kind: 'normal', std: c.initializerRange }, part: 'head' });
  }
  return { params: b.params, sites: b.sites };
}

/** Every parameter and Site a config implies, in checkpoint order (base model, pooler, head). */
export function modelSpec(config: TransformerConfig, options: SpecOptions = {}): ModelSpec {
  return config.family === 'encoder' ? encoderSpec(config, options) : decoderSpec(config, options);
}
