/**
 * The five E2E NLG metrics on one corpus, named and scaled as e2e-metrics prints them
 * (measure_scores.py): BLEU, METEOR and ROUGE_L × 100; NIST and CIDEr as they are.
 * References are grouped per input (one array of strings per hypothesis).
 */
import { corpusBleu } from './bleu.js';
import { corpusCider } from './cider.js';
import { corpusMeteor, METEOR_15_EN, type MeteorParams } from './meteor.js';
import { corpusNist } from './nist.js';
import { corpusRougeL } from './rouge.js';
import { checkCorpus } from './tokenize.js';
import type { SynonymSource } from './wordnet.js';

import { NLG_METRIC_NAMES, type NlgMetricName } from '../../data/metric-names.js';

export { NLG_METRIC_NAMES, type NlgMetricName };

/** `synonyms` (e.g. `WordNet.load('/usr/share/wordnet')`) turns on METEOR's synonym stage. */
export function nlgScores(hyps: readonly string[], refs: readonly (readonly string[])[], meteor: MeteorParams = METEOR_15_EN, synonyms?: SynonymSource): Record<NlgMetricName, number> {
  checkCorpus(hyps, refs, 'NLG metrics');
  return {
    BLEU: 100 * corpusBleu(hyps, refs).bleu,
    NIST: corpusNist(hyps, refs),
    METEOR: 100 * corpusMeteor(hyps, refs, meteor, synonyms).score,
    ROUGE_L: 100 * corpusRougeL(hyps, refs).score,
    CIDEr: corpusCider(hyps, refs).score,
  };
}
