/**
 * Seeded grouping of a dimension into K groups (GRASP paper eq. 1–2).
 *
 * The paper expands K learned values to D by repeating them ⌈D/K⌉ times, truncating to D and
 * permuting with a fixed permutation. With `tiled[d] = d mod K` and a seeded permutation π of 0..D-1,
 * the expanded vector is v̂[d] = v[tiled[π[d]]] = v[π[d] mod K]; position d belongs to group
 * `assign[d] = π[d] mod K`. Every group has ⌊D/K⌋ or ⌈D/K⌉ members.
 *
 * Expansion in the engine is a matMul with a fixed 0/1 indicator E [K, D] (E[k, d] = 1 when
 * assign[d] = k), never a `gather` (gather's gradient, UnsortedSegmentSum, is not registered on
 * wasm). The gradient of v̂ = v·E is dv = dv̂·Eᵀ, computed with Eᵀ stored explicitly so no matMul
 * runs in its slow transposed form.
 */
import { batchMatMul, customOp, Rng, tf } from '../tensor/index.js';

export interface Grouping {
  /** Expanded dimension D. */
  readonly size: number;
  /** Number of groups K. */
  readonly groups: number;
  /** Group of each position, length D. */
  readonly assign: Int32Array;
  /** Members per group, length K. */
  readonly counts: Int32Array;
}

/** Throws a message naming `what` unless 1 ≤ K ≤ D and K is an integer. */
export function checkGroupCount(k: number, size: number, what: string): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`${what}: the number of groups must be an integer ≥ 1, got ${k}`);
  if (k > size) throw new Error(`${what}: ${k} groups exceed the dimension ${size}; use at most ${size}`);
}

/**
 * Groups `size` positions into `groups` groups with the permutation drawn from `rng`
 * (the stream is consumed; pass a dedicated fork). `groups === size` with `identity` true gives
 * the identity assignment (one position per group, no permutation).
 */
export function makeGrouping(size: number, groups: number, rng: Rng | null, what = 'grouping'): Grouping {
  checkGroupCount(groups, size, what);
  const assign = new Int32Array(size);
  if (rng === null) {
    for (let d = 0; d < size; d++) assign[d] = d % groups;
  } else {
    const perm = rng.permutation(size);
    for (let d = 0; d < size; d++) assign[d] = perm[d] % groups;
  }
  const counts = new Int32Array(groups);
  for (let d = 0; d < size; d++) counts[assign[d]]++;
  return { size, groups, assign, counts };
}

/** v̂[d] = v[assign[d]] on plain arrays (merge and reference computations). */
export function expandArray(values: ArrayLike<number>, g: Grouping): Float32Array {
  if (values.length !== g.groups) throw new Error(`expandArray: ${values.length} values for ${g.groups} groups`);
  const out = new Float32Array(g.size);
  for (let d = 0; d < g.size; d++) out[d] = values[g.assign[d]];
  return out;
}

/** Indicator E [K, D] as row-major data. */
export function indicatorData(g: Grouping): Float32Array {
  const e = new Float32Array(g.groups * g.size);
  for (let d = 0; d < g.size; d++) e[g.assign[d] * g.size + d] = 1;
  return e;
}

/**
 * The engine side of a grouping: E [K, D] and Eᵀ [D, K] as kept tensors, and a differentiable
 * expansion. Owns its tensors (`dispose`).
 */
export class GroupExpander {
  readonly e: tf.Tensor2D;
  readonly et: tf.Tensor2D;
  private readonly op: (...inputs: tf.Tensor[]) => tf.Tensor;
  private readonly rowOp: (...inputs: tf.Tensor[]) => tf.Tensor;

