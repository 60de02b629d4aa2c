/**
 * Hugging Face checkpoint layouts: how the keys of a `model.safetensors` relate to grasp-hil's
 * parameter names (which are the base model's names without prefix, plus head names).
 *
 *   bare base model        RobertaModel / BertModel / GPT2Model: `embeddings.…`, `encoder.layer.N.…`, `h.N.…`
 *   prefixed with a head   RobertaFor… / BertFor…: `roberta.` / `bert.` + base, head keys unprefixed
 *                          (`classifier.*`, `lm_head.*`, `cls.predictions.*`);
 *                          GPT2LMHeadModel / GPT2ForSequenceClassification: `transformer.` + base,
 *                          `lm_head.weight` (tied to wte), `score.weight`
 *
 * Some keys are not parameters: buffers (`embeddings.position_ids`, `h.N.attn.bias`,
 * `h.N.attn.masked_bias`) and tied copies (`lm_head.decoder.weight` = word embeddings,
 * `lm_head.decoder.bias` = `lm_head.bias`, GPT-2 `lm_head.weight` = `wte.weight`). They are skipped
 * on load; tied copies are remembered so a save writes the same keys back.
 */
import type { Architecture, HeadKind, TransformerConfig } from '../model/index.js';

/** How a checkpoint's keys were laid out, so a save can write the same layout back. */
export interface CheckpointLayout {
  /** Prefix of base-model keys: '', 'roberta.', 'bert.' or 'transformer.'. */
  prefix: string;
  /** Tied copies present in the file (written back as copies of their source). */
  tiedKeys: string[];
}

/** The `base_model_prefix` of each architecture in `transformers`. */
export function basePrefix(arch: Architecture): string {
  return arch === 'gpt2' ? 'transformer.' : `${arch}.`;
}

/** Keys that hold buffers, not parameters (after the prefix is removed). */
export function isBufferKey(name: string): boolean {
  return /^embeddings\.(position_ids|token_type_ids)$/.test(name) || /^h\.\d+\.attn\.(bias|masked_bias)$/.test(name);
}

/** Tied copy key → the parameter it copies (for the config's architecture), or null. */
export function tiedSource(key: string, config: TransformerConfig): string | null {
  if (!config.tieWordEmbeddings) return null;
  switch (config.architecture) {
    case 'roberta':
      return key === 'lm_head.decoder.weight' ? 'embeddings.word_embeddings.weight' : key === 'lm_head.decoder.bias' ? 'lm_head.bias' : null;
    case 'bert':
      return key === 'cls.predictions.decoder.weight' ? 'embeddings.word_embeddings.weight'
        : key === 'cls.predictions.decoder.bias' ? 'cls.predictions.bias' : null;
    case 'gpt2':
      return key === 'lm_head.weight' ? 'wte.weight' : null;
  }
}

/** Key prefixes of each head kind in the architecture's checkpoints. */
function headPrefixes(arch: Architecture): Record<HeadKind, string[]> {
  switch (arch) {
    case 'roberta':
      return { 'sequence-classification': ['classifier.'], lm: ['lm_head.'] };
    case 'bert':
      return { 'sequence-classification': ['classifier.'], lm: ['cls.predictions.'] };
    case 'gpt2':
      return { 'sequence-classification': ['score.'], lm: ['lm_head.'] };
  }
}

/** Head keys of other `transformers` heads (NSP, multiple choice) that grasp-hil does not build. */
const OTHER_HEAD_PREFIXES = ['cls.seq_relationship.', 'multiple_choice_head.', 'qa_outputs.'];

/** Which head kind a (unprefixed) key belongs to, 'other' for heads we do not build, or null for base keys. */
export function headOfKey(key: string, arch: Architecture): HeadKind | 'other' | null {
  const p = headPrefixes(arch);
  for (const kind of ['sequence-classification', 'lm'] as HeadKind[]) if (p[kind].some((x) => key.startsWith(x))) return kind;
  return OTHER_HEAD_PREFIXES.some((x) => key.startsWith(x)) ? 'other' : null;
}

/** The head a config's `architectures` names (e.g. RobertaForMaskedLM → 'lm'), if any. */
export function headFromArchitectures(config: TransformerConfig): HeadKind | null {
  for (const a of config.architectures ?? []) {
    if (a.endsWith('ForSequenceClassification')) return 'sequence-classification';
    if (a.endsWith('ForMaskedLM') || a.endsWith('LMHeadModel') || a.endsWith('ForCausalLM')) return 'lm';
  }
  return null;
}

const CLASS_PREFIX: Record<string, string> = { roberta: 'Roberta', 'xlm-roberta': 'XLMRoberta', camembert: 'Camembert', bert: 'Bert', gpt2: 'GPT2' };

/** The `transformers` class a model with this head is saved as (for config.json `architectures`). */
export function className(config: TransformerConfig, head: HeadKind | null): string {
  const p = CLASS_PREFIX[config.modelType] ?? CLASS_PREFIX[config.architecture];
  if (head === 'sequence-classification') return `${p}ForSequenceClassification`;
  if (head === 'lm') return config.architecture === 'gpt2' ? `${p}LMHeadModel` : `${p}ForMaskedLM`;
  return `${p}Model`;
}

/** Renames legacy LayerNorm keys (`….LayerNorm.gamma` / `.beta`) as `transformers` does on load. */
export function modernKey(key: string): string {
  return key.replace(/(LayerNorm|layer_norm|ln_\w+)\.gamma$/, '$1.weight').replace(/(LayerNorm|layer_norm|ln_\w+)\.beta$/, '$1.bias');
}

/** The layout `transformers` uses when saving a model with this head. */
export function defaultLayout(config: TransformerConfig, head: HeadKind | null): CheckpointLayout {
  return { prefix: head ? basePrefix(config.architecture) : '', tiedKeys: [] };
}
