/**
 * TransformerConfig: a Hugging Face `config.json` normalised to one shape for BERT, RoBERTa and
 * GPT-2, validated at the boundary.
 *
 *   parse:      raw JSON object → TransformerConfig (every error names the file and the field)
 *   serialise:  TransformerConfig → JSON object in the architecture's own field names
 *               (unknown fields of the original file are kept, so a save round-trips)
 *
 * Field names follow `transformers`: BERT/RoBERTa `hidden_size`, `num_hidden_layers`, …;
 * GPT-2 `n_embd`, `n_layer`, `n_head`, `n_positions`, `n_inner`, `layer_norm_epsilon`,
 * `activation_function`. Fields that `transformers` defaults are defaulted the same way here; the
 * shape-defining ones (vocabulary, width, depth, heads, positions) are required.
 */
import type { Architecture, Family } from './types.js';

/** Activations a block may use; names as in `transformers.activations.ACT2FN`. */
export type HiddenAct = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'gelu_fast' | 'relu' | 'silu' | 'swish' | 'tanh';
export const HIDDEN_ACTS: readonly HiddenAct[] = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'relu', 'silu', 'swish', 'tanh'];

export type ProblemType = 'regression' | 'single_label_classification' | 'multi_label_classification';
const PROBLEM_TYPES: readonly ProblemType[] = ['regression', 'single_label_classification', 'multi_label_classification'];

export interface TransformerConfig {
  architecture: Architecture;
  family: Family;
  /** `model_type` as written in the file (e.g. 'xlm-roberta' for architecture 'roberta'). */
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Width of the feed-forward layer (GPT-2: `n_inner`, default 4·hidden). */
  intermediateSize: number;
  /** Rows of the position-embedding table (RoBERTa reserves pad_token_id + 1 of them). */
  maxPositions: number;
  /** Rows of the token-type table (0 for GPT-2, which has none). */
  typeVocabSize: number;
  layerNormEps: number;
  /** Padding id (RoBERTa's position offset depends on it); null when the config has none. */
  padTokenId: number | null;
  bosTokenId: number | null;
  eosTokenId: number | null;
  hiddenAct: HiddenAct;
  /** Dropout after embeddings (GPT-2 `embd_pdrop`; BERT/RoBERTa `hidden_dropout_prob`). */
  embeddingDropout: number;
  /** Dropout on residual branches (GPT-2 `resid_pdrop`; BERT/RoBERTa `hidden_dropout_prob`). */
  hiddenDropout: number;
  /** Dropout on attention probabilities. */
  attentionDropout: number;
  /** Classification-head dropout (`classifier_dropout`, or `summary_first_dropout` for GPT-2); null → hiddenDropout. */
  classifierDropout: number | null;
  /** GPT-2 only: scale scores by 1/√head_dim (`scale_attn_weights`, default true). */
  scaleAttnWeights: boolean;
  /** GPT-2 only: further scale scores by 1/(layer index + 1). */
  scaleAttnByInverseLayerIdx: boolean;
  tieWordEmbeddings: boolean;
  /** Standard deviation of the normal initialisation (`initializer_range`, default 0.02). */
  initializerRange: number;
  /** Labels of a classification head (from `num_labels` / `id2label`); undefined when the file has none. */
  numLabels?: number;
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
  problemType?: ProblemType;
  /** `architectures` as written (e.g. ['RobertaForMaskedLM']). */
  architectures?: string[];
  /** The original JSON object, kept so that saving writes back the fields this type does not model. */
  raw: Readonly<Record<string, unknown>>;
  /** Where the config came from, for error messages ('config.json' or a path). */
  source: string;
}

/** model_type → architecture. XLM-R and CamemBERT are RoBERTa with another vocabulary. */
const MODEL_TYPES: Record<string, Architecture> = {
  roberta: 'roberta',
  'xlm-roberta': 'roberta',
  camembert: 'roberta',
  bert: 'bert',
  gpt2: 'gpt2',
};

