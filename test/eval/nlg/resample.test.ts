/**
 * Resampled NLG scores (src/eval/nlg/resample.ts) against the plain corpus metrics recomputed on the
 * materialised resample (duplicated items written out twice): every metric, random draws with
 * repeats, corpora with empty and very short hypotheses and single or several references. The corpus
 * metrics themselves are checked against NLTK / pycocoevalcap formulas in metrics.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NLG_METRIC_NAMES, nlgScores, resampledNlgScores } from '../../../src/eval/index.js';
import { resampleIndices } from '../../../src/results/index.js';
import { Rng } from '../../../src/tensor/index.js';

const G = JSON.parse(readFileSync(new URL('../../fixtures/nlg/golden.json', import.meta.url), 'utf8')) as { hyps: string[]; refs: string[][] };

const EDGE_HYPS = ['', 'Fitzbillies .', 'The Eagle is a coffee shop .', 'pub pub pub pub pub', 'Zizzi is a pub in the city centre near Burger King .'];
const EDGE_REFS = [['There is a pub .'], ['Fitzbillies is a coffee shop .', 'Fitzbillies serves coffee .'], ['The Eagle is a coffee shop near Burger King .'], ['Cotto is a pub .', 'A pub called Cotto .'], ['Zizzi is a pub in the city centre .']];

describe('resampled NLG scores', () => {
  for (const [name, hyps, refs] of [['E2E-style corpus', G.hyps, G.refs], ['edge cases', EDGE_HYPS, EDGE_REFS]] as const) {
    it(`${name}: equal nlgScores on the materialised resample, for every metric`, () => {
      const scores = resampledNlgScores(hyps, refs);
      const whole = nlgScores(hyps, refs);
      for (const m of NLG_METRIC_NAMES) expect(scores[m](null)).toBeCloseTo(whole[m], 10);
      const rng = new Rng(7, 'resample-test');
      const idx = new Int32Array(hyps.length);
      for (let b = 0; b < 12; b++) {
        resampleIndices(rng, hyps.length, idx);
        const direct = nlgScores(Array.from(idx, (i) => hyps[i]), Array.from(idx, (i) => refs[i]));
        for (const m of NLG_METRIC_NAMES) expect(scores[m](idx), `${m} on draw ${b} (${Array.from(idx).join(',')})`).toBeCloseTo(direct[m], 9);
      }
    });
  }

  it('an index outside the corpus is an error naming it', () => {
    expect(() => resampledNlgScores(G.hyps, G.refs).BLEU([0, 99])).toThrow(/index 99 at \/1 is not an item of the 9-item corpus/);
  });
});
