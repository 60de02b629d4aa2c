/**
 * Greedy decoding as `transformers`' `_sample` with do_sample=False:
 *
 *   each step   next = argmax(no-repeat-n-gram(logits of the last position))   (first index on ties)
 *   finished    a row that has emitted eos emits pad from then on
 *   stop        every row finished, or maxNewTokens steps
 *
 * Rows are the left-padded prompts; the returned rows are HF's output: prompt, generated tokens, pad.
 */
import { argmax, banNgrams } from './logits.js';
import type { ResolvedOptions } from './options.js';
import type { StepSource } from './step-source.js';

export interface SearchOutput {
  /** Output rows as HF returns them: padded prompt + generated tokens (+ pad after eos). */
  sequences: number[][];
  /** Beam search: each returned sequence's score (HF sequences_scores); greedy: null. */
  scores: number[] | null;
}

export function greedySearch(source: StepSource, rows: number[][], mask: number[][], o: ResolvedOptions): SearchOutput {
  const V = source.vocab;
  const seqs = rows.map((r) => [...r]);
  const unfinished = seqs.map(() => true);
  let logits = source.start(rows, mask);
  for (let step = 0; step < o.maxNewTokens; step++) {
    const next = seqs.map((row, r) => {
      if (!unfinished[r]) return o.padTokenId;
      const scores = logits.subarray(r * V, (r + 1) * V).slice();
      if (o.noRepeatNgramSize > 0) banNgrams(row, o.noRepeatNgramSize, scores);
      return argmax(scores, 0, V);
    });
    next.forEach((t, r) => {
      seqs[r].push(t);
      if (t === o.eosTokenId) unfinished[r] = false;
    });
    if (!unfinished.some(Boolean) || step === o.maxNewTokens - 1) break;
    logits = source.advance(next);
  }
  return { sequences: seqs, scores: null };
}