/** Class-name prefixes in `architectures`, used when `model_type` is absent. */
const ARCH_PREFIXES: [string, Architecture][] = [
  ['XLMRoberta', 'roberta'], ['Camembert', 'roberta'], ['Roberta', 'roberta'], ['Bert', 'bert'], ['GPT2', 'gpt2'],
];

export const SUPPORTED_MODEL_TYPES = Object.keys(MODEL_TYPES);

/** Reads typed fields from the raw object; every failure names the file and the field. */
class FieldReader {
  constructor(private readonly raw: Record<string, unknown>, private readonly source: string) {}

  fail(field: string, expected: string, got?: unknown): never {
    const shown = got === undefined ? 'it is missing' : `got ${JSON.stringify(got)}`;
    throw new Error(`${this.source}: field '${field}' must be ${expected}; ${shown}`);
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  int(field: string, opts: { min?: number; fallback?: number } = {}): number {
    const v = this.raw[field];
    const min = opts.min ?? 1;
    const what = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    if (v === undefined || v === null) {
      if (opts.fallback !== undefined) return opts.fallback;
      this.fail(field, what);
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.fail(field, what, v);
    return v;
  }

  /** An integer under the first of `fields` present. */
  intOf(fields: string[], opts: { min?: number; fallback?: number } = {}): number {
    const f = fields.find((k) => this.has(k));
    if (f === undefined && opts.fallback === undefined) {
      this.fail(fields.join("' or '"), opts.min === 0 ? 'a non-negative integer' : 'a positive integer');
    }
    return this.int(f ?? fields[0], opts);
  }

  optionalId(field: string, fallback: number | null): number | null {
    if (!(field in this.raw)) return fallback;
    const v = this.raw[field];
    if (v === null) return null;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x))) return v[0] as number;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(field, 'a non-negative integer or null', v);
    return v;
  }

  prob(field: string, fallback: number): number {
    const v = this.raw[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) this.fail(field, 'a probability in [0, 1)', v);
    return v;
  }

  positive(field: string, fallback: number): number {
    const v = this.raw[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) this.fail(field, 'a positive number', v);
    return v;
  }

  bool(field: string, fallback: boolean): boolean {
    const v = this.raw[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(field, 'true or false', v);
    return v;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(field, `one of ${allowed.join(', ')}`, v);
    return v as T;
  }
}

function detectArchitecture(raw: Record<string, unknown>, source: string): { architecture: Architecture; modelType: string } {
  const mt = raw.model_type;
  if (mt !== undefined) {
    if (typeof mt !== 'string') throw new Error(`${source}: field 'model_type' must be a string; got ${JSON.stringify(mt)}`);
    const a = MODEL_TYPES[mt];
    if (!a) {
      throw new Error(`${source}: model_type '${mt}' is not supported; supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')}`);
    }
    return { architecture: a, modelType: mt };
  }
  const archs = raw.architectures;
  if (Array.isArray(archs)) {
    for (const name of archs) {
      const hit = ARCH_PREFIXES.find(([p]) => typeof name === 'string' && name.startsWith(p));
      if (hit) return { architecture: hit[1], modelType: hit[1] };
    }
    throw new Error(
      `${source}: field 'model_type' is missing and architectures ${JSON.stringify(archs)} name no supported class ` +
        `(supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')})`,
    );
  }
  throw new Error(`${source}: field 'model_type' is missing; expected one of ${SUPPORTED_MODEL_TYPES.join(', ')}`);
}

