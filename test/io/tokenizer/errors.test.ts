/**
 * Bad input: every failure is a TokenizerError naming the directory or file, the field, and the fix.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer, parseMerges, parseVocabJson, TokenizerError } from '../../../src/io/tokenizer/index.js';
import { FIXTURES } from './corpora.js';

const root = mkdtempSync(join(tmpdir(), 'tok-err-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh directory holding `files` (name → content). */
function dirWith(files: Record<string, string>): string {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function loadError(dir: string): TokenizerError {
  try {
    loadTokenizer(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(TokenizerError);
    return e as TokenizerError;
  }
  throw new Error(`loading ${dir} did not fail`);
}

const VOCAB = JSON.stringify({ a: 0, b: 1, ab: 2 });

describe('loadTokenizer errors', () => {
  it('a directory without tokenizer files names the directory and every file looked for', () => {
    for (const dir of [dirWith({ 'config.json': '{}' }), join(root, 'does-not-exist')]) {
      const m = loadError(dir).message;
      expect(m).toContain(dir);
      expect(m).toContain('tokenizer.json');
      expect(m).toContain('vocab.json + merges.txt');
      expect(m).toContain('vocab.txt');
    }
    expect(loadError(dirWith({ 'config.json': '{}' })).message).toContain("holds 'config.json'");
  });

  it('vocab.json without merges.txt and the reverse', () => {
    const a = dirWith({ 'vocab.json': VOCAB });
    expect(loadError(a).message).toBe(`${a}: found vocab.json but not merges.txt; a byte-level BPE tokenizer needs both files (or a tokenizer.json)`);
    const b = dirWith({ 'merges.txt': 'a b\n' });
    expect(loadError(b).message).toContain('found merges.txt but not vocab.json');
  });

  it('malformed vocab.json', () => {
    const cases: Array<[string, string]> = [
      ['{"a": 0,', 'vocab.json: not valid JSON'],
      ['["a", "b"]', 'vocab.json: the top level must be an object mapping tokens to ids'],
      ['{"a": 0, "b": "1"}', 'vocab.json: id of token "b" must be a non-negative integer, got "1"'],
      ['{"a": -1}', 'vocab.json: id of token "a" must be a non-negative integer, got -1'],
      ['{"a": 0.5}', 'vocab.json: id of token "a" must be a non-negative integer, got 0.5'],
      ['{"a": 0, "b": 0}', 'vocab.json: id 0 is used by both "a" and "b"'],
      ['{}', 'vocab.json: the vocabulary is empty'],
    ];
    for (const [text, message] of cases) {
      const dir = dirWith({ 'vocab.json': text, 'merges.txt': '#version: 0.2\n' });
      const m = loadError(dir).message;
      expect(m.startsWith(join(dir, message))).toBe(true);
    }
  });

  it('merges referencing symbols or producing tokens missing from the vocabulary', () => {
    const dir = dirWith({ 'vocab.json': VOCAB, 'merges.txt': '#version: 0.2\na b\na c\n' });
    expect(loadError(dir).message).toBe(
      `${join(dir, 'merges.txt')}: merge 2 ("a c") uses symbol "c", which is not in the vocabulary; merges.txt and vocab.json must come from the same tokenizer`,
    );
    const noResult = dirWith({ 'vocab.json': JSON.stringify({ a: 0, b: 1 }), 'merges.txt': 'a b\n' });
    expect(loadError(noResult).message).toContain('uses merged token "ab"');
  });

  it('a merges.txt line without exactly two symbols names the line', () => {
    const dir = dirWith({ 'vocab.json': VOCAB, 'merges.txt': '#version: 0.2\na b\na b c\n' });
    expect(loadError(dir).message).toBe(`${join(dir, 'merges.txt')}: line 3 must hold two symbols separated by one space, got "a b c"`);
  });

  it('tokenizer.json: invalid JSON and unsupported components name the file and JSON path', () => {
    const bad = dirWith({ 'tokenizer.json': '{"model": ' });
    expect(loadError(bad).message).toContain(`${join(bad, 'tokenizer.json')}: not valid JSON`);
    const json = JSON.parse(readFileSync(join(FIXTURES, 'roberta-tiny-json', 'tokenizer.json'), 'utf8'));
    json.pre_tokenizer = { type: 'Metaspace', replacement: '▁', add_prefix_space: true };
    const meta = dirWith({ 'tokenizer.json': JSON.stringify(json) });
    expect(loadError(meta).message).toBe(
      `${join(meta, 'tokenizer.json')}: pre_tokenizer.type 'Metaspace' is not supported; supported: 'ByteLevel', 'BertPreTokenizer', 'Whitespace', 'WhitespaceSplit', 'Sequence'`,
    );
  });

  it('an empty vocab.txt and a malformed tokenizer_config.json', () => {
    const empty = dirWith({ 'vocab.txt': '' });
    expect(loadError(empty).message).toBe(`${join(empty, 'vocab.txt')}: the vocabulary is empty`);
    const cfg = dirWith({ 'tokenizer_config.json': '{oops' });
    copyFileSync(join(FIXTURES, 'bert-tiny', 'vocab.txt'), join(cfg, 'vocab.txt'));
    expect(loadError(cfg).message).toContain(`${join(cfg, 'tokenizer_config.json')}: not valid JSON`);
  });

  it('the parsers can be used alone and report the name they are given', () => {
    expect(() => parseVocabJson('[]', 'my-vocab.json')).toThrow('my-vocab.json: the top level must be an object');
    expect(() => parseMerges('a\n', 'my-merges.txt')).toThrow('my-merges.txt: line 1');
    expect(parseMerges('#version: 0.2\r\na b\r\n\r\nab c\r\n', 'crlf')).toEqual([
      ['a', 'b'],
      ['ab', 'c'],
    ]);
  });
});
