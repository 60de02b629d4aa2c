/**
 * Corpus BLEU-4 as the E2E challenge computes it (e2e-metrics: mteval-v13a.pl, or its port pymteval.py):
 *
 *   tokens      mteval basic tokenisation, lowercased (tokenize.ts)
 *   p_n         Σ_segments Σ_ngrams min(count_hyp, max_ref count_ref) / Σ_segments max(0, |hyp| − n + 1)
 *   BP          exp(1 − r/c) if c ≤ r else 1; c = Σ|hyp|, r = Σ |closest reference| (ties: the shorter)
 *   BLEU        BP · exp(¼ Σ_{n=1..4} log p_n), in [0, 1]; a zero p_n gives 0 (pymteval: 1e-15 floor)
 */
import { checkCorpus, mtevalTokenize, ngramCounts } from './tokenize.js';

export interface BleuResult {
  bleu: number;
  /** Clipped n-gram precisions p_1..p_4. */
  precisions: number[];
  brevityPenalty: number;
  hypLength: number;
  refLength: number;
}

/** One segment's BLEU statistics: clipped hits and hypothesis n-grams per n, |hyp|, closest |ref|. */
export interface BleuSegment {
  hits: number[];
  totals: number[];
  hypLength: number;
  refLength: number;
}

/** BLEU statistics of one hypothesis against its references (strings; tokenised here). */
export function bleuSegment(h: string, refs: readonly string[], maxN = 4): BleuSegment {
  const hyp = mtevalTokenize(h);
  const rs = refs.map(mtevalTokenize);
  const hits = new Array<number>(maxN).fill(0);
  const totals = new Array<number>(maxN).fill(0);
  for (let n = 1; n <= maxN; n++) {
    const maxRef = new Map<string, number>();
    for (const ref of rs) for (const [g, k] of ngramCounts(ref, n)) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, k));
    for (const [g, k] of ngramCounts(hyp, n)) hits[n - 1] += Math.min(k, maxRef.get(g) ?? 0);
    totals[n - 1] += Math.max(0, hyp.length - n + 1);
  }
  let best = rs[0].length;
  for (const ref of rs) {
    const d = Math.abs(ref.length - hyp.length), bd = Math.abs(best - hyp.length);
    if (d < bd || (d === bd && ref.length < best)) best = ref.length;
  }
  return { hits, totals, hypLength: hyp.length, refLength: best };
}

/** BLEU from summed segment statistics. */
export function bleuFromStats(s: BleuSegment): BleuResult {
  const { hits, totals, hypLength: c, refLength: r } = s;
  const precisions = hits.map((h, n) => (totals[n] > 0 ? h / totals[n] : 0));
  const brevityPenalty = c === 0 ? 0 : c <= r ? Math.exp(1 - r / c) : 1;
  const bleu = precisions.some((p) => p === 0) ? 0 : brevityPenalty * Math.exp(precisions.reduce((a, p) => a + Math.log(p), 0) / hits.length);
  return { bleu, precisions, brevityPenalty, hypLength: c, refLength: r };
}

/** Corpus BLEU of hypotheses against their reference sets (strings; tokenised here). */
export function corpusBleu(hyps: readonly string[], refs: readonly (readonly string[])[], maxN = 4): BleuResult {
  checkCorpus(hyps, refs, 'BLEU');
  const total: BleuSegment = { hits: new Array<number>(maxN).fill(0), totals: new Array<number>(maxN).fill(0), hypLength: 0, refLength: 0 };
  hyps.forEach((h, i) => {
    const s = bleuSegment(h, refs[i], maxN);
    for (let n = 0; n < maxN; n++) {
      total.hits[n] += s.hits[n];
      total.totals[n] += s.totals[n];
    }
    total.hypLength += s.hypLength;
    total.refLength += s.refLength;
  });
  return bleuFromStats(total);
}