function labels(r: FieldReader, raw: Record<string, unknown>, source: string): Pick<TransformerConfig, 'numLabels' | 'id2label' | 'label2id' | 'problemType'> {
  const out: Pick<TransformerConfig, 'numLabels' | 'id2label' | 'label2id' | 'problemType'> = {};
  if (raw.id2label !== undefined) {
    const m = raw.id2label;
    if (typeof m !== 'object' || m === null || Array.isArray(m) || !Object.values(m).every((v) => typeof v === 'string')) {
      r.fail('id2label', 'an object mapping label index to label name', m);
    }
    out.id2label = { ...(m as Record<string, string>) };
  }
  if (raw.label2id !== undefined) {
    const m = raw.label2id;
    if (typeof m !== 'object' || m === null || Array.isArray(m) || !Object.values(m).every((v) => Number.isInteger(v))) {
      r.fail('label2id', 'an object mapping label name to label index', m);
    }
    out.label2id = { ...(m as Record<string, number>) };
  }
  if (r.has('num_labels')) out.numLabels = r.int('num_labels');
  else if (out.id2label) out.numLabels = Object.keys(out.id2label).length;
  if (out.id2label && out.numLabels !== undefined && Object.keys(out.id2label).length !== out.numLabels) {
    throw new Error(`${source}: num_labels is ${out.numLabels} but id2label has ${Object.keys(out.id2label).length} entries`);
  }
  if (r.has('problem_type')) out.problemType = r.oneOf('problem_type', PROBLEM_TYPES, 'single_label_classification');
  return out;
}

/**
 * Parses a Hugging Face config.json object. `source` names the file in errors.
 * Throws on a missing or mistyped shape field, an unknown model_type, an activation or attention
 * variant this implementation does not have, or a hidden size not divisible by the head count.
 */
