/**
 * `generate`: greedy decoding (numBeams 1) or beam search for a GPT-2 decoder with an LM head, with
 * Hugging Face `generate`'s semantics and a key/value cache.
 *
 *   validate options and prompts (errors name the field) → left-pad prompts → search → HF-shaped rows
 *
 * Prompts are token-id arrays; the result gives HF's `sequences` rows (padded prompt + new tokens,
 * pad after eos) and, per row, just the new tokens through the first eos.
 *
 * `Generator` keeps what several calls share (the transposed output table, projection.ts); call
 * `dispose()` when done. `generate()` is a one-shot Generator. Memory: between steps only the cache's
 * tensors are alive, and they are freed before each call returns.
 */
import { Decoder, type Transformer } from '../model/index.js';
import { beamSearch } from './beam.js';
import { greedySearch } from './greedy.js';
import { padPrompts, resolveOptions, type GenerationOptions } from './options.js';
import { OutputProjection } from './projection.js';
import { stepSource } from './step-source.js';

export interface GenerationResult {
  /** HF's output: [prompts·numReturnSequences] rows of padded prompt + generated tokens (+ pad). */
  sequences: number[][];
  /** Per row, the generated tokens only, through the first eos (eos included). */
  tokens: number[][];
  /** Beam search: HF's sequences_scores (length-penalised log-probability); greedy: null. */
  scores: number[] | null;
  /** Length of the padded prompt at the start of every row of `sequences`. */
  promptLength: number;
}

function asDecoder(model: Transformer): Decoder {
  if (!(model instanceof Decoder)) throw new Error(`generate: needs a GPT-2 decoder, got a ${model.architecture} ${model.family}`);
  if (model.head?.kind !== 'lm') {
    throw new Error("generate: the model has no LM head; load it with { withHead: 'lm' } (GPT2LMHeadModel checkpoints get one automatically)");
  }
  return model;
}

export class Generator {
  readonly model: Decoder;
  private head: OutputProjection | null;

  constructor(model: Transformer) {
    this.model = asDecoder(model);
    this.head = new OutputProjection(this.model);
  }

  generate(prompts: readonly (readonly number[])[], options: GenerationOptions): GenerationResult {
    if (!this.head) throw new Error('Generator: used after dispose(); create a new one');
    const o = resolveOptions(options, this.model.config);
    const { rows, mask } = padPrompts(prompts, o, this.model.config);
    const source = stepSource(this.model, this.head, o.useCache);
    try {
      const out = o.numBeams > 1 ? beamSearch(source, rows, mask, o) : greedySearch(source, rows, mask, o);
      const promptLength = rows[0].length;
      const tokens = out.sequences.map((row) => {
        const gen = row.slice(promptLength);
        const end = o.eosTokenId === null ? -1 : gen.indexOf(o.eosTokenId);
        return end < 0 ? gen : gen.slice(0, end + 1);
      });
      return { sequences: out.sequences, tokens, scores: out.scores, promptLength };
    } finally {
      source.dispose();
    }
  }

  dispose(): void {
    this.head?.dispose();
    this.head = null;
  }
}

/** One-shot generation (a Generator for one call); options and prompts are checked before the table copy. */
export function generate(model: Transformer, prompts: readonly (readonly number[])[], options: GenerationOptions): GenerationResult {
  const decoder = asDecoder(model);
  padPrompts(prompts, resolveOptions(options, decoder.config), decoder.config);
  const g = new Generator(decoder);
  try {
    return g.generate(prompts, options);
  } finally {
    g.dispose();
  }
}
