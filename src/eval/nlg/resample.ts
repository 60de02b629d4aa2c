/**
 * The five E2E corpus metrics recomputed on resamples of a corpus's items, fast enough for bootstrap
 * confidence intervals (B ≈ 1000 replicates per run, method and condition).
 *
 * A resample is a list of item indices drawn with replacement (duplicates count as often as drawn);
 * `score(idx)` equals `nlgScores(idx.map(i => hyps[i]), idx.map(i => refs[i]))[metric]` up to float
 * summation order (≈ 1e-12 relative; test/eval/nlg/resample.test.ts), and `score(null)` is the score
 * of the whole corpus. Scaled as nlgScores: BLEU, METEOR, ROUGE_L × 100.
 *
 * Order: tokenise every item once and keep its sufficient statistics (n-grams interned as integer
 * ids) → per resample, count each item's multiplicity w_i → combine:
 *
 *   BLEU     Σ w_i · (clipped hits_n, hypothesis n-grams_n, |hyp|, closest |ref|) → bleu.ts's formula
 *   NIST     information weights from Σ w_i · (the item's reference n-gram counts) — the corpus the
 *            resample forms — then Σ w_i · info-weighted hits → nist.ts's formula
 *   METEOR   Σ w_i · (the best reference's |hyp|, |ref|, matches, chunks) → Meteor 1.5's aggregate
 *   ROUGE_L  Σ w_i · item score / n (the corpus value is the mean of item scores)
 *   CIDEr    df(g) = Σ w_i · [g in the item's references], idf = log n − log max(1, df), then each
 *            drawn item's CIDEr-D with that idf, Σ w_i · item / n — cider.ts's formula on the resample
 *
 * Nothing here is random: the caller draws the indices (results/bootstrap.ts `resampleIndices`).
 */
import { bleuFromStats, bleuSegment, type BleuSegment } from './bleu.js';
import { meteorFromStats, meteorSegment, METEOR_15_EN, type MeteorParams, type MeteorStats } from './meteor.js';
import { rougeLItem } from './rouge.js';
import { NLG_METRIC_NAMES, type NlgMetricName } from './scores.js';
import { checkCorpus, cocoTokenize, mtevalTokenize, ngramCounts } from './tokenize.js';
import type { SynonymSource } from './wordnet.js';

/** A corpus metric on the items `idx` (with repeats; null: every item once). */
export type ResampledScore = (idx: ArrayLike<number> | null) => number;

/** Interns n-gram keys as dense integer ids. */
class Interner {
  readonly ids = new Map<string, number>();
  id(key: string): number {
    let k = this.ids.get(key);
    if (k === undefined) this.ids.set(key, (k = this.ids.size));
    return k;
  }
  get size(): number {
    return this.ids.size;
  }
}

/** Multiplicity of each item in `idx` (every item once for null), into `w`. */
function multiplicities(idx: ArrayLike<number> | null, w: Float64Array): Float64Array {
  if (idx === null) return w.fill(1);
  w.fill(0);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (!(k >= 0 && k < w.length && Number.isInteger(k))) throw new Error(`resampled NLG score: index ${k} at /${i} is not an item of the ${w.length}-item corpus`);
    w[k]++;
  }
  return w;
}

function bleuScore(hyps: readonly string[], refs: readonly (readonly string[])[]): ResampledScore {
  const N = 4;
  const stats = hyps.map((h, i) => bleuSegment(h, refs[i], N));
  const w = new Float64Array(hyps.length);
  return (idx) => {
    multiplicities(idx, w);
    const total: BleuSegment = { hits: new Array<number>(N).fill(0), totals: new Array<number>(N).fill(0), hypLength: 0, refLength: 0 };
    stats.forEach((s, i) => {
      if (w[i] === 0) return;
      for (let n = 0; n < N; n++) {
        total.hits[n] += w[i] * s.hits[n];
        total.totals[n] += w[i] * s.totals[n];
      }
      total.hypLength += w[i] * s.hypLength;
      total.refLength += w[i] * s.refLength;
    });
    return 100 * bleuFromStats(total).bleu;
  };
}

