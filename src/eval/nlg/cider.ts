/**
 * CIDEr-D as pycocoevalcap's Cider (the E2E challenge's CIDEr), n = 1..4, σ = 6:
 *
 *   df(g)      number of items whose references (any of them) contain n-gram g; idf over the
 *              evaluated corpus: log(N_items) − log(max(1, df(g)))
 *   vector     g ↦ count(g) · idf(g), per n; length ℓ = number of bigrams (|tokens| − 1)
 *   sim_n      Σ_g min(v_hyp, v_ref)·v_ref / (‖v_hyp‖·‖v_ref‖) · exp(−(ℓ_hyp − ℓ_ref)² / (2σ²))
 *              (the division only when both norms are non-zero)
 *   item       10 · mean_n( Σ_refs sim_n ) / |refs|
 *   corpus     mean of the item scores
 *
 * Tokens: pycocoevalcap's PTB tokenisation (tokenize.ts, `cocoTokenize`).
 */
import { checkCorpus, cocoTokenize, ngramCounts } from './tokenize.js';

const N = 4;
const SIGMA = 6;

interface Vec {
  vec: Map<string, number>[];
  norm: number[];
  length: number;
}

function counts(tokens: readonly string[]): Map<string, number> {
  const all = new Map<string, number>();
  for (let n = 1; n <= N; n++) for (const [g, k] of ngramCounts(tokens, n)) all.set(`${n}|${g}`, k);
  return all;
}

/** Corpus CIDEr-D and the per-item scores. */
export function corpusCider(hyps: readonly string[], refs: readonly (readonly string[])[]): { score: number; items: number[] } {
  checkCorpus(hyps, refs, 'CIDEr');
  const hypCounts = hyps.map((h) => counts(cocoTokenize(h)));
  const refCounts = refs.map((rs) => rs.map((r) => counts(cocoTokenize(r))));
  const df = new Map<string, number>();
  for (const rs of refCounts) {
    const seen = new Set<string>();
    for (const c of rs) for (const g of c.keys()) seen.add(g);
    for (const g of seen) df.set(g, (df.get(g) ?? 0) + 1);
  }
  const refLen = Math.log(refs.length);
  const toVec = (c: Map<string, number>): Vec => {
    const vec = Array.from({ length: N }, () => new Map<string, number>());
    const norm = new Array<number>(N).fill(0);
    let length = 0;
    for (const [key, tf] of c) {
      const n = Number(key.slice(0, key.indexOf('|'))) - 1;
      const v = tf * (refLen - Math.log(Math.max(1, df.get(key) ?? 0)));
      vec[n].set(key, v);
      norm[n] += v * v;
      if (n === 1) length += tf;
    }
    return { vec, norm: norm.map(Math.sqrt), length };
  };
  const sim = (h: Vec, r: Vec): number[] => {
    const delta = h.length - r.length;
    return h.vec.map((hv, n) => {
      let val = 0;
      for (const [g, v] of hv) {
        const rv = r.vec[n].get(g) ?? 0;
        val += Math.min(v, rv) * rv;
      }
      if (h.norm[n] !== 0 && r.norm[n] !== 0) val /= h.norm[n] * r.norm[n];
      return val * Math.exp(-(delta ** 2) / (2 * SIGMA ** 2));
    });
  };
  const items = hypCounts.map((hc, i) => {
    const h = toVec(hc);
    const score = new Array<number>(N).fill(0);
    for (const rc of refCounts[i]) sim(h, toVec(rc)).forEach((v, n) => (score[n] += v));
    return (10 * score.reduce((a, b) => a + b, 0)) / N / refCounts[i].length;
  });
  return { score: items.reduce((a, b) => a + b, 0) / items.length, items };
}
