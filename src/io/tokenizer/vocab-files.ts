/**
 * The classic vocabulary files: vocab.json + merges.txt (GPT-2 / RoBERTa byte-level BPE) and
 * vocab.txt (BERT WordPiece, one token per line, id = line number). Parsers validate and name the
 * file and line in every error.
 */
import { readFileSync } from 'node:fs';
import { messages, TokenizerError } from './errors.js';

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new TokenizerError(messages.unreadable(file, (e as Error).message));
  }
}

export function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TokenizerError(messages.badJson(file, (e as Error).message));
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * token → id from a parsed vocab.json object (or tokenizer.json `model.vocab`).
 * @throws TokenizerError for non-objects, non-integer or negative ids, and ids used twice
 */
export function vocabFromObject(obj: unknown, file: string, path = 'the top level'): Map<string, number> {
  if (!isObject(obj)) throw new TokenizerError(messages.notObject(file, path, 'an object mapping tokens to ids'));
  const vocab = new Map<string, number>();
  const seen = new Map<number, string>();
  for (const [tok, id] of Object.entries(obj)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerError(messages.badVocabEntry(file, tok, id));
    }
    const prev = seen.get(id);
    if (prev !== undefined) throw new TokenizerError(messages.duplicateVocabId(file, id, prev, tok));
    seen.set(id, tok);
    vocab.set(tok, id);
  }
  if (vocab.size === 0) throw new TokenizerError(messages.emptyVocab(file));
  return vocab;
}

export function parseVocabJson(text: string, file: string): Map<string, number> {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new TokenizerError(messages.badJson(file, (e as Error).message));
  }
  return vocabFromObject(obj, file);
}

/** merges.txt: optional "#version" header, then "a b" per line in rank order. Blank lines are skipped. */
export function parseMerges(text: string, file: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line === '' || (line.startsWith('#version') && out.length === 0)) continue;
    const parts = line.split(' ');
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new TokenizerError(messages.badMergeLine(file, i + 1, line));
    out.push([parts[0], parts[1]]);
  }
  return out;
}

/** vocab.txt: token per line, id = line index (a repeated token keeps its last line, as in BERT). */
export function parseVocabTxt(text: string, file: string): Map<string, number> {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((l, i) => vocab.set(l.endsWith('\r') ? l.slice(0, -1) : l, i));
  if (vocab.size === 0) throw new TokenizerError(messages.emptyVocab(file));
  return vocab;
}

/** Tokens ordered by id. */
export function byId(vocab: ReadonlyMap<string, number>): Array<[string, number]> {
  return [...vocab].sort((x, y) => x[1] - y[1]);
}

/** One entry per line in id order (built by hand: JSON.stringify would put integer-like keys first). */
export function formatVocabJson(vocab: ReadonlyMap<string, number>): string {
  const rows = byId(vocab).map(([t, id]) => `  ${JSON.stringify(t)}: ${id}`);
  return rows.length ? `{\n${rows.join(',\n')}\n}\n` : '{}\n';
}

export function formatMerges(merges: ReadonlyArray<readonly [string, string]>): string {
  return '#version: 0.2\n' + merges.map(([a, b]) => `${a} ${b}\n`).join('');
}

export function formatVocabTxt(vocab: ReadonlyMap<string, number>, file: string): string {
  const rows = byId(vocab);
  rows.forEach(([, id], i) => {
    if (id !== i) throw new TokenizerError(messages.saveGaps(file, i));
  });
  return rows.map(([t]) => t + '\n').join('');
}