  constructor(readonly grouping: Grouping) {
    const { groups: k, size: d } = grouping;
    this.e = tf.keep(tf.tensor2d(indicatorData(grouping), [k, d]));
    this.et = tf.keep(tf.transpose(this.e));
    const { e, et } = this;
    this.op = customOp((inputs, save) => {
      save([]);
      return { value: tf.matMul(inputs[0] as tf.Tensor2D, e), gradFunc: (dy) => [tf.matMul(dy as tf.Tensor2D, et)] };
    });
    this.rowOp = customOp((inputs, save) => {
      save([]);
      return { value: tf.matMul(et, inputs[0] as tf.Tensor2D), gradFunc: (dy) => [tf.matMul(e, dy as tf.Tensor2D)] };
    });
  }

  /** v [rows, K] → v·E [rows, D]; gradient dv = dy·Eᵀ. */
  expand(v: tf.Tensor2D): tf.Tensor2D {
    if (v.shape[1] !== this.grouping.groups) throw new Error(`GroupExpander: expected [*, ${this.grouping.groups}], got [${v.shape}]`);
    return this.op(v) as tf.Tensor2D;
  }

  /** Row expansion m [K, cols] → Eᵀ·m [D, cols] (row d is row assign[d] of m); gradient E·dy. */
  expandRows(m: tf.Tensor2D): tf.Tensor2D {
    if (m.shape[0] !== this.grouping.groups) throw new Error(`GroupExpander: expected [${this.grouping.groups}, *], got [${m.shape}]`);
    return this.rowOp(m) as tf.Tensor2D;
  }

  /** Sums over each group: x [rows, D] → x·Eᵀ [rows, K] (no gradient path needed). */
  reduce(x: tf.Tensor2D): tf.Tensor2D {
    return tf.matMul(x, this.et);
  }

  dispose(): void {
    this.e.dispose();
    this.et.dispose();
  }
}

/**
 * The expansions of several Sites that share a dimension D, batched: planes [S, K] (one row per
 * Site: γ of every Site, β of every Site, …) are stacked to [S, P, K] and multiplied by the Sites'
 * stacked indicators [S, K, D] in one batched matMul (gradient: one by the stacked Eᵀ), on wasm the
 * SIMD kernel (tf's batched matMul took 11 ms for roberta-base's 12 feed-forward Sites). With 72 Sites
 * the per-kernel overhead of tfjs otherwise costs more than the arithmetic. Owns its tensors.
 */
export class StackedExpander {
  readonly size: number;
  readonly sites: number;
  private readonly e: tf.Tensor3D;
  private readonly et: tf.Tensor3D;
  private readonly op: (...inputs: tf.Tensor[]) => tf.Tensor;

  constructor(expanders: readonly GroupExpander[]) {
    this.size = expanders[0].grouping.size;
    this.sites = expanders.length;
    const e = (this.e = tf.keep(tf.stack(expanders.map((x) => x.e)) as tf.Tensor3D));
    const et = (this.et = tf.keep(tf.stack(expanders.map((x) => x.et)) as tf.Tensor3D));
    this.op = customOp((inputs, save) => {
      save([]);
      return { value: batchMatMul(inputs[0], e), gradFunc: (dy) => [batchMatMul(dy, et)] };
    });
  }

  /** planes[p] [S, K] → the expanded planes [S, D], in order. */
  expand(planes: readonly tf.Tensor[]): tf.Tensor2D[] {
    const [s, d, p] = [this.sites, this.size, planes.length];
    const v = p === 1 ? tf.reshape(planes[0], [s, 1, -1]) : tf.stack(planes as tf.Tensor[], 1);
    const out = this.op(v) as tf.Tensor3D;
    return (p === 1 ? [tf.reshape(out, [s, d])] : tf.unstack(out, 1)) as tf.Tensor2D[];
  }

  /**
   * A plane [S, D] as one vector per Site: [D] each by one unstack (gradient: one stack), or the
   * plane itself, [1, D], for a single Site (tfjs's Unpack gradient fails with one output).
   */
  perSite(plane: tf.Tensor2D): tf.Tensor[] {
    return this.sites === 1 ? [plane] : tf.unstack(plane);
  }

  dispose(): void {
    this.e.dispose();
    this.et.dispose();
  }
}
