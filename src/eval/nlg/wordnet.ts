/**
 * Synonyms from a local WordNet 3.0 database folder (Princeton's `dict/` layout: index.noun …,
 * data.noun …, noun.exc …; Debian's wordnet-base installs it as /usr/share/wordnet), the way NLTK's
 * METEOR synonym stage looks them up:
 *
 *   synonyms(w) = {w} ∪ { lemma names without '_' of every synset of every base form of w }
 *   base forms  NLTK's morphy for noun, verb, adjective, adverb in that order: the exception list
 *               (e.g. "children" → "child"), else the word and its one-step detachments that are in
 *               the index, else detachments applied repeatedly until one is
 *
 * Lemma names keep the data files' case ("Japanese"), so capitalised lemmas match no lowercased word,
 * as in NLTK. Files are read once when the folder is loaded (≈ 25 MB); nothing is downloaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SynonymSource {
  /** The word itself and its synonyms. */
  synonyms(word: string): ReadonlySet<string>;
}

const POS = [['n', 'noun'], ['v', 'verb'], ['a', 'adj'], ['r', 'adv']] as const;
type Pos = (typeof POS)[number][0];

const SUBSTITUTIONS: Record<Pos, [string, string][]> = {
  n: [['s', ''], ['ses', 's'], ['ves', 'f'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  v: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  a: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  r: [],
};

export class WordNet implements SynonymSource {
  private readonly index = new Map<string, Map<Pos, number[]>>();
  private readonly exceptions = new Map<Pos, Map<string, string[]>>();
  private readonly data = new Map<Pos, Buffer>();
  private readonly cache = new Map<string, ReadonlySet<string>>();

  private constructor(readonly dir: string) {}

  /** Loads the database folder; a missing file is an error naming it and where WordNet comes from. */
  static load(dir: string): WordNet {
    const wn = new WordNet(dir);
    for (const [pos, name] of POS) {
      const file = (f: string) => {
        const p = join(dir, f);
        if (!existsSync(p)) throw new Error(`WordNet: ${p} not found; give the folder of a WordNet 3.0 database (index.noun, data.noun, noun.exc, …), e.g. /usr/share/wordnet from Debian's wordnet-base`);
        return p;
      };
      for (const line of readFileSync(file(`index.${name}`), 'utf8').split('\n')) {
        if (line === '' || line.startsWith(' ')) continue;
        const f = line.split(' ');
        const pCnt = Number(f[3]);
        const senseCnt = Number(f[4 + pCnt]);
        const offsets = f.slice(6 + pCnt, 6 + pCnt + senseCnt).map(Number);
        let m = wn.index.get(f[0]);
        if (!m) wn.index.set(f[0], (m = new Map()));
        m.set(pos, offsets);
      }
      const exc = new Map<string, string[]>();
      for (const line of readFileSync(file(`${name}.exc`), 'utf8').split('\n')) {
        const t = line.trim().split(/\s+/);
        if (t.length >= 2) exc.set(t[0], t.slice(1));
      }
      wn.exceptions.set(pos, exc);
      wn.data.set(pos, readFileSync(file(`data.${name}`)));
    }
    return wn;
  }

  /** NLTK's `_morphy`: base forms of `form` that WordNet lists under `pos`. */
  baseForms(form: string, pos: Pos): string[] {
    const known = (forms: string[]) => [...new Set(forms.filter((f) => this.index.get(f)?.has(pos)))];
    const exc = this.exceptions.get(pos)!.get(form);
    if (exc) return known([form, ...exc]);
    const apply = (forms: string[]) => forms.flatMap((f) => SUBSTITUTIONS[pos].filter(([old]) => f.endsWith(old)).map(([old, rep]) => f.slice(0, f.length - old.length) + rep));
    let forms = apply([form]);
    const first = known([form, ...forms]);
    if (first.length) return first;
    while (forms.length) {
      forms = apply(forms);
      const r = known(forms);
      if (r.length) return r;
    }
    return [];
  }

  private lemmaNames(pos: Pos, offset: number): string[] {
    const buf = this.data.get(pos)!;
    const end = buf.indexOf(10, offset);
    const f = buf.toString('utf8', offset, end < 0 ? buf.length : end).split(' ');
    const count = parseInt(f[3], 16);
    const names: string[] = [];
    for (let i = 0; i < count; i++) names.push(f[4 + 2 * i].replace(/\(.*\)$/, ''));
    return names;
  }

  synonyms(word: string): ReadonlySet<string> {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const lower = word.toLowerCase();
    const out = new Set<string>();
    for (const [pos] of POS) {
      for (const form of this.baseForms(lower, pos)) {
        for (const offset of this.index.get(form)!.get(pos)!) for (const n of this.lemmaNames(pos, offset)) if (!n.includes('_')) out.add(n);
      }
    }
    out.add(word);
    this.cache.set(word, out);
    return out;
  }
}
