/** The `fromTargets` choice of trainable tokens: the most frequent tokens the loss scores, ties by id. */
import { describe, expect, it } from 'vitest';
import { frequentTargetTokens } from '../../src/train/index.js';

/** One id per character (a = 1, b = 2, …, space = 27), eos 0. */
const tok = {
  encode: (text: string) => ({ ids: [...text].map((c) => (c === ' ' ? 27 : c.charCodeAt(0) - 96)) }),
  decode: (ids: readonly number[]) => ids.map((i) => (i === 27 ? ' ' : String.fromCharCode(96 + i))).join(''),
  eosId: 0,
};

describe('frequentTargetTokens', () => {
  const examples = [
    { input: 'zz', references: ['aab', 'ab'], label: 0 },
    { input: 'yy', references: ['c'], label: 0 },
  ];

  it('counts every reference token and eos, never the prompt, and breaks ties by the smaller id', () => {
    // targets: " aab"+eos, " ab"+eos, " c"+eos → space 3, a 3, eos 3, b 2, c 1; prompt letters y, z never count.
    expect(frequentTargetTokens(tok, examples, 32, 3)).toEqual([0, 1, 27]);
    expect(frequentTargetTokens(tok, examples, 32, 4)).toEqual([0, 1, 2, 27]);
    expect(frequentTargetTokens(tok, examples, 32, 100)).toEqual([0, 1, 2, 3, 27]);
  });

  it('follows the training truncation and checks N', () => {
    // maxLength 3: the prompt keeps 1 token (its end), each target the 2 left: " a", " a", " c" — no b, no eos.
    expect(frequentTargetTokens(tok, examples, 3, 100)).toEqual([1, 3, 27]);
    expect(() => frequentTargetTokens(tok, examples, 32, 0)).toThrow('trainableTokens.fromTargets must be an integer ≥ 1, got 0');
  });
});
