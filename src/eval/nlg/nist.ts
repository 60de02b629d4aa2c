/**
 * Corpus NIST-5 as mteval-v13a.pl / pymteval.py compute it for the E2E challenge:
 *
 *   info(w_1..w_n) = log2( count(w_1..w_{n−1}) / count(w_1..w_n) ), counts over all references of
 *                    the corpus (each reference counted; the empty prefix counts all reference words)
 *   NIST           = Σ_{n=1..5} [ Σ_segments Σ_matched ngrams info · min(count_hyp, max_ref count) ]
 *                                / Σ_segments max(0, |hyp| − n + 1)
 *                    · exp(−β log²(min(1, L_sys / L̄_ref))),  β = −ln 0.5 / ln² 1.5
 *   L̄_ref          = Σ_segments mean reference length;  L_sys = Σ |hyp|
 */
import { checkCorpus, mtevalTokenize, ngramCounts } from './tokenize.js';

const BETA = -Math.log(0.5) / Math.log(1.5) ** 2;

/** Corpus NIST of hypotheses against their reference sets (strings; tokenised here). */
export function corpusNist(hyps: readonly string[], refs: readonly (readonly string[])[], maxN = 5): number {
  checkCorpus(hyps, refs, 'NIST');
  const refCounts: Map<string, number>[] = Array.from({ length: maxN + 1 }, () => new Map());
  const hitLists: Map<string, number>[][] = Array.from({ length: maxN }, () => []);
  const lens = new Array<number>(maxN).fill(0);
  let avgRef = 0, sysLen = 0;
  hyps.forEach((h, i) => {
    const hyp = mtevalTokenize(h);
    const rs = refs[i].map(mtevalTokenize);
    for (let n = 1; n <= maxN; n++) {
      lens[n - 1] += Math.max(0, hyp.length - n + 1);
      const maxRef = new Map<string, number>();
      for (const ref of rs) {
        for (const [g, k] of ngramCounts(ref, n)) {
          maxRef.set(g, Math.max(maxRef.get(g) ?? 0, k));
          refCounts[n].set(g, (refCounts[n].get(g) ?? 0) + k);
        }
      }
      const hits = new Map<string, number>();
      for (const [g, k] of ngramCounts(hyp, n)) {
        const m = Math.min(k, maxRef.get(g) ?? 0);
        if (m > 0) hits.set(g, m);
      }
      hitLists[n - 1].push(hits);
    }
    const refLenSum = rs.reduce((a, x) => a + x.length, 0);
    refCounts[0].set('', (refCounts[0].get('') ?? 0) + refLenSum);
    avgRef += refLenSum / rs.length;
    sysLen += hyp.length;
  });
  const info = (g: string, n: number): number => {
    const k = refCounts[n].get(g);
    if (!k) return 0;
    const prefix = n === 1 ? '' : g.split(' ').slice(0, n - 1).join(' ');
    return Math.log2((refCounts[n - 1].get(prefix) ?? 0) / k);
  };
  let sum = 0;
  for (let n = 1; n <= maxN; n++) {
    let hitInfo = 0;
    for (const hits of hitLists[n - 1]) for (const [g, m] of hits) hitInfo += info(g, n) * m;
    if (lens[n - 1] > 0) sum += hitInfo / lens[n - 1];
  }
  const ratio = sysLen / avgRef;
  const penalty = ratio >= 1 ? 1 : ratio <= 0 ? 0 : Math.exp(-BETA * Math.log(ratio) ** 2);
  return penalty * sum;
}
