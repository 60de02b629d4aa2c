#!/usr/bin/python3
"""Golden bootstrap CIs for grasp-hil's generation tables (src/report/generation-table.ts), from an
independent implementation: the corpus metrics of scripts/make_nlg_fixtures.py (NLTK's alignment for
METEOR, the mteval-v13a BLEU/NIST formulas, pycocoevalcap's ROUGE-L and CIDEr-D formulas, each
recomputed from scratch on every resampled corpus) and numpy's percentile (linear interpolation).

Run with Debian's python3-nltk and python3-numpy:

    /usr/bin/python3 scripts/make_nlg_bootstrap_fixtures.py   # writes test/fixtures/nlg/bootstrap.json

The resample draws are grasp-hil's: a port of src/tensor/rng.ts (xoshiro128** seeded through
splitmix32 from FNV-1a of "<seed>\\0<stream>") with the stream names and draw order of
src/results/stats.ts:
  estimate  stream 'bootstrap/<condition key>/<entry>'; per replicate: one run index per run
            (int(R) each), then one MR index per MR (int(n) each); the replicate is the mean over the
            drawn runs of the corpus metric of that run's hypotheses on the drawn MRs
  delta     stream 'bootstrap/<condition key>/<entry>/vs/<baseline>'; runs matched by seed: one pair
            index per pair, then the MRs, replicate = mean over drawn pairs of metric_A - metric_B;
            unmatched: A's runs, then B's runs, then the MRs, replicate = mean_A - mean_B
So the TypeScript test feeds the same rows and seed and must reproduce every interval to float
precision: the draws are shared, everything computed on them is independent.
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_nlg_fixtures import (HYPS, METEOR_15, PORTER, REFS, NoWordNet, cider_d, coco_tokens, meteor_formula, meteor_items,  # noqa: E402
                               mteval_bleu, mteval_nist, mteval_tokenize, rouge_l)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'nlg', 'bootstrap.json')
M32 = 0xFFFFFFFF
SEED = 5
B = 300
LEVEL = 0.95


def hash32(text, basis=0x811C9DC5):
    h = basis
    units = text.encode('utf-16-le')
    for i in range(0, len(units), 2):
        h ^= units[i] | (units[i + 1] << 8)
        h = (h * 0x01000193) & M32
    return h


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Rng:
    """src/tensor/rng.ts: xoshiro128**, state from splitmix32 of FNV-1a("<seed>\\0<path>")."""

    def __init__(self, seed, path):
        st = hash32('%s\u0000%s' % (seed, path))
        s = []
        for _ in range(4):
            st = (st + 0x9E3779B9) & M32
            z = st
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            s.append((z ^ (z >> 16)) & M32)
        if s[0] | s[1] | s[2] | s[3] == 0:
            s[0] = 1
        self.s = s

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = (rotl((s1 * 5) & M32, 7) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def int(self, n):
        return math.floor(self.next_uint32() / 4294967296 * n)

    def draws(self, k, n):
        return [self.int(n) for _ in range(k)]


METRICS = ['BLEU', 'NIST', 'METEOR', 'ROUGE_L', 'CIDEr']


def corpus_scores(hyps, refs):
    """The five metrics of one corpus, scaled as e2e-metrics prints them, each computed from scratch."""
    mh, mr = [mteval_tokenize(h) for h in hyps], [[mteval_tokenize(r) for r in rs] for rs in refs]
    ch, cr = [coco_tokens(h) for h in hyps], [[coco_tokens(r) for r in rs] for rs in refs]
    _, stats = meteor_items(ch, cr, PORTER, NoWordNet())
    total = [sum(x[k] for x in stats) for k in range(6)]
    return {
        'BLEU': 100 * mteval_bleu(mh, mr),
        'NIST': mteval_nist(mh, mr),
        'METEOR': 100 * meteor_formula(*total, *METEOR_15),
        'ROUGE_L': 100 * sum(rouge_l(h, rs) for h, rs in zip(ch, cr)) / len(ch),
        'CIDEr': cider_d(ch, cr)[0],
    }


def on(hyps, idx):
    return corpus_scores([hyps[i] for i in idx], [REFS[i] for i in idx])


def interval(reps):
    lo, hi = np.percentile(np.array(reps), [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2])
    return [float(lo), float(hi)]


def estimate(cond_key, entry, runs):
    n = len(REFS)
    rng = Rng(SEED, 'bootstrap/%s/%s' % (cond_key, entry))
    reps = {m: [] for m in METRICS}
    for _ in range(B):
        units = rng.draws(len(runs), len(runs))
        idx = rng.draws(n, n)
        per = [on(runs[u], idx) for u in units]
        for m in METRICS:
            reps[m].append(sum(p[m] for p in per) / len(per))
    full = [corpus_scores(h, REFS) for h in runs]
    return {m: sum(f[m] for f in full) / len(full) for m in METRICS}, {m: interval(reps[m]) for m in METRICS}


def delta(cond_key, entry, base, a_runs, b_runs, pairs):
    n = len(REFS)
    rng = Rng(SEED, 'bootstrap/%s/%s/vs/%s' % (cond_key, entry, base))
    reps = {m: [] for m in METRICS}
    for _ in range(B):
        if pairs is not None:
            ua = rng.draws(len(pairs), len(pairs))
            idx = rng.draws(n, n)
            diffs = []
            for u in ua:
                i, j = pairs[u]
                sa, sb = on(a_runs[i], idx), on(b_runs[j], idx)
                diffs.append({m: sa[m] - sb[m] for m in METRICS})
            for m in METRICS:
                reps[m].append(sum(d[m] for d in diffs) / len(diffs))
        else:
            ua = rng.draws(len(a_runs), len(a_runs))
            ub = rng.draws(len(b_runs), len(b_runs))
            idx = rng.draws(n, n)
            sa = [on(a_runs[u], idx) for u in ua]
            sb = [on(b_runs[u], idx) for u in ub]
            for m in METRICS:
                reps[m].append(sum(x[m] for x in sa) / len(sa) - sum(x[m] for x in sb) / len(sb))
    return {m: interval(reps[m]) for m in METRICS}


def main():
    first_refs = [rs[0] for rs in REFS]
    # Arms × runs (training seeds): hypotheses of each run, with spaced punctuation as the E2E corpus.
    arms = {
        'base': [list(HYPS), HYPS[:4] + ['Alimentum is a pub .', 'Blue Spice is a coffee shop .', 'Cotto is cheap .', 'Fitzbillies is a coffee shop .', 'The Mill is cheap .']],
        'method': [first_refs[:3] + HYPS[3:], first_refs[:6] + HYPS[6:]],
        'other': [list(HYPS), first_refs[:2] + HYPS[2:], [r[-1] for r in REFS]],
    }
    cond = {'kind': 'noise', 'task': 't', 'profile': None, 'noiseSigma': 0, 't': None, 'compensation': None, 'sweep': None, 'scales': None}
    cond_key = json.dumps(cond, separators=(',', ':'), ensure_ascii=False)
    out = {
        'generator': 'scripts/make_nlg_bootstrap_fixtures.py (nltk %s, numpy %s)' % (__import__('nltk').__version__, np.__version__),
        'seed': SEED, 'resamples': B, 'level': LEVEL, 'conditionKey': cond_key, 'baseline': 'base',
        'items': ['mr%d' % i for i in range(len(REFS))], 'refs': REFS,
        'rngCheck': {'seed': 3, 'stream': 'check', 'n': 9, 'draws': Rng(3, 'check').draws(8, 9)},
        'arms': {},
    }
    for entry, runs in arms.items():
        point, ci = estimate(cond_key, entry, runs)
        rec = {'runs': [{'trainSeed': k, 'hypotheses': h} for k, h in enumerate(runs)], 'metrics': point, 'ci': ci}
        if entry != 'base':
            pairs = [[k, k] for k in range(len(runs))] if len(runs) == len(arms['base']) else None
            rec['pairing'] = 'seeds+examples' if pairs else 'examples'
            rec['deltaCi'] = delta(cond_key, entry, 'base', runs, arms['base'], pairs)
        out['arms'][entry] = rec
        print(entry, {m: (round(point[m], 4), [round(x, 4) for x in ci[m]]) for m in METRICS})
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
