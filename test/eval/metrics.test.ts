import { describe, expect, it } from 'vitest';
import { accuracy, averageRanks, computeMetrics, f1, mcc, pearson, spearman } from '../../src/eval/index.js';

// Golden values from NumPy/SciPy 1.17 (scipy.stats.pearsonr / spearmanr; MCC from the confusion
// matrix formula), computed outside this code base.
const pb = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1];
const rb = [0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0];
const p3 = [1, 0, 2, 2, 0, 1, 2, 2, 2, 1, 0, 2, 1, 0, 0, 1, 2, 1, 1, 2, 2, 1, 1, 1, 0, 0, 1, 1, 1, 0];
const r3 = [0, 0, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 0, 1, 1, 1, 0, 0, 1, 2, 0, 1, 2, 2, 0];
const x = [-0.8, 0.6, -2.0, -0.5, -0.1, 1.3, 0.7, -0.3, -0.4, -0.3, 1.5, -0.4, -0.3, 0.4, -0.1, -0.2, -1.1, -0.0, -0.4, 1.2, 0.7, -0.0, 0.7, -0.3, 1.1];
const y = [-0.8, 1.2, -3.3, -0.2, -1.8, -0.7, 0.4, -1.2, -0.2, 1.9, 0.7, -1.0, -0.1, 0.9, -0.3, -0.4, -0.4, 0.5, -1.4, 1.1, 0.7, -1.1, 1.0, -1.2, 2.1];

describe('metrics', () => {
  it('match SciPy/NumPy golden values', () => {
    expect(accuracy(pb, rb)).toBeCloseTo(0.6, 12);
    expect(f1(pb, rb)).toBeCloseTo(0.6190476190476191, 12);
    expect(mcc(pb, rb)).toBeCloseTo(0.22566773346211, 12);
    expect(mcc(p3, r3)).toBeCloseTo(0.05834032048280743, 12);
    expect(pearson(x, y)).toBeCloseTo(0.6645711973298103, 12);
    expect(spearman(x, y)).toBeCloseTo(0.5734185047138237, 12);
  });

  it('handles degenerate cases like scikit-learn', () => {
    expect(mcc([1, 1, 1], [1, 0, 1])).toBe(0);
    expect(f1([0, 0], [0, 0])).toBe(0);
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]))).toBe(true);
    expect(Array.from(averageRanks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
  });

  it('computes named metrics and rejects unknown names and length mismatches', () => {
    expect(computeMetrics(['accuracy', 'f1'], [1, 0], [1, 1])).toEqual({ accuracy: 0.5, f1: 2 / 3 });
    expect(() => computeMetrics(['bleu' as never], [1], [1])).toThrow(/unknown metric 'bleu'/);
    expect(() => accuracy([1, 2], [1])).toThrow(/2 predictions for 1 references/);
  });
});
