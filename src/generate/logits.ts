/**
 * Scores of the next token, in JavaScript on one row of logits at a time (float64):
 *
 *   logSoftmax   log p_i = x_i − max − log Σ exp(x_j − max)            (beam search scores)
 *   banNgrams    HF's NoRepeatNGramLogitsProcessor: with n-gram size n and row t_0..t_{L−1}, every
 *                token that follows an earlier occurrence of (t_{L−n+1} … t_{L−1}) gets −∞
 *                (the row includes the prompt and its left padding, as HF sees it)
 *   topK         the k largest entries, descending; ties keep the lower index first
 */

/** log-softmax of logits[offset .. offset+n) into a new Float64Array. */
export function logSoftmax(logits: ArrayLike<number>, offset: number, n: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[offset + i]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[offset + i] - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = logits[offset + i] - lse;
  return out;
}

/** Tokens that would complete an n-gram already present in `row`. */
export function bannedTokens(row: readonly number[], n: number): number[] {
  const len = row.length;
  if (n <= 0 || len + 1 < n) return [];
  const banned: number[] = [];
  const start = len - n + 1;
  for (let i = 0; i + n <= len; i++) {
    let match = true;
    for (let j = 0; j < n - 1 && match; j++) match = row[i + j] === row[start + j];
    if (match) banned.push(row[i + n - 1]);
  }
  return banned;
}

/** Sets scores[offset + t] = −∞ for every banned token t. */
export function banNgrams(row: readonly number[], n: number, scores: Float64Array | Float32Array, offset = 0): void {
  for (const t of bannedTokens(row, n)) scores[offset + t] = -Infinity;
}

/** Indices of the k largest values (descending; equal values: lower index first). NaN never wins. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (idx.length === k && !(v > val[k - 1])) continue;
    let p = idx.length === k ? k - 1 : idx.length;
    while (p > 0 && v > val[p - 1]) p--;
    idx.splice(p, 0, i);
    val.splice(p, 0, v);
    if (idx.length > k) {
      idx.pop();
      val.pop();
    }
  }
  return idx;
}

/** Index of the largest value (the first one on ties), as torch.argmax. */
export function argmax(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}
