/**
 * The evaluate phase of a generation task: decode every MR of the reported split, score the corpus.
 *
 *   prompts   `<MR> ||` (train/generation-trainer.ts `generationPrompt`), cut from the left so that
 *             prompt + maxNewTokens fits the model's positions
 *   decode    src/generate's Generator (greedy when numBeams = 1, else beam search), `batchSize` MRs
 *             at a time in evaluation-set order, through whatever the Sites are at that moment
 *             (merged and perturbed weights, or a chip's AnalogLinear)
 *   text      the new tokens up to eos, decoded without special tokens, trimmed
 *   score     nlgScores (src/eval/nlg): BLEU, NIST, METEOR, ROUGE_L, CIDEr, scaled as e2e-metrics
 *             prints them
 *
 * The row keeps every hypothesis (`hypotheses`) in evaluation-set order and the MR ids (`items`), so
 * reports recompute corpus metrics on bootstrap resamples of MRs, paired across methods
 * (src/report/generation-table.ts). Nothing here is random: chip read noise and injected weight
 * noise come from the streams of the row's seeds, set up by evaluate.ts.
 */
import type { Example } from '../data/index.js';
import { nlgScores, type NlgMetricName } from '../eval/nlg/index.js';
import { Generator, type GenerationOptions } from '../generate/index.js';
import type { Model } from '../model/index.js';
import { promptIds, type GenerationTokenizer } from '../train/index.js';
import type { Experiment } from './schema.js';

export interface DecodingSettings {
  numBeams: number;
  maxNewTokens: number;
  lengthPenalty: number;
  noRepeatNgramSize: number;
  earlyStopping: boolean;
  batchSize: number;
}

export const DEFAULT_DECODING: DecodingSettings = { numBeams: 1, maxNewTokens: 48, lengthPenalty: 1, noRepeatNgramSize: 0, earlyStopping: false, batchSize: 16 };

export function decodingOf(exp: Experiment): DecodingSettings {
  return { ...DEFAULT_DECODING, ...(exp.evaluation.decoding ?? {}) };
}

export interface GenerationScores {
  hypotheses: string[];
  metrics: Record<NlgMetricName, number>;
  /** Generated tokens (eos included) over all MRs. */
  generatedTokens: number;
}

/** Decodes each example's MR with `model` and scores the hypotheses against its references. */
export function decodeAndScore(model: Model, tokenizer: GenerationTokenizer, examples: readonly Example[], d: DecodingSettings): GenerationScores {
  const positions = model.config.maxPositions;
  if (d.maxNewTokens >= positions) throw new Error(`evaluation.decoding.maxNewTokens ${d.maxNewTokens} leaves no room for the MR in the model's ${positions} positions; lower it`);
  const prompts = examples.map((e) => promptIds(tokenizer, e, positions - d.maxNewTokens));
  const options: GenerationOptions = {
    maxNewTokens: d.maxNewTokens, numBeams: d.numBeams, lengthPenalty: d.lengthPenalty, noRepeatNgramSize: d.noRepeatNgramSize, earlyStopping: d.earlyStopping,
  };
  const generator = new Generator(model);
  const hypotheses: string[] = [];
  let generatedTokens = 0;
  try {
    for (let s = 0; s < prompts.length; s += d.batchSize) {
      const out = generator.generate(prompts.slice(s, s + d.batchSize), options);
      for (const t of out.tokens) {
        generatedTokens += t.length;
        hypotheses.push(tokenizer.decode(t, { skipSpecialTokens: true }).trim());
      }
    }
  } finally {
    generator.dispose();
  }
  const refs = examples.map((e, i) => {
    if (!e.references?.length) throw new Error(`evaluation example /${i} (${e.source ?? e.input}) has no references to score against`);
    return e.references;
  });
  return { hypotheses, metrics: nlgScores(hypotheses, refs), generatedTokens };
}
