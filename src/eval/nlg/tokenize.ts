/**
 * The two tokenisations the E2E challenge's scripts (e2e-metrics, measure_scores.py) apply:
 *
 *   mteval     BLEU and NIST: mteval-v13a's "basic" tokenisation, as pymteval.py ports it — unescape
 *              &quot; &amp; &lt; &gt;, split off punctuation and symbols, split . and , unless next
 *              to a digit, split a dash after a digit, collapse spaces; then lowercase (both scripts
 *              score case-insensitively).
 *   coco       METEOR, ROUGE-L, CIDEr: pycocoevalcap's PTBTokenizer — Stanford CoreNLP's PTB
 *              tokeniser with -lowerCase, then punctuation tokens dropped. Here a re-implementation of
 *              the PTB rules that matter for English captions: punctuation split off, clitics
 *              ('s 're 've 'll 'd 'm n't) split, brackets and quotes removed (see docs/generation.md
 *              for what differs from CoreNLP).
 */

/** mteval-v13a basic tokenisation (pymteval.py's `tokenize`), lowercased. */
export function mtevalTokenize(text: string): string[] {
  let s = text.replace(/<skipped>/g, '').replace(/-\n/g, '').replace(/\n/g, ' ');
  s = s.replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  s = ` ${s} `;
  s = s.replace(/([{-~[-` -&(-+:-@/])/g, ' $1 ');
  s = s.replace(/([^0-9])([.,])/g, '$1 $2 ');
  s = s.replace(/([.,])([^0-9])/g, ' $1 $2');
  s = s.replace(/([0-9])(-)/g, '$1 $2 ');
  s = s.replace(/\s+/g, ' ').trim();
  return s === '' ? [] : s.toLowerCase().split(' ');
}

/** Tokens pycocoevalcap drops after PTB tokenisation. */
const COCO_PUNCTUATION = new Set(["''", "'", '``', '`', '-lrb-', '-rrb-', '-lcb-', '-rcb-', '.', '?', '!', ',', ':', '-', '--', '...', ';']);

/** pycocoevalcap's PTBTokenizer (lowercase, PTB splitting, punctuation removed). */
export function cocoTokenize(text: string): string[] {
  let s = ` ${text.toLowerCase()} `;
  s = s.replace(/\.\.\./g, ' ... ');
  s = s.replace(/([,;:@#$%&?!"()[\]{}])/g, ' $1 ');
  s = s.replace(/([^.])\.(?=[\s"')\]]*\s)/g, '$1 . ');          // sentence-final or pre-space period
  s = s.replace(/(\S)--(\S)/g, '$1 -- $2');
  s = s.replace(/(\w)n't\b/g, "$1 n't");
  s = s.replace(/(\w)'(s|re|ve|ll|d|m)\b/g, "$1 '$2");
  s = s.replace(/(^|\s)'(?!(?:s|re|ve|ll|d|m)\s)(?=\S)/g, "$1' ").replace(/(\S)'(?=\s)/g, "$1 '");
  const out: string[] = [];
  for (const t of s.split(/\s+/)) {
    if (t === '' || COCO_PUNCTUATION.has(t) || /^[()[\]{}"]$/.test(t)) continue;
    out.push(t);
  }
  return out;
}

/** n-gram counts of `tokens` for one n, keyed by the tokens joined with a space. */
export function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const k = tokens.slice(i, i + n).join(' ');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Checks a corpus: one hypothesis per item, at least one reference each; `what` names the metric. */
export function checkCorpus(hyps: readonly string[], refs: readonly (readonly string[])[], what: string): void {
  if (hyps.length !== refs.length) throw new Error(`${what}: ${hyps.length} hypotheses for ${refs.length} reference sets; give one reference set per hypothesis`);
  if (hyps.length === 0) throw new Error(`${what}: empty corpus`);
  refs.forEach((r, i) => {
    if (!Array.isArray(r) || r.length === 0) throw new Error(`${what}: reference set /${i} is empty; every item needs at least one reference`);
  });
}