function nistScore(hyps: readonly string[], refs: readonly (readonly string[])[]): ResampledScore {
  const N = 5;
  const BETA = -Math.log(0.5) / Math.log(1.5) ** 2;
  const grams = new Interner();
  const items = hyps.map((h, i) => {
    const hyp = mtevalTokenize(h);
    const rs = refs[i].map(mtevalTokenize);
    const refGrams: [number, number][] = [];
    const hits: [number, number][][] = [];
    const lens: number[] = [];
    for (let n = 1; n <= N; n++) {
      lens.push(Math.max(0, hyp.length - n + 1));
      const maxRef = new Map<string, number>();
      for (const ref of rs) {
        for (const [g, k] of ngramCounts(ref, n)) {
          maxRef.set(g, Math.max(maxRef.get(g) ?? 0, k));
          refGrams.push([grams.id(`${n}|${g}`), k]);
        }
      }
      const hn: [number, number][] = [];
      for (const [g, k] of ngramCounts(hyp, n)) {
        const m = Math.min(k, maxRef.get(g) ?? 0);
        if (m > 0) hn.push([grams.id(`${n}|${g}`), m]);
      }
      hits.push(hn);
    }
    const refWords = rs.reduce((a, x) => a + x.length, 0);
    return { refGrams, hits, lens, refWords, avgRef: refWords / rs.length, sysLen: hyp.length };
  });
  // The (n−1)-gram prefix of each n-gram (every prefix of a reference n-gram is a reference n-gram
  // too); −1 for unigrams, whose prefix count is the number of reference words.
  const prefixOf = new Int32Array(grams.size);
  for (const [key, id] of grams.ids) {
    const bar = key.indexOf('|'), n = Number(key.slice(0, bar));
    prefixOf[id] = n === 1 ? -1 : (grams.ids.get(`${n - 1}|${key.slice(bar + 1).split(' ').slice(0, n - 1).join(' ')}`) ?? -1);
  }
  const w = new Float64Array(hyps.length);
  const counts = new Float64Array(grams.size);
  return (idx) => {
    multiplicities(idx, w);
    counts.fill(0);
    let refWords = 0, avgRef = 0, sysLen = 0;
    const lens = new Array<number>(N).fill(0);
    items.forEach((it, i) => {
      if (w[i] === 0) return;
      for (const [id, k] of it.refGrams) counts[id] += w[i] * k;
      refWords += w[i] * it.refWords;
      avgRef += w[i] * it.avgRef;
      sysLen += w[i] * it.sysLen;
      for (let n = 0; n < N; n++) lens[n] += w[i] * it.lens[n];
    });
    // info(g) = log2(count(prefix) / count(g)) over the resample's references (nist.ts).
    const info = (id: number): number => Math.log2((prefixOf[id] === -1 ? refWords : counts[prefixOf[id]]) / counts[id]);
    let sum = 0;
    for (let n = 0; n < N; n++) {
      let hitInfo = 0;
      items.forEach((it, i) => {
        if (w[i] === 0) return;
        let s = 0;
        for (const [id, m] of it.hits[n]) s += info(id) * m;
        hitInfo += w[i] * s;
      });
      if (lens[n] > 0) sum += hitInfo / lens[n];
    }
    const ratio = sysLen / avgRef;
    const penalty = ratio >= 1 ? 1 : ratio <= 0 ? 0 : Math.exp(-BETA * Math.log(ratio) ** 2);
    return penalty * sum;
  };
}

function meteorScore(hyps: readonly string[], refs: readonly (readonly string[])[], params: MeteorParams, synonyms?: SynonymSource): ResampledScore {
  const stats = hyps.map((h, i) => meteorSegment(cocoTokenize(h), refs[i].map(cocoTokenize), params, synonyms).stats);
  const w = new Float64Array(hyps.length);
  return (idx) => {
    multiplicities(idx, w);
    const total: MeteorStats = { hypLength: 0, refLength: 0, matches: 0, stemMatches: 0, synonymMatches: 0, chunks: 0 };
    stats.forEach((s, i) => {
      if (w[i] === 0) return;
      for (const k of Object.keys(total) as (keyof MeteorStats)[]) total[k] += w[i] * s[k];
    });
    return 100 * meteorFromStats(total, params);
  };
}

/** Mean of per-item scores on the resample (ROUGE-L; `scale` × the mean). */
function meanOfItems(items: number[], scale: number): ResampledScore {
  const w = new Float64Array(items.length);
  return (idx) => {
    multiplicities(idx, w);
    let s = 0, n = 0;
    for (let i = 0; i < items.length; i++) {
      s += w[i] * items[i];
      n += w[i];
    }
    return (scale * s) / n;
  };
}

interface CiderSide {
  /** n-gram ids, their counts and n − 1 (0..3). */
  ids: Int32Array;
  tf: Float64Array;
  order: Uint8Array;
  /** Bigram count (cider.ts's length). */
  length: number;
}