export function parseConfig(json: unknown, source = 'config.json'): TransformerConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${source}: expected a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`);
  }
  const raw = json as Record<string, unknown>;
  const r = new FieldReader(raw, source);
  const { architecture, modelType } = detectArchitecture(raw, source);
  const archs = Array.isArray(raw.architectures) ? raw.architectures.filter((x): x is string => typeof x === 'string') : undefined;
  let cfg: TransformerConfig;
  if (architecture === 'gpt2') {
    const hiddenSize = r.intOf(['n_embd', 'hidden_size']);
    const pdrop = r.prob('resid_pdrop', 0.1);
    cfg = {
      architecture, family: 'decoder', modelType,
      vocabSize: r.int('vocab_size'),
      hiddenSize,
      numLayers: r.intOf(['n_layer', 'num_hidden_layers']),
      numHeads: r.intOf(['n_head', 'num_attention_heads']),
      intermediateSize: r.has('n_inner') ? r.int('n_inner') : 4 * hiddenSize,
      maxPositions: r.intOf(['n_positions', 'max_position_embeddings']),
      typeVocabSize: 0,
      layerNormEps: r.positive('layer_norm_epsilon', 1e-5),
      padTokenId: r.optionalId('pad_token_id', null),
      bosTokenId: r.optionalId('bos_token_id', 50256),
      eosTokenId: r.optionalId('eos_token_id', 50256),
      hiddenAct: r.oneOf('activation_function', HIDDEN_ACTS, 'gelu_new'),
      embeddingDropout: r.prob('embd_pdrop', 0.1),
      hiddenDropout: pdrop,
      attentionDropout: r.prob('attn_pdrop', 0.1),
      classifierDropout: r.has('summary_first_dropout') ? r.prob('summary_first_dropout', 0.1) : null,
      scaleAttnWeights: r.bool('scale_attn_weights', true),
      scaleAttnByInverseLayerIdx: r.bool('scale_attn_by_inverse_layer_idx', false),
      tieWordEmbeddings: r.bool('tie_word_embeddings', true),
      initializerRange: r.positive('initializer_range', 0.02),
      raw: { ...raw }, source,
    };
    // reorder_and_upcast_attn only changes the op order in half precision; float32 is unaffected.
  } else {
    const hd = r.prob('hidden_dropout_prob', 0.1);
    const pet = raw.position_embedding_type;
    if (pet !== undefined && pet !== null && pet !== 'absolute') {
      r.fail('position_embedding_type', "'absolute' (relative position embeddings are not implemented)", pet);
    }
    if (r.bool('is_decoder', false) || r.bool('add_cross_attention', false)) {
      throw new Error(`${source}: is_decoder / add_cross_attention are not supported; grasp-hil loads ${architecture} as an encoder`);
    }
    cfg = {
      architecture, family: 'encoder', modelType,
      vocabSize: r.int('vocab_size'),
      hiddenSize: r.int('hidden_size'),
      numLayers: r.int('num_hidden_layers'),
      numHeads: r.int('num_attention_heads'),
      intermediateSize: r.int('intermediate_size'),
      maxPositions: r.int('max_position_embeddings'),
      typeVocabSize: r.int('type_vocab_size', { min: 1, fallback: 2 }),
      layerNormEps: r.positive('layer_norm_eps', 1e-12),
      padTokenId: r.optionalId('pad_token_id', architecture === 'roberta' ? 1 : 0),
      bosTokenId: r.optionalId('bos_token_id', architecture === 'roberta' ? 0 : null),
      eosTokenId: r.optionalId('eos_token_id', architecture === 'roberta' ? 2 : null),
      hiddenAct: r.oneOf('hidden_act', HIDDEN_ACTS, 'gelu'),
      embeddingDropout: hd,
      hiddenDropout: hd,
      attentionDropout: r.prob('attention_probs_dropout_prob', 0.1),
      classifierDropout: r.has('classifier_dropout') ? r.prob('classifier_dropout', 0.1) : null,
      scaleAttnWeights: true,
      scaleAttnByInverseLayerIdx: false,
      tieWordEmbeddings: r.bool('tie_word_embeddings', true),
      initializerRange: r.positive('initializer_range', 0.02),
      raw: { ...raw }, source,
    };
  }
  if (cfg.hiddenSize % cfg.numHeads !== 0) {
    const [h, n] = architecture === 'gpt2' ? ['n_embd', 'n_head'] : ['hidden_size', 'num_attention_heads'];
    throw new Error(`${source}: ${h} ${cfg.hiddenSize} is not divisible by ${n} ${cfg.numHeads}; each head needs an equal share`);
  }
  if (cfg.padTokenId !== null && cfg.padTokenId >= cfg.vocabSize) {
    throw new Error(`${source}: pad_token_id ${cfg.padTokenId} is outside the vocabulary [0, ${cfg.vocabSize})`);
  }
  if (architecture === 'roberta') {
    const pad = cfg.padTokenId ?? r.fail('pad_token_id', 'an integer (RoBERTa position ids are offset by it)', null);
    if (cfg.maxPositions <= pad + 1) {
      throw new Error(`${source}: max_position_embeddings ${cfg.maxPositions} leaves no positions after RoBERTa's offset pad_token_id + 1 = ${pad + 1}`);
    }
  }
  if (archs) cfg.architectures = archs;
  Object.assign(cfg, labels(r, raw, source));
  return cfg;
}

/** Size of one attention head. */
export function headDim(config: TransformerConfig): number {
  return config.hiddenSize / config.numHeads;
}

/** Longest input the position table allows (RoBERTa loses pad_token_id + 1 rows to its offset). */
export function maxSequenceLength(config: TransformerConfig): number {
  return config.architecture === 'roberta' ? config.maxPositions - (config.padTokenId ?? 0) - 1 : config.maxPositions;
}

/** The number of labels a classification head gets: the config's, or 2 as in `transformers`. */
export function labelCount(config: TransformerConfig): number {
  return config.numLabels ?? 2;
}

/**
 * Serialises to a config.json object in the architecture's field names, starting from the fields
 * of the original file (so unknown fields survive a load → save).
 */
