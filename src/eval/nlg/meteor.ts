/**
 * METEOR with exact, Porter-stem and (given a WordNet folder) synonym matching; no paraphrase module
 * (see docs/generation.md):
 *
 *   alignment  NLTK's stages: exact, then equal Porter stems (porter.ts), then synonyms (wordnet.ts),
 *              each on the words left by the previous ones; in each stage the hypothesis words from
 *              last to first, each matched to the last still-unmatched reference word that matches
 *   per pair   m_w = m_exact + w_stem·m_stem + w_syn·m_syn, P = m_w/|hyp|, R = m_w/|ref|,
 *              Fmean = P·R / (α·P + (1 − α)·R),
 *              chunks = runs of matches adjacent in both hypothesis and reference,
 *              Pen = γ·(chunks/m)^β with m = m_exact + m_stem + m_syn, score = (1 − Pen)·Fmean (0 when m = 0)
 *   segment    the best-scoring reference
 *   corpus     Meteor 1.5's aggregate (what pycocoevalcap's EVAL line returns): the best reference's
 *              statistics (|hyp|, |ref|, m, chunks) summed over segments, then the formula once
 *
 * Parameters: METEOR_15_EN (Meteor 1.5 `-l en`: α 0.85, β 0.2, γ 0.6, stem weight 0.6, synonym weight
 * 0.8; the E2E default through pycocoevalcap) and METEOR_NLTK (α 0.9, β 3, γ 0.5, weights 1; NLTK's
 * meteor_score). `stem: false` turns the stem stage off.
 * Tokens: pycocoevalcap's PTB tokenisation (tokenize.ts).
 */
import { porterStem } from './porter.js';
import { checkCorpus, cocoTokenize } from './tokenize.js';
import type { SynonymSource } from './wordnet.js';

export interface MeteorParams {
  alpha: number;
  beta: number;
  gamma: number;
  /** Whether the stem stage runs. */
  stem: boolean;
  /** Weight of a stem match (an exact match weighs 1). */
  stemWeight: number;
  /** Weight of a synonym match. */
  synonymWeight: number;
}

export const METEOR_15_EN: MeteorParams = { alpha: 0.85, beta: 0.2, gamma: 0.6, stem: true, stemWeight: 0.6, synonymWeight: 0.8 };
export const METEOR_NLTK: MeteorParams = { alpha: 0.9, beta: 3, gamma: 0.5, stem: true, stemWeight: 1, synonymWeight: 1 };

export interface MeteorStats {
  hypLength: number;
  refLength: number;
  /** Exact matches. */
  matches: number;
  /** Stem matches. */
  stemMatches: number;
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

type Pairs = [number, number][];

/** Exact, then stem (if `stem`), then synonym (if `synonyms`) alignment; each stage's pairs. */
export function align(hyp: readonly string[], ref: readonly string[], stem: boolean, synonyms?: SynonymSource): { exact: Pairs; stem: Pairs; synonym: Pairs } {
  const h: [number, string][] = hyp.map((w, i) => [i, w]);
  const r: [number, string][] = ref.map((w, j) => [j, w]);
  const exact = alignStage(h, r, (a, b) => a === b);
  const stemmed = stem ? alignStage(h, r, (a, b) => porterStem(a) === porterStem(b)) : [];
  const synonym = synonyms ? alignStage(h, r, (a, b) => synonyms.synonyms(a).has(b)) : [];
  return { exact, stem: stemmed, synonym };
}

function chunkCount(pairs: readonly [number, number][]): number {
  let chunks = 1;
  for (let i = 0; i + 1 < pairs.length; i++) {
    if (!(pairs[i + 1][0] === pairs[i][0] + 1 && pairs[i + 1][1] === pairs[i][1] + 1)) chunks++;
  }
  return chunks;
}

export function meteorStats(hyp: readonly string[], ref: readonly string[], stem: boolean, synonyms?: SynonymSource): MeteorStats {
  const a = align(hyp, ref, stem, synonyms);
  const all = [...a.exact, ...a.stem, ...a.synonym].sort((x, y) => x[0] - y[0]);
  return {
    hypLength: hyp.length, refLength: ref.length, matches: a.exact.length, stemMatches: a.stem.length, synonymMatches: a.synonym.length,
    chunks: all.length ? chunkCount(all) : 0,
  };
}

/** METEOR from (summed) statistics. */
export function meteorFromStats(s: MeteorStats, p: MeteorParams): number {
  const m = s.matches + s.stemMatches + s.synonymMatches;
  if (m === 0 || s.hypLength === 0 || s.refLength === 0) return 0;
  const weighted = s.matches + p.stemWeight * s.stemMatches + p.synonymWeight * s.synonymMatches;
  const P = weighted / s.hypLength, R = weighted / s.refLength;
  const fmean = (P * R) / (p.alpha * P + (1 - p.alpha) * R);
  const pen = p.gamma * (s.chunks / m) ** p.beta;
  return (1 - pen) * fmean;
}

/** Best-reference statistics and score of one tokenised segment. */
export function meteorSegment(hyp: readonly string[], refs: readonly (readonly string[])[], p: MeteorParams, synonyms?: SynonymSource): { score: number; stats: MeteorStats } {
  let best: { score: number; stats: MeteorStats } | null = null;
  for (const ref of refs) {
    const stats = meteorStats(hyp, ref, p.stem, synonyms);
    const score = meteorFromStats(stats, p);
    if (best === null || score > best.score) best = { score, stats };
  }
  return best!;
}

/** Corpus METEOR (summed best-reference statistics) and the per-item scores; synonyms from e.g. `WordNet.load(dir)`. */
export function corpusMeteor(hyps: readonly string[], refs: readonly (readonly string[])[], params: MeteorParams = METEOR_15_EN, synonyms?: SynonymSource): { score: number; items: number[] } {
  checkCorpus(hyps, refs, 'METEOR');
  const total: MeteorStats = { hypLength: 0, refLength: 0, matches: 0, stemMatches: 0, synonymMatches: 0, chunks: 0 };
  const items = hyps.map((h, i) => {
    const seg = meteorSegment(cocoTokenize(h), refs[i].map(cocoTokenize), params, synonyms);
    total.hypLength += seg.stats.hypLength;
    total.refLength += seg.stats.refLength;
    total.matches += seg.stats.matches;
    total.stemMatches += seg.stats.stemMatches;
    total.synonymMatches += seg.stats.synonymMatches;
    total.chunks += seg.stats.chunks;
    return seg.score;
  });
  return { score: meteorFromStats(total, params), items };
}
