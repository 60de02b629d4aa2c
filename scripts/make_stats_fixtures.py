#!/usr/bin/python3
"""Golden numbers for src/results/ (test/results/stats-golden.test.ts), from SciPy.

Run with Debian's python3 (apt-get install python3-scipy python3-numpy):
    /usr/bin/python3 scripts/make_stats_fixtures.py
Writes test/fixtures/stats/golden.json.

- mcnemar: exact two-sided p-values, scipy.stats.binomtest(b, b + c, 0.5).pvalue.
- accuracy: one run's 0/1 correctness; SciPy's percentile bootstrap CI of the mean
  (scipy.stats.bootstrap, method='percentile', 20000 resamples) and the Wald interval
  p ± z·√(p(1−p)/n).
- delta: two methods' paired predictions on the same examples; SciPy's paired percentile bootstrap
  of the accuracy difference (paired=True) and the analytic paired interval
  Δ ± z·√((b + c)/n² − (b − c)²/n³) (variance of a mean of per-example differences).
- pearson: regression predictions; SciPy's paired percentile bootstrap of Pearson's r.
Bootstrap intervals from different random streams agree only within Monte-Carlo error, so the test
compares them with a tolerance; the McNemar p-values are exact.
"""
import json
import os

import numpy as np
from scipy import stats

rng = np.random.default_rng(20261207)
Z = stats.norm.ppf(0.975)
B = 20000
out = {"scipy": __import__("scipy").__version__, "resamples": B}

out["mcnemar"] = [
    {"b": b, "c": c, "p": float(stats.binomtest(b, b + c, 0.5).pvalue) if b + c > 0 else 1.0}
    for b, c in [(0, 0), (1, 0), (5, 1), (10, 3), (3, 10), (12, 12), (20, 9), (40, 25), (7, 0), (150, 120), (600, 540)]
]

# One run: 400 examples, 3 classes; labels and correctness drawn once.
n = 400
labels = rng.integers(0, 3, n)
correct = rng.random(n) < 0.71
pred = np.where(correct, labels, (labels + 1 + rng.integers(0, 2, n)) % 3)
acc = float(np.mean(pred == labels))
res = stats.bootstrap(((pred == labels).astype(float),), np.mean, n_resamples=B, method="percentile", random_state=rng)
out["accuracy"] = {
    "labels": labels.tolist(),
    "predictions": pred.tolist(),
    "accuracy": acc,
    "scipyPercentile": [float(res.confidence_interval.low), float(res.confidence_interval.high)],
    "wald": [acc - Z * np.sqrt(acc * (1 - acc) / n), acc + Z * np.sqrt(acc * (1 - acc) / n)],
}

# Paired: method A flips some of the baseline's errors to right and a few rights to wrong.
base_correct = correct
flip_up = (~base_correct) & (rng.random(n) < 0.25)
flip_down = base_correct & (rng.random(n) < 0.04)
a_correct = (base_correct | flip_up) & ~flip_down
pred_a = np.where(a_correct, labels, (labels + 1) % 3)
ca, cb = (pred_a == labels).astype(float), (pred == labels).astype(float)
delta = float(ca.mean() - cb.mean())
b = int(np.sum((ca == 1) & (cb == 0)))
c = int(np.sum((ca == 0) & (cb == 1)))
res = stats.bootstrap((ca, cb), lambda x, y, axis=-1: np.mean(x, axis=axis) - np.mean(y, axis=axis), paired=True, vectorized=True,
                      n_resamples=B, method="percentile", random_state=rng)
half = Z * np.sqrt((b + c) / n**2 - (b - c) ** 2 / n**3)
out["delta"] = {
    "predictionsA": pred_a.tolist(),
    "delta": delta,
    "b": b,
    "c": c,
    "mcnemarP": float(stats.binomtest(b, b + c, 0.5).pvalue),
    "scipyPercentile": [float(res.confidence_interval.low), float(res.confidence_interval.high)],
    "analytic": [delta - half, delta + half],
}

# Pearson on 300 regression examples.
m = 300
y = np.round(rng.normal(0, 1, m), 6)
yhat = np.round(0.6 * y + rng.normal(0, 0.8, m), 6)
res = stats.bootstrap((yhat, y), lambda u, v: stats.pearsonr(u, v)[0], paired=True, vectorized=False,
                      n_resamples=5000, method="percentile", random_state=rng)
out["pearson"] = {
    "labels": y.tolist(),
    "predictions": yhat.tolist(),
    "r": float(stats.pearsonr(yhat, y)[0]),
    "scipyPercentile": [float(res.confidence_interval.low), float(res.confidence_interval.high)],
    "resamples": 5000,
}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "stats", "golden.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(path))
