/**
 * NLG metrics against scripts/make_nlg_fixtures.py: NLTK's corpus_bleu, corpus_nist and meteor_score
 * (exact stage), and Python implementations of pycocoevalcap's ROUGE-L and CIDEr-D formulas.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  alignExact, cocoTokenize, corpusBleu, corpusCider, corpusMeteor, corpusNist, corpusRougeL, meteorSegment, METEOR_15_EN, METEOR_NLTK,
  mtevalTokenize, nlgScores, WordNet, type SynonymSource,
} from '../../../src/eval/index.js';

interface Golden {
  hyps: string[];
  refs: string[][];
  mteval_tokenize: { text: string; tokens: string[] }[];
  synonyms: Record<string, string[]>;
  subsets: {
    name: string; items: number[]; bleu: number; nist: number;
    meteor: Record<'exact' | 'stem' | 'wordnet' | 'full', { nltk_items: number[]; meteor15_corpus: number; stem_matches: number; synonym_matches: number }>;
    rouge_l: number; rouge_l_items: number[]; cider: number; cider_items: number[];
  }[];
}

const G = JSON.parse(readFileSync(new URL('../../fixtures/nlg/golden.json', import.meta.url), 'utf8')) as Golden;
/** NLTK's WordNet synonym sets of every hypothesis word, as the fixture script recorded them. */
const RECORDED: SynonymSource = {
  synonyms(word) {
    const s = G.synonyms[word];
    if (!s) throw new Error(`no recorded synonyms for '${word}'`);
    return new Set(s);
  },
};
const WORDNET_DIR = '/usr/share/wordnet';
const close = (got: number[], want: number[]) => {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g, `item ${i}`).toBeCloseTo(want[i], 9));
};

describe('tokenisation', () => {
  it('mteval basic tokenisation matches the pymteval regular expressions', () => {
    for (const { text, tokens } of G.mteval_tokenize) expect(mtevalTokenize(text), text).toEqual(tokens);
  });

  it('COCO (PTB) tokenisation lowercases, splits clitics and drops punctuation', () => {
    expect(cocoTokenize('The Eagle, near Burger King, is a coffee shop.')).toEqual(['the', 'eagle', 'near', 'burger', 'king', 'is', 'a', 'coffee', 'shop']);
    expect(cocoTokenize("It isn't family-friendly; it's a pub (adults only)!")).toEqual(['it', 'is', "n't", 'family-friendly', 'it', "'s", 'a', 'pub', 'adults', 'only']);
    expect(cocoTokenize('Prices are 3.50 or more...')).toEqual(['prices', 'are', '3.50', 'or', 'more']);
  });
});

describe.each(G.subsets.map((s) => [s.name, s] as const))('corpus "%s"', (_name, s) => {
  const hyps = s.items.map((i) => G.hyps[i]);
  const refs = s.items.map((i) => G.refs[i]);

  it('BLEU equals NLTK corpus_bleu', () => {
    expect(corpusBleu(hyps, refs).bleu).toBeCloseTo(s.bleu, 10);
  });

  it('NIST equals NLTK corpus_nist', () => {
    expect(corpusNist(hyps, refs)).toBeCloseTo(s.nist, 9);
  });

  it.each([['exact', false, false], ['stem', true, false], ['wordnet', false, true], ['full', true, true]] as const)(
    'METEOR (%s) equals NLTK per item; the Meteor 1.5 aggregate matches its formula', (key, stem, wordnet) => {
      const want = s.meteor[key];
      const syn = wordnet ? RECORDED : undefined;
      close(hyps.map((h, i) => meteorSegment(cocoTokenize(h), refs[i].map(cocoTokenize), { ...METEOR_NLTK, stem }, syn).score), want.nltk_items);
      expect(corpusMeteor(hyps, refs, { ...METEOR_15_EN, stem }, syn).score).toBeCloseTo(want.meteor15_corpus, 10);
    });

  it('ROUGE-L and CIDEr-D equal the pycocoevalcap formulas', () => {
    const r = corpusRougeL(hyps, refs);
    close(r.items, s.rouge_l_items);
    expect(r.score).toBeCloseTo(s.rouge_l, 10);
    const c = corpusCider(hyps, refs);
    close(c.items, s.cider_items);
    expect(c.score).toBeCloseTo(s.cider, 9);
  });
});

describe.runIf(existsSync(WORDNET_DIR))(`WordNet reader on ${WORDNET_DIR} (Debian wordnet-base)`, () => {
  it("gives NLTK's synonym set for every hypothesis word of the fixture", () => {
    const wn = WordNet.load(WORDNET_DIR);
    for (const [word, syns] of Object.entries(G.synonyms)) expect([...wn.synonyms(word)].sort(), word).toEqual(syns);
    expect(wn.baseForms('children', 'n')).toEqual(['child']);
  });
});

describe('NLG metric details', () => {
  it('METEOR exact alignment: NLTK order (last hypothesis word first, last reference match), chunks by hand', () => {
    // hyp "the cat the mat", ref "the mat the cat": the last "the" (h2) takes r2, the first (h0) takes r0.
    expect(alignExact(['the', 'cat', 'the', 'mat'], ['the', 'mat', 'the', 'cat'])).toEqual([[0, 0], [1, 3], [2, 2], [3, 1]]);
    // 4 matches in 4 chunks: P = R = 1, Fmean = 1, Pen = 0.5·(4/4)^3 = 0.5 → 0.5 (NLTK parameters).
    expect(meteorSegment(['the', 'cat', 'the', 'mat'], [['the', 'mat', 'the', 'cat']], METEOR_NLTK).score).toBeCloseTo(0.5, 12);
    // The fixture exercises the stem and synonym stages.
    expect(G.subsets[0].meteor.full.stem_matches).toBeGreaterThan(0);
    expect(G.subsets[0].meteor.full.synonym_matches).toBeGreaterThan(0);
    // Meteor 1.5 parameters, 6 of 6 words in 1 chunk: (1 − 0.6·(1/6)^0.2)·1.
    expect(meteorSegment('a b c d e f'.split(' '), [['a', 'b', 'c', 'd', 'e', 'f']], METEOR_15_EN).score).toBeCloseTo(1 - 0.6 * (1 / 6) ** 0.2, 12);
  });

  it('nlgScores scales as e2e-metrics prints (×100 for BLEU, METEOR, ROUGE_L)', () => {
    const all = G.subsets[0];
    const s = nlgScores(G.hyps, G.refs);
    expect(s.BLEU).toBeCloseTo(100 * all.bleu, 8);
    expect(s.NIST).toBeCloseTo(all.nist, 9);
    expect(s.ROUGE_L).toBeCloseTo(100 * all.rouge_l, 8);
    expect(s.CIDEr).toBeCloseTo(all.cider, 9);
    expect(s.METEOR).toBeCloseTo(100 * all.meteor.stem.meteor15_corpus, 8);
    expect(nlgScores(G.hyps, G.refs, METEOR_15_EN, RECORDED).METEOR).toBeCloseTo(100 * all.meteor.full.meteor15_corpus, 8);
  });

  it('rejects mismatched corpora, naming the problem', () => {
    expect(() => corpusBleu(['a'], [['a'], ['b']])).toThrow(/1 hypotheses for 2 reference sets/);
    expect(() => corpusCider(['a', 'b'], [['a'], []])).toThrow(/reference set \/1 is empty/);
    expect(() => WordNet.load('/nonexistent-wordnet')).toThrow(/index\.noun not found; give the folder of a WordNet 3\.0 database/);
  });
});
