/**
 * Beam search as `transformers`' `generate` (>= 4.50, the vectorised `_beam_search`), per prompt:
 *
 *   scores      s = running score + log_softmax(logits), then the no-repeat-n-gram ban (−∞)
 *   candidates  the top 2·numBeams of numBeams·vocab, descending
 *   finishing   a candidate whose token is eos, or which reaches maxLength = padded prompt length +
 *               maxNewTokens, finishes — but only if it ranks among the top numBeams candidates —
 *               with score s / L^lengthPenalty, L = generated length *including* eos; the numBeams
 *               best finished beams are kept. (The older BeamSearchScorer divided by the length
 *               without eos; transformers changed this with the vectorised beam search.)
 *   running     the numBeams best candidates that did not finish
 *   stopping    early_stopping true: a prompt accepts no more finished beams once it has numBeams;
 *               false: it stops when best running score / (current generated length)^lp cannot beat
 *               its worst finished score; "never": the same bound with (maxLength − prompt length)
 *               when lengthPenalty > 0. The loop ends when every prompt has stopped or maxLength.
 *   output      the numReturnSequences best finished beams per prompt, padded with pad to the longest
 *               returned one; scores are HF's sequences_scores.
 *
 * Running scores are float64 sums of float64 log-probabilities of the float32 logits.
 */
import { banNgrams, logSoftmax, topK } from './logits.js';
import type { ResolvedOptions } from './options.js';
import type { SearchOutput } from './greedy.js';
import type { StepSource } from './step-source.js';

interface Finished {
  score: number;
  tokens: number[];
}

interface PromptState {
  running: number[][];
  runningScores: number[];
  finished: Finished[];
  /** HF's is_early_stop_heuristic_unsatisfied: improvement still possible (sticky once false). */
  improvable: boolean;
}

const PENALTY = -1e9;

export function beamSearch(source: StepSource, rows: number[][], mask: number[][], o: ResolvedOptions): SearchOutput {
  const V = source.vocab;
  const nb = o.numBeams;
  const keep = 2 * nb;
  const promptLen = rows[0].length;
  const maxLength = promptLen + o.maxNewTokens;
  const states: PromptState[] = rows.map((row) => ({
    running: Array.from({ length: nb }, () => [...row]),
    runningScores: Array.from({ length: nb }, (_, j) => (j === 0 ? 0 : PENALTY)),
    finished: [],
    improvable: true,
  }));
  const full = (s: PromptState) => s.finished.length === nb;
  let logits = source.start(rows.flatMap((r) => Array.from({ length: nb }, () => r)), mask.flatMap((m) => Array.from({ length: nb }, () => m)));
  for (let cur = promptLen; cur < maxLength; cur++) {
    const tokens = new Int32Array(rows.length * nb);
    const parents = new Int32Array(rows.length * nb);
    let allHit = true;
    states.forEach((s, b) => {
      const total = new Float64Array(nb * V);
      for (let j = 0; j < nb; j++) {
        const lp = logSoftmax(logits, (b * nb + j) * V, V);
        if (o.noRepeatNgramSize > 0) banNgrams(s.running[j], o.noRepeatNgramSize, lp);
        for (let t = 0; t < V; t++) total[j * V + t] = lp[t] + s.runningScores[j];
      }
      const cands = topK(total, keep).map((i) => ({ beam: Math.floor(i / V), token: i % V, score: total[i] }));
      const hits = cands.map((c) => c.token === o.eosTokenId || cur + 1 >= maxLength);
      if (!hits.every(Boolean)) allHit = false;
      if (s.improvable && !(o.earlyStopping === true && full(s))) {
        for (let r = 0; r < nb; r++) {
          if (!hits[r]) continue;
          const c = cands[r];
          s.finished.push({ score: c.score / (cur + 1 - promptLen) ** o.lengthPenalty, tokens: [...s.running[c.beam], c.token] });
        }
        s.finished.sort((a, c) => c.score - a.score);
        s.finished.length = Math.min(s.finished.length, nb);
      }
      // Running beams: the best candidates that did not finish (HF adds −1e9 to finished ones).
      const order = cands.map((c, r) => ({ ...c, score: hits[r] ? c.score + PENALTY : c.score }))
        .map((c, r) => ({ c, r })).sort((x, y) => y.c.score - x.c.score || x.r - y.r).slice(0, nb).map((x) => x.c);
      s.running = order.map((c) => [...s.running[c.beam], c.token]);
      s.runningScores = order.map((c) => c.score);
      order.forEach((c, j) => {
        tokens[b * nb + j] = c.token;
        parents[b * nb + j] = b * nb + c.beam;
      });
    });
    if (allHit) break;
    const next = cur + 1;
    for (const s of states) {
      if (!full(s)) continue;
      const length = o.earlyStopping === 'never' && o.lengthPenalty > 0 ? maxLength - promptLen : next - promptLen;
      const best = s.runningScores[0] / length ** o.lengthPenalty;
      s.improvable = s.improvable && best > s.finished[nb - 1].score;
    }
    if (states.every((s) => !s.improvable || (o.earlyStopping === true && full(s)))) break;
    if (next >= maxLength) break;
    logits = source.advance(tokens, parents);
  }
  const chosen = states.flatMap((s) => {
    if (s.finished.length < o.numReturnSequences) throw new Error(`beam search: ${s.finished.length} finished beams, ${o.numReturnSequences} requested (internal error)`);
    return s.finished.slice(0, o.numReturnSequences);
  });
  const longest = Math.max(...chosen.map((f) => f.tokens.length));
  return {
    sequences: chosen.map((f) => [...f.tokens, ...new Array<number>(longest - f.tokens.length).fill(o.padTokenId)]),
    scores: chosen.map((f) => f.score),
  };
}