export function configToJson(config: TransformerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config.raw };
  out.model_type = config.modelType;
  if (config.architectures) out.architectures = [...config.architectures];
  if (config.architecture === 'gpt2') {
    Object.assign(out, {
      vocab_size: config.vocabSize,
      n_embd: config.hiddenSize,
      n_layer: config.numLayers,
      n_head: config.numHeads,
      n_inner: config.intermediateSize === 4 * config.hiddenSize && (config.raw.n_inner ?? null) === null ? null : config.intermediateSize,
      n_positions: config.maxPositions,
      layer_norm_epsilon: config.layerNormEps,
      activation_function: config.hiddenAct,
      embd_pdrop: config.embeddingDropout,
      resid_pdrop: config.hiddenDropout,
      attn_pdrop: config.attentionDropout,
      scale_attn_weights: config.scaleAttnWeights,
      scale_attn_by_inverse_layer_idx: config.scaleAttnByInverseLayerIdx,
      bos_token_id: config.bosTokenId,
      eos_token_id: config.eosTokenId,
    });
    if (config.classifierDropout !== null) out.summary_first_dropout = config.classifierDropout;
  } else {
    Object.assign(out, {
      vocab_size: config.vocabSize,
      hidden_size: config.hiddenSize,
      num_hidden_layers: config.numLayers,
      num_attention_heads: config.numHeads,
      intermediate_size: config.intermediateSize,
      max_position_embeddings: config.maxPositions,
      type_vocab_size: config.typeVocabSize,
      layer_norm_eps: config.layerNormEps,
      hidden_act: config.hiddenAct,
      hidden_dropout_prob: config.hiddenDropout,
      attention_probs_dropout_prob: config.attentionDropout,
      classifier_dropout: config.classifierDropout,
      bos_token_id: config.bosTokenId,
      eos_token_id: config.eosTokenId,
    });
  }
  if (config.padTokenId !== null || 'pad_token_id' in config.raw) out.pad_token_id = config.padTokenId;
  out.initializer_range = config.initializerRange;
  if (config.tieWordEmbeddings !== true || 'tie_word_embeddings' in config.raw) out.tie_word_embeddings = config.tieWordEmbeddings;
  if (config.numLabels !== undefined) {
    const id2label = config.id2label ?? Object.fromEntries(Array.from({ length: config.numLabels }, (_, i) => [String(i), `LABEL_${i}`]));
    out.id2label = id2label;
    out.label2id = config.label2id ?? Object.fromEntries(Object.entries(id2label).map(([k, v]) => [v, Number(k)]));
    if ('num_labels' in config.raw) out.num_labels = config.numLabels;
  }
  if (config.problemType !== undefined) out.problem_type = config.problemType;
  return out;
}

/** Options for `tinyConfig`: every shape field of a config, for tests and examples. */
export interface TinyConfigOptions {
  architecture: Architecture;
  vocabSize?: number;
  hiddenSize?: number;
  numLayers?: number;
  numHeads?: number;
  intermediateSize?: number;
  maxPositions?: number;
  numLabels?: number;
}

/** A small config in Hugging Face form (defaults: vocab 100, hidden 32, 2 layers, 4 heads, ffn 64, 40 positions). */
export function tinyConfig(o: TinyConfigOptions): TransformerConfig {
  const v = o.vocabSize ?? 100, h = o.hiddenSize ?? 32, l = o.numLayers ?? 2, n = o.numHeads ?? 4;
  const ff = o.intermediateSize ?? 2 * h, p = o.maxPositions ?? 40;
  const raw: Record<string, unknown> = o.architecture === 'gpt2'
    ? { model_type: 'gpt2', vocab_size: v, n_embd: h, n_layer: l, n_head: n, n_inner: ff, n_positions: p, bos_token_id: v - 1, eos_token_id: v - 1 }
    : { model_type: o.architecture, vocab_size: v, hidden_size: h, num_hidden_layers: l, num_attention_heads: n, intermediate_size: ff,
        max_position_embeddings: p, type_vocab_size: o.architecture === 'roberta' ? 1 : 2, pad_token_id: o.architecture === 'roberta' ? 1 : 0,
        layer_norm_eps: o.architecture === 'roberta' ? 1e-5 : 1e-12 };
  if (o.numLabels !== undefined) raw.num_labels = o.numLabels;
  return parseConfig(raw, `tinyConfig(${o.architecture})`);
}
