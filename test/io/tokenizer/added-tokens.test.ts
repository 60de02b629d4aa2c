/**
 * Added tokens: leftmost-longest whole-token matching with Hugging Face's lstrip / rstrip /
 * single_word / normalized flags.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AddedTokenMatcher } from '../../../src/io/tokenizer/added-tokens.js';
import { loadTokenizer } from '../../../src/io/tokenizer/index.js';
import type { AddedToken } from '../../../src/io/tokenizer/types.js';
import { FIXTURES } from './corpora.js';

const tok = (id: number, content: string, flags: Partial<AddedToken> = {}): AddedToken => ({
  id,
  content,
  special: true,
  lstrip: false,
  rstrip: false,
  normalized: false,
  singleWord: false,
  ...flags,
});

describe('AddedTokenMatcher', () => {
  it('prefers the longest token at the leftmost position; regex characters are literal', () => {
    const m = new AddedTokenMatcher([tok(1, '<|im'), tok(2, '<|im-start|>'), tok(3, 'a.b'), tok(4, '[x]')]);
    expect(m.split('x<|im-start|>y<|im a.b axb [x]')).toEqual([
      { text: 'x' },
      { id: 2 },
      { text: 'y' },
      { id: 1 },
      { text: ' ' },
      { id: 3 },
      { text: ' axb ' },
      { id: 4 },
    ]);
  });

  it('lstrip / rstrip absorb neighbouring whitespace; single_word skips matches inside words', () => {
    const m = new AddedTokenMatcher([tok(1, '<mask>', { lstrip: true }), tok(2, '<r>', { rstrip: true }), tok(3, 'cat', { singleWord: true })]);
    expect(m.split('is  <mask> now')).toEqual([{ text: 'is' }, { id: 1 }, { text: ' now' }]);
    expect(m.split('a <r>  b')).toEqual([{ text: 'a ' }, { id: 2 }, { text: 'b' }]);
    expect(m.split('cat concat cats cat.')).toEqual([{ id: 3 }, { text: ' concat cats ' }, { id: 3 }, { text: '.' }]);
  });
});

describe('added tokens from tokenizer_config.json', () => {
  it('normalized tokens match after normalization; special ones on the raw text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tok-added-'));
    try {
      copyFileSync(join(FIXTURES, 'bert-tiny', 'vocab.txt'), join(dir, 'vocab.txt'));
      writeFileSync(
        join(dir, 'tokenizer_config.json'),
        JSON.stringify({
          do_lower_case: true,
          added_tokens_decoder: {
            '29': { content: 'Hello-World', lstrip: false, rstrip: false, normalized: true, single_word: false, special: false },
            '30': { content: '<EXTRA>', lstrip: false, rstrip: false, normalized: false, single_word: false, special: true },
          },
        }),
      );
      const t = loadTokenizer(dir);
      expect(t.vocabSize).toBe(31);
      expect(t.encode('HELLO-WORLD the <EXTRA> hello', undefined, { addSpecialTokens: false }).ids).toEqual([29, 5, 30, 13]);
      expect(t.decode([29, 30, 13], { skipSpecialTokens: true })).toBe('Hello-World hello');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
