/**
 * METEOR with exact matching only (no stem, synonym or paraphrase modules; see docs/generation.md):
 *
 *   alignment  NLTK's exact stage: hypothesis words from last to first, each matched to the last
 *              still-unmatched identical reference word
 *   per pair   P = m/|hyp|, R = m/|ref|, Fmean = P·R / (α·P + (1 − α)·R),
 *              chunks = runs of matches adjacent in both hypothesis and reference,
 *              Pen = γ·(chunks/m)^β, score = (1 − Pen)·Fmean (0 when m = 0)
 *   segment    the best-scoring reference
 *   corpus     Meteor 1.5's aggregate (what pycocoevalcap's EVAL line returns): the best reference's
 *              statistics (|hyp|, |ref|, m, chunks) summed over segments, then the formula once
 *
 * Parameters: METEOR_15_EN (Meteor 1.5 `-l en`: α 0.85, β 0.2, γ 0.6; the E2E default through
 * pycocoevalcap) and METEOR_NLTK (α 0.9, β 3, γ 0.5; NLTK's meteor_score, used by the tests).
 * Tokens: pycocoevalcap's PTB tokenisation (tokenize.ts).
 */
import { checkCorpus, cocoTokenize } from './tokenize.js';

export interface MeteorParams {
  alpha: number;
  beta: number;
  gamma: number;
}

export const METEOR_15_EN: MeteorParams = { alpha: 0.85, beta: 0.2, gamma: 0.6 };
export const METEOR_NLTK: MeteorParams = { alpha: 0.9, beta: 3, gamma: 0.5 };

export interface MeteorStats {
  hypLength: number;
  refLength: number;
  matches: number;
  chunks: number;
}

/** Exact-match alignment (hypothesis index, reference index), sorted by hypothesis index. */
export function alignExact(hyp: readonly string[], ref: readonly string[]): [number, number][] {
  const h = hyp.map((w, i) => [i, w] as const);
  const r = ref.map((w, j) => [j, w] as const);
  const pairs: [number, number][] = [];
  for (let i = h.length - 1; i >= 0; i--) {
    for (let j = r.length - 1; j >= 0; j--) {
      if (h[i][1] === r[j][1]) {
        pairs.push([h[i][0], r[j][0]]);
        h.splice(i, 1);
        r.splice(j, 1);
        break;
      }
    }
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}

function chunkCount(pairs: readonly [number, number][]): number {
  let chunks = 1;
  for (let i = 0; i + 1 < pairs.length; i++) {
    if (!(pairs[i + 1][0] === pairs[i][0] + 1 && pairs[i + 1][1] === pairs[i][1] + 1)) chunks++;
  }
  return chunks;
}

export function meteorStats(hyp: readonly string[], ref: readonly string[]): MeteorStats {
  const pairs = alignExact(hyp, ref);
  return { hypLength: hyp.length, refLength: ref.length, matches: pairs.length, chunks: pairs.length ? chunkCount(pairs) : 0 };
}

/** METEOR from (summed) statistics. */
export function meteorFromStats(s: MeteorStats, p: MeteorParams): number {
  if (s.matches === 0 || s.hypLength === 0 || s.refLength === 0) return 0;
  const P = s.matches / s.hypLength, R = s.matches / s.refLength;
  const fmean = (P * R) / (p.alpha * P + (1 - p.alpha) * R);
  const pen = p.gamma * (s.chunks / s.matches) ** p.beta;
  return (1 - pen) * fmean;
}

/** Best-reference statistics and score of one tokenised segment. */
export function meteorSegment(hyp: readonly string[], refs: readonly (readonly string[])[], p: MeteorParams): { score: number; stats: MeteorStats } {
  let best: { score: number; stats: MeteorStats } | null = null;
  for (const ref of refs) {
    const stats = meteorStats(hyp, ref);
    const score = meteorFromStats(stats, p);
    if (best === null || score > best.score) best = { score, stats };
  }
  return best!;
}

/** Corpus METEOR (summed best-reference statistics) and the per-item scores. */
export function corpusMeteor(hyps: readonly string[], refs: readonly (readonly string[])[], params: MeteorParams = METEOR_15_EN): { score: number; items: number[] } {
  checkCorpus(hyps, refs, 'METEOR');
  const total: MeteorStats = { hypLength: 0, refLength: 0, matches: 0, chunks: 0 };
  const items = hyps.map((h, i) => {
    const seg = meteorSegment(cocoTokenize(h), refs[i].map(cocoTokenize), params);
    total.hypLength += seg.stats.hypLength;
    total.refLength += seg.stats.refLength;
    total.matches += seg.stats.matches;
    total.chunks += seg.stats.chunks;
    return seg.score;
  });
  return { score: meteorFromStats(total, params), items };
}
