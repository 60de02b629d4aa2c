/**
 * Porter's stemming algorithm as published (M. F. Porter, "An algorithm for suffix stripping",
 * Program 14(3), 1980) — steps 1a, 1b, 1c, 2, 3, 4, 5a, 5b on a lowercased word:
 *
 *   consonant  a letter other than a e i o u, and other than y after a consonant
 *   m          the number of VC sequences in the stem ([C](VC)^m[V])
 *   *v*        the stem contains a vowel;  *d  it ends in a double consonant;
 *   *o         it ends consonant-vowel-consonant, the last not w, x or y
 *
 * In each step the longest matching suffix is taken; if its condition fails the step changes nothing.
 * NLTK's `PorterStemmer(mode='ORIGINAL_ALGORITHM')` implements the same paper and is the test's reference.
 */

function isConsonant(w: string, i: number): boolean {
  const c = w[i];
  if ('aeiou'.includes(c)) return false;
  if (c === 'y') return i === 0 ? true : !isConsonant(w, i - 1);
  return true;
}

/** Porter's m of a stem. */
export function measure(stem: string): number {
  let m = 0;
  let i = 0;
  const n = stem.length;
  while (i < n && isConsonant(stem, i)) i++;
  while (i < n) {
    while (i < n && !isConsonant(stem, i)) i++;
    if (i >= n) break;
    while (i < n && isConsonant(stem, i)) i++;
    m++;
  }
  return m;
}

const hasVowel = (s: string) => [...s].some((_, i) => !isConsonant(s, i));
const doubleConsonant = (s: string) => s.length >= 2 && s[s.length - 1] === s[s.length - 2] && isConsonant(s, s.length - 1);
const cvc = (s: string) => {
  const n = s.length;
  return n >= 3 && isConsonant(s, n - 3) && !isConsonant(s, n - 2) && isConsonant(s, n - 1) && !'wxy'.includes(s[n - 1]);
};

type Rule = [suffix: string, replacement: string, condition: (stem: string) => boolean];

/** Applies the rule with the longest matching suffix; returns null when no suffix matches. */
function applyLongest(w: string, rules: readonly Rule[]): { word: string; applied: boolean; suffix: string } | null {
  let best: Rule | null = null;
  for (const r of rules) if (w.endsWith(r[0]) && (!best || r[0].length > best[0].length)) best = r;
  if (!best) return null;
  const stem = w.slice(0, w.length - best[0].length);
  return best[2](stem) ? { word: stem + best[1], applied: true, suffix: best[0] } : { word: w, applied: false, suffix: best[0] };
}

const m0 = (s: string) => measure(s) > 0;
const m1 = (s: string) => measure(s) > 1;
const always = () => true;

const STEP2: Rule[] = [
  ['ational', 'ate', m0], ['tional', 'tion', m0], ['enci', 'ence', m0], ['anci', 'ance', m0], ['izer', 'ize', m0],
  ['abli', 'able', m0], ['alli', 'al', m0], ['entli', 'ent', m0], ['eli', 'e', m0], ['ousli', 'ous', m0],
  ['ization', 'ize', m0], ['ation', 'ate', m0], ['ator', 'ate', m0], ['alism', 'al', m0], ['iveness', 'ive', m0],
  ['fulness', 'ful', m0], ['ousness', 'ous', m0], ['aliti', 'al', m0], ['iviti', 'ive', m0], ['biliti', 'ble', m0],
];
const STEP3: Rule[] = [
  ['icate', 'ic', m0], ['ative', '', m0], ['alize', 'al', m0], ['iciti', 'ic', m0], ['ical', 'ic', m0], ['ful', '', m0], ['ness', '', m0],
];
const STEP4: Rule[] = [
  ...['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize']
    .map((s): Rule => [s, '', m1]),
  ['ion', '', (s) => m1(s) && (s.endsWith('s') || s.endsWith('t'))],
];

export function porterStem(word: string): string {
  let w = word.toLowerCase();
  // Step 1a
  w = applyLongest(w, [['sses', 'ss', always], ['ies', 'i', always], ['ss', 'ss', always], ['s', '', always]])?.word ?? w;
  // Step 1b
  const b = applyLongest(w, [['eed', 'ee', m0], ['ed', '', hasVowel], ['ing', '', hasVowel]]);
  if (b) {
    w = b.word;
    if (b.applied && b.suffix !== 'eed') {
      if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e';
      else if (doubleConsonant(w) && !'lsz'.includes(w[w.length - 1])) w = w.slice(0, -1);
      else if (measure(w) === 1 && cvc(w)) w += 'e';
    }
  }
  // Step 1c
  if (w.endsWith('y') && hasVowel(w.slice(0, -1))) w = `${w.slice(0, -1)}i`;
  // Steps 2–4
  for (const rules of [STEP2, STEP3, STEP4]) w = applyLongest(w, rules)?.word ?? w;
  // Step 5a
  if (w.endsWith('e')) {
    const s = w.slice(0, -1);
    const m = measure(s);
    if (m > 1 || (m === 1 && !cvc(s))) w = s;
  }
  // Step 5b
  if (measure(w) > 1 && doubleConsonant(w) && w.endsWith('l')) w = w.slice(0, -1);
  return w;
}
