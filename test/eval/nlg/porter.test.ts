/** Porter (1980) stemming against NLTK's PorterStemmer(mode='ORIGINAL_ALGORITHM') on 4,000 Brown-corpus word types. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { porterMeasure as measure, porterStem } from '../../../src/eval/index.js';

const STEMS = (JSON.parse(readFileSync(new URL('../../fixtures/nlg/porter.json', import.meta.url), 'utf8')) as { stems: Record<string, string> }).stems;

describe('Porter stemmer', () => {
  it('stems every fixture word as NLTK does', () => {
    const wrong = Object.entries(STEMS).filter(([w, s]) => porterStem(w) !== s).map(([w, s]) => `${w}: ${porterStem(w)} ≠ ${s}`);
    expect(Object.keys(STEMS).length).toBeGreaterThan(4000);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it("matches the paper's examples of m and of each step", () => {
    expect(['tr', 'ee', 'tree', 'y', 'by', 'trouble', 'oats', 'trees', 'ivy', 'troubles', 'private', 'oaten', 'orrery'].map(measure))
      .toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    const cases: Record<string, string> = {
      caresses: 'caress', ponies: 'poni', cats: 'cat', feed: 'feed', agreed: 'agre', plastered: 'plaster', motoring: 'motor',
      hopping: 'hop', filing: 'file', happy: 'happi', relational: 'relat', rationalize: 'ration', revival: 'reviv', controll: 'control',
    };
    for (const [w, s] of Object.entries(cases)) expect(porterStem(w), w).toBe(s);
  });
});
