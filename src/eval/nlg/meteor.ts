/**
 * METEOR with exact and (given a WordNet folder) synonym matching; no stem or paraphrase modules
 * (see docs/generation.md):
 *
 *   alignment  NLTK's stages: exact, then synonyms (wordnet.ts) on the words left; in each stage the
 *              hypothesis words from last to first, each matched to the last still-unmatched
 *              reference word that equals it (exact) or is among its synonyms
 *   per pair   P = (m_exact + w_syn·m_syn)/|hyp|, R = (m_exact + w_syn·m_syn)/|ref|,
 *              Fmean = P·R / (α·P + (1 − α)·R),
 *              chunks = runs of matches adjacent in both hypothesis and reference,
 *              Pen = γ·(chunks/m)^β with m = m_exact + m_syn, score = (1 − Pen)·Fmean (0 when m = 0)
 *   segment    the best-scoring reference
 *   corpus     Meteor 1.5's aggregate (what pycocoevalcap's EVAL line returns): the best reference's
 *              statistics (|hyp|, |ref|, m, chunks) summed over segments, then the formula once
 *
 * Parameters: METEOR_15_EN (Meteor 1.5 `-l en`: α 0.85, β 0.2, γ 0.6, synonym weight 0.8; the E2E
 * default through pycocoevalcap) and METEOR_NLTK (α 0.9, β 3, γ 0.5, weight 1; NLTK's meteor_score).
 * Tokens: pycocoevalcap's PTB tokenisation (tokenize.ts).
 */
import { checkCorpus, cocoTokenize } from './tokenize.js';
import type { SynonymSource } from './wordnet.js';

export interface MeteorParams {
  alpha: number;
  beta: number;
  gamma: number;
  /** Weight of a synonym match (an exact match weighs 1). */
  synonymWeight: number;
}

export const METEOR_15_EN: MeteorParams = { alpha: 0.85, beta: 0.2, gamma: 0.6, synonymWeight: 0.8 };
export const METEOR_NLTK: MeteorParams = { alpha: 0.9, beta: 3, gamma: 0.5, synonymWeight: 1 };

export interface MeteorStats {
  hypLength: number;
  refLength: number;
  /** Exact matches. */
  matches: number;
  /** Synonym matches. */
  synonymMatches: number;
  chunks: number;
}

/** One NLTK stage: hypothesis words from last to first, each to the last unmatched reference word accepted by `match`. */
function alignStage(h: [number, string][], r: [number, string][], match: (hw: string, rw: string) => boolean): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = h.length - 1; i >= 0; i--) {
    for (let j = r.length - 1; j >= 0; j--) {
      if (match(h[i][1], r[j][1])) {
        pairs.push([h[i][0], r[j][0]]);
        h.splice(i, 1);
        r.splice(j, 1);
        break;
      }
    }
  }
  return pairs;
}

/** Exact-match alignment (hypothesis index, reference index), sorted by hypothesis index. */
export function alignExact(hyp: readonly string[], ref: readonly string[]): [number, number][] {
  return alignStage(hyp.map((w, i) => [i, w]), ref.map((w, j) => [j, w]), (a, b) => a === b).sort((a, b) => a[0] - b[0]);
}

/** Exact then synonym alignment; returns both stages' pairs. */
export function align(hyp: readonly string[], ref: readonly string[], synonyms?: SynonymSource): { exact: [number, number][]; synonym: [number, number][] } {
  const h: [number, string][] = hyp.map((w, i) => [i, w]);
  const r: [number, string][] = ref.map((w, j) => [j, w]);
  const exact = alignStage(h, r, (a, b) => a === b);
  const synonym = synonyms ? alignStage(h, r, (a, b) => synonyms.synonyms(a).has(b)) : [];
  return { exact, synonym };
}

function chunkCount(pairs: readonly [number, number][]): number {
  let chunks = 1;
  for (let i = 0; i + 1 < pairs.length; i++) {
    if (!(pairs[i + 1][0] === pairs[i][0] + 1 && pairs[i + 1][1] === pairs[i][1] + 1)) chunks++;
  }
  return chunks;
}

export function meteorStats(hyp: readonly string[], ref: readonly string[], synonyms?: SynonymSource): MeteorStats {
  const { exact, synonym } = align(hyp, ref, synonyms);
  const all = [...exact, ...synonym].sort((a, b) => a[0] - b[0]);
  return { hypLength: hyp.length, refLength: ref.length, matches: exact.length, synonymMatches: synonym.length, chunks: all.length ? chunkCount(all) : 0 };
}

/** METEOR from (summed) statistics. */
export function meteorFromStats(s: MeteorStats, p: MeteorParams): number {
  const m = s.matches + s.synonymMatches;
  if (m === 0 || s.hypLength === 0 || s.refLength === 0) return 0;
  const weighted = s.matches + p.synonymWeight * s.synonymMatches;
  const P = weighted / s.hypLength, R = weighted / s.refLength;
  const fmean = (P * R) / (p.alpha * P + (1 - p.alpha) * R);
  const pen = p.gamma * (s.chunks / m) ** p.beta;
  return (1 - pen) * fmean;
}

/** Best-reference statistics and score of one tokenised segment. */
export function meteorSegment(hyp: readonly string[], refs: readonly (readonly string[])[], p: MeteorParams, synonyms?: SynonymSource): { score: number; stats: MeteorStats } {
  let best: { score: number; stats: MeteorStats } | null = null;
  for (const ref of refs) {
    const stats = meteorStats(hyp, ref, synonyms);
    const score = meteorFromStats(stats, p);
    if (best === null || score > best.score) best = { score, stats };
  }
  return best!;
}

/** Corpus METEOR (summed best-reference statistics) and the per-item scores; synonyms from e.g. `WordNet.load(dir)`. */
export function corpusMeteor(hyps: readonly string[], refs: readonly (readonly string[])[], params: MeteorParams = METEOR_15_EN, synonyms?: SynonymSource): { score: number; items: number[] } {
  checkCorpus(hyps, refs, 'METEOR');
  const total: MeteorStats = { hypLength: 0, refLength: 0, matches: 0, synonymMatches: 0, chunks: 0 };
  const items = hyps.map((h, i) => {
    const seg = meteorSegment(cocoTokenize(h), refs[i].map(cocoTokenize), params, synonyms);
    total.hypLength += seg.stats.hypLength;
    total.refLength += seg.stats.refLength;
    total.matches += seg.stats.matches;
    total.synonymMatches += seg.stats.synonymMatches;
    total.chunks += seg.stats.chunks;
    return seg.score;
  });
  return { score: meteorFromStats(total, params), items };
}
