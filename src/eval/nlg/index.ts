/** NLG metrics as the E2E NLG Challenge scores them (BLEU, NIST, METEOR, ROUGE-L, CIDEr). */
export { corpusBleu, bleuSegment, bleuFromStats } from './bleu.js';
export type { BleuResult, BleuSegment } from './bleu.js';
export { resampledNlgScore, resampledNlgScores } from './resample.js';
export type { ResampledScore } from './resample.js';
export { corpusNist } from './nist.js';
export { corpusRougeL, rougeLItem, lcsLength } from './rouge.js';
export { corpusCider } from './cider.js';
export { corpusMeteor, meteorSegment, meteorStats, meteorFromStats, align, alignExact, METEOR_15_EN, METEOR_NLTK } from './meteor.js';
export { WordNet } from './wordnet.js';
export { porterStem, measure as porterMeasure } from './porter.js';
export type { SynonymSource } from './wordnet.js';
export type { MeteorParams, MeteorStats } from './meteor.js';
export { nlgScores, NLG_METRIC_NAMES } from './scores.js';
export type { NlgMetricName } from './scores.js';
export { mtevalTokenize, cocoTokenize, ngramCounts } from './tokenize.js';
