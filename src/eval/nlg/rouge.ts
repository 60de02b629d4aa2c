/**
 * ROUGE-L as pycocoevalcap's Rouge (the E2E challenge's ROUGE_L):
 *
 *   per item   P = max_refs LCS/|hyp|,  R = max_refs LCS/|ref|   (maxima taken separately)
 *              score = (1 + β²)·P·R / (R + β²·P),  β = 1.2;  0 when P or R is 0
 *   corpus     mean of the item scores
 *
 * Tokens: pycocoevalcap's PTB tokenisation (tokenize.ts, `cocoTokenize`).
 */
import { checkCorpus, cocoTokenize } from './tokenize.js';

const BETA = 1.2;

/** Length of the longest common subsequence of two token lists. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    prev = cur;
  }
  return prev[b.length];
}

/** ROUGE-L of one tokenised hypothesis against its tokenised references. */
export function rougeLItem(hyp: readonly string[], refs: readonly (readonly string[])[]): number {
  let p = 0, r = 0;
  for (const ref of refs) {
    const l = lcsLength(ref, hyp);
    if (hyp.length) p = Math.max(p, l / hyp.length);
    if (ref.length) r = Math.max(r, l / ref.length);
  }
  return p !== 0 && r !== 0 ? ((1 + BETA ** 2) * p * r) / (r + BETA ** 2 * p) : 0;
}

/** Corpus ROUGE-L (mean over items) and the per-item scores. */
export function corpusRougeL(hyps: readonly string[], refs: readonly (readonly string[])[]): { score: number; items: number[] } {
  checkCorpus(hyps, refs, 'ROUGE-L');
  const items = hyps.map((h, i) => rougeLItem(cocoTokenize(h), refs[i].map(cocoTokenize)));
  return { score: items.reduce((a, b) => a + b, 0) / items.length, items };
}