function ciderScore(hyps: readonly string[], refs: readonly (readonly string[])[]): ResampledScore {
  const N = 4, SIGMA = 6;
  const grams = new Interner();
  const side = (tokens: readonly string[]): CiderSide => {
    const ids: number[] = [], tf: number[] = [], order: number[] = [];
    let length = 0;
    for (let n = 1; n <= N; n++) {
      for (const [g, k] of ngramCounts(tokens, n)) {
        ids.push(grams.id(`${n}|${g}`));
        tf.push(k);
        order.push(n - 1);
        if (n === 2) length += k;
      }
    }
    return { ids: Int32Array.from(ids), tf: Float64Array.from(tf), order: Uint8Array.from(order), length };
  };
  const items = hyps.map((h, i) => {
    const hyp = side(cocoTokenize(h));
    const rs = refs[i].map((r) => side(cocoTokenize(r)));
    const inRefs = Int32Array.from(new Set(rs.flatMap((r) => Array.from(r.ids))));
    // Each reference's count of each hypothesis n-gram (0 when absent), aligned with hyp.ids.
    const refTfAtHyp = rs.map((r) => {
      const m = new Map<number, number>();
      r.ids.forEach((id, k) => m.set(id, r.tf[k]));
      return Float64Array.from(hyp.ids, (id) => m.get(id) ?? 0);
    });
    return { hyp, rs, inRefs, refTfAtHyp };
  });
  const w = new Float64Array(hyps.length);
  const df = new Float64Array(grams.size);
  const normsOf = (s: CiderSide, idf: (id: number) => number): number[] => {
    const norm = new Array<number>(N).fill(0);
    s.ids.forEach((id, k) => {
      const v = s.tf[k] * idf(id);
      norm[s.order[k]] += v * v;
    });
    return norm.map(Math.sqrt);
  };
  return (idx) => {
    multiplicities(idx, w);
    df.fill(0);
    let total = 0;
    items.forEach((it, i) => {
      if (w[i] === 0) return;
      total += w[i];
      for (const id of it.inRefs) df[id] += w[i];
    });
    const logN = Math.log(total);
    const idf = (id: number) => logN - Math.log(Math.max(1, df[id]));
    let sum = 0;
    items.forEach((it, i) => {
      if (w[i] === 0) return;
      const h = it.hyp;
      const hv = Float64Array.from(h.ids, (id, k) => h.tf[k] * idf(id));
      const hn = normsOf(h, idf);
      const score = new Array<number>(N).fill(0);
      it.rs.forEach((r, j) => {
        const rn = normsOf(r, idf);
        const rt = it.refTfAtHyp[j];
        const val = new Array<number>(N).fill(0);
        hv.forEach((v, k) => {
          const rv = rt[k] * idf(h.ids[k]);
          val[h.order[k]] += Math.min(v, rv) * rv;
        });
        const penalty = Math.exp(-((h.length - r.length) ** 2) / (2 * SIGMA ** 2));
        for (let n = 0; n < N; n++) {
          if (hn[n] !== 0 && rn[n] !== 0) val[n] /= hn[n] * rn[n];
          score[n] += val[n] * penalty;
        }
      });
      sum += (w[i] * (10 * score.reduce((a, b) => a + b, 0))) / N / it.rs.length;
    });
    return sum / total;
  };
}

/**
 * The named metric of the corpus (hypotheses, reference sets), recomputable on resamples of its items.
 * `meteor` and `synonyms` as nlgScores takes them.
 */
export function resampledNlgScore(
  metric: NlgMetricName, hyps: readonly string[], refs: readonly (readonly string[])[], meteor: MeteorParams = METEOR_15_EN, synonyms?: SynonymSource,
): ResampledScore {
  checkCorpus(hyps, refs, `resampled ${metric}`);
  switch (metric) {
    case 'BLEU': return bleuScore(hyps, refs);
    case 'NIST': return nistScore(hyps, refs);
    case 'METEOR': return meteorScore(hyps, refs, meteor, synonyms);
    case 'ROUGE_L': return meanOfItems(hyps.map((h, i) => rougeLItem(cocoTokenize(h), refs[i].map(cocoTokenize))), 100);
    case 'CIDEr': return ciderScore(hyps, refs);
    default: throw new Error(`resampled NLG score: unknown metric '${String(metric)}'; known: ${NLG_METRIC_NAMES.join(', ')}`);
  }
}

/** All five metrics of a corpus, each recomputable on resamples of its items. */
export function resampledNlgScores(hyps: readonly string[], refs: readonly (readonly string[])[], meteor?: MeteorParams, synonyms?: SynonymSource): Record<NlgMetricName, ResampledScore> {
  return Object.fromEntries(NLG_METRIC_NAMES.map((m) => [m, resampledNlgScore(m, hyps, refs, meteor, synonyms)])) as Record<NlgMetricName, ResampledScore>;
}
