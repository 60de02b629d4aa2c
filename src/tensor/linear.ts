/**
 * The one `linear` op every linear layer uses: y = x·W + b with W stored [in, out].
 *
 * Why a custom gradient: on wasm, `matMul` with transposeA/transposeB runs 10–30× slower than an
 * explicit `tf.transpose` followed by a plain `matMul`, and autograd's MatMul gradient uses the
 * transposed forms. So the backward pass here transposes explicitly:
 *   dx = dy · Wᵀ      (Wᵀ cached once for frozen weights)
 *   dW = xᵀ · dy      (only when W is trainable — a frozen weight gets no gradient at all)
 *   db = Σ_rows dy    (only when the bias is not marked frozen)
 * An optional input transform (scale, shift) is folded into the same op (`LinearOptions.pre`).
 *
 * A wasm trap found here: the backend caches its XNNPACK matmul operator by the right operand's
 * data id, so the same data used as a right operand with another shape (a reshape of it) aborts the
 * wasm module. Use a real `tf.transpose`, never a reshape, to turn a [1, n] row into an [n, 1] column
 * that goes on the right of a matMul.
 */
import { tf } from './engine.js';
import { affineRows } from './affine-rows.js';
import { inputAffine, inputAffineGrad } from './input-affine.js';
import { sumRows } from './sum-rows.js';
import { customOp } from './custom.js';
import { addLocalTerm, localTerm, localTermGrad, localTermInputGrad, rowStats, type LocalTerm } from './local-noise.js';

/**
 * A weight that never trains. Holds W [in, out] and, after the first backward pass, Wᵀ [out, in].
 * Owns both tensors: `dispose()` frees them.
 */
export class FrozenMatrix {
  private t: tf.Tensor2D | null = null;

  constructor(readonly value: tf.Tensor2D) {
    if (value.rank !== 2) throw new Error(`FrozenMatrix: expected a rank-2 tensor, got shape [${value.shape}]`);
  }

  get inFeatures(): number {
    return this.value.shape[0];
  }

  get outFeatures(): number {
    return this.value.shape[1];
  }

  /** Wᵀ [out, in], computed once and kept outside any tidy scope. */
  transposed(): tf.Tensor2D {
    if (this.t === null || this.t.isDisposed) this.t = tf.keep(tf.transpose(this.value));
    return this.t;
  }

  dispose(): void {
    this.t?.dispose();
    this.t = null;
    this.value.dispose();
  }
}

export type LinearWeight = tf.Tensor2D | FrozenMatrix;

function flatten(x: tf.Tensor, inFeatures: number, op: string): tf.Tensor2D {
  const last = x.shape[x.rank - 1];
  if (last !== inFeatures) {
    throw new Error(`${op}: input's last dimension is ${last}, weight expects ${inFeatures} (x shape [${x.shape}])`);
  }
  return (x.rank === 2 ? x : tf.reshape(x, [-1, inFeatures])) as tf.Tensor2D;
}

function outShape(x: tf.Tensor, outFeatures: number): number[] {
  return [...x.shape.slice(0, -1), outFeatures];
}

const mm = (a: tf.Tensor, b: tf.Tensor): tf.Tensor2D => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);

/**
 * An input transform folded into the linear op: the layer computes (x·scale + shift)·W + b, with
 * scale and shift [in] or [1, in] (either may be null). GRASP's x̃ = (x − β̂)/γ̂ and (IA)³'s
 * feed-forward scaling use it: one tape node per layer instead of two, and no reshapes between them.
 */
export interface InputAffine {
  /** [in] or [1, in]; its gradient comes back in the same shape. */
  scale: tf.Tensor | null;
  shift: tf.Tensor | null;
}

export interface LinearOptions {
  /** Input transform applied before the product (gradients flow to scale and shift). */
  pre?: InputAffine;
  /**
   * StochGRASP's local-reparameterisation term added to the output, y + s₁⊗μ̂ + ξ⊙(s₂⊗σ̂) of the
   * (transformed) input (local-noise.ts); gradients flow to μ̂ and σ̂. With a frozen W it runs inside
   * the layer's op: the bias joins its forward pass and the layer's input gradient its backward pass.
   */
  post?: LocalTerm;
  /**
   * The bias is a constant: no gradient is computed for it. A customGrad op computes every input's
   * gradient eagerly, so without this a frozen bias cost a row sum of dy per layer per step.
   */
  frozenBias?: boolean;
}

/**
 * Frozen W: the inputs are x, then scale and shift when `pre` has them, then b when it trains, then
 * μ̂ and σ̂ of `post`. A frozen bias is a constant of the op. Gradients: dx̃ = dy·Wᵀ (+ the term's
 * r₁ + x̃⊙(r₂/s₂)); dx = dx̃·scale; dscale = Σ_rows dx̃·x; dshift = Σ_rows dx̃; db = Σ_rows dy; dμ̂, dσ̂
 * from `localTermGrad`. No weight gradient.
 */
function frozenOp(fw: FrozenMatrix, bias: tf.Tensor1D | null, biasInput: boolean, hasScale: boolean, hasShift: boolean, post: LocalTerm | null) {
  return customOp((inputs, save) => {
    let i = 0;
    const x = inputs[i++];
    const a = hasScale ? inputs[i++] : null;
    const c = hasShift ? inputs[i++] : null;
    const b = biasInput ? inputs[i++] : bias;
    const mu = post ? inputs[i++] : null;
    const sigma = post?.sigma ? inputs[i++] : null;
    // Scale and shift together (GRASP) run as one SIMD pass each way on wasm (input-affine.ts).
    let h = a && c ? inputAffine(x as tf.Tensor2D, a, c) : a ? tf.mul(x, a) : x;
    if (c && !a) h = tf.add(h, c);
    const y = mm(h, fw.value);
    const saved = a ? [x, a] : [];
    let value: tf.Tensor;
    if (mu) {
      const { s1, s2 } = rowStats(h as tf.Tensor2D);
      const term = localTerm(y, b, s1, s2, { mu, sigma, key: post!.key });
      value = term.value;
      saved.push(h, s1, s2, mu, ...(sigma ? [sigma, term.xi!] : []));
    } else {
      value = b ? tf.add(y, b) : y;
    }
    save(saved);
    return {
      value,
      gradFunc: (dy, saved) => {
        let dh = mm(dy, fw.transposed());
        const termGrads: tf.Tensor[] = [];
        if (mu) {
          const [sh, s1, s2, smu, ssigma = null, sxi = null] = saved.slice(a ? 2 : 0) as tf.Tensor2D[];
          const g = localTermGrad(dy as tf.Tensor2D, sxi, s1, s2, smu, ssigma);
          dh = localTermInputGrad(sh, dh, g.r1, g.r2, s2);
          termGrads.push(g.dMu, ...(g.dSigma ? [g.dSigma] : []));
        }
        const like = (g: tf.Tensor, v: tf.Tensor) => (v.rank === 1 ? tf.reshape(g, [-1]) : g);
        let grads: tf.Tensor[];
        if (a && c) {
          const { dx, da, dc } = inputAffineGrad(dh, saved[0] as tf.Tensor2D, saved[1]);
          grads = [dx, like(da, a), like(dc, c)];
        } else {
          grads = [a ? tf.mul(dh, saved[1]) : dh];
          if (a) grads.push(like(sumRows(tf.mul(dh, saved[0])), a));
          if (c) grads.push(like(sumRows(dh), c));
        }
        if (biasInput) grads.push(tf.reshape(sumRows(dy), [-1]));
        return [...grads, ...termGrads];
      },
    };
  });
}

/** Trainable (or derived) W: inputs [x, W] or [x, W, b]; a frozen bias is a constant of the op. */
function trainableOp(bias: tf.Tensor1D | null, biasInput: boolean) {
  return customOp((inputs, save) => {
    save([inputs[0], inputs[1]]);
    const y = mm(inputs[0], inputs[1]);
    const b = biasInput ? inputs[2] : bias;
    return {
      value: b ? tf.add(y, b) : y,
      gradFunc: (dy, [sx, sw]) => {
        const grads: tf.Tensor[] = [mm(dy, tf.transpose(sw)), mm(tf.transpose(sx), dy)];
        if (biasInput) grads.push(tf.reshape(sumRows(dy), [-1]));
        return grads;
      },
    };
  });
}

/**
 * y = (x·scale + shift)·W + b over the last axis of x (typically [batch, seq, in] → [batch, seq, out]);
 * without `pre`, y = x·W + b. W: [in, out] — a `FrozenMatrix` (no weight gradient, cached transpose)
 * or a plain tensor that may depend on trainable variables (its gradient is xᵀ·dy). b: [out] or null.
 */
export function linear(x: tf.Tensor, w: LinearWeight, b: tf.Tensor1D | null = null, options: LinearOptions = {}): tf.Tensor {
  const W = w instanceof FrozenMatrix ? w.value : w;
  const inF = W.shape[0], outF = W.shape[1];
  if (b !== null && (b.rank !== 1 || b.shape[0] !== outF)) {
    throw new Error(`linear: bias shape [${b.shape}] does not match weight's output dimension ${outF}`);
  }
  const { pre, post = null, frozenBias = false } = options;
  const checkRow = (what: string, v: tf.Tensor | null | undefined, n: number) => {
    if (v && !((v.rank === 1 && v.shape[0] === n) || (v.rank === 2 && v.shape[0] === 1 && v.shape[1] === n))) {
      throw new Error(`linear: ${what} must be [${n}] or [1, ${n}], got [${v.shape}]`);
    }
  };
  checkRow('input scale', pre?.scale, inF);
  checkRow('input shift', pre?.shift, inF);
  checkRow('output term μ̂', post?.mu, outF);
  checkRow('output term σ̂', post?.sigma, outF);
  let x2 = flatten(x, inF, 'linear');
  const biasInput = b !== null && !frozenBias;
  const tail = biasInput ? [b] : [];
  let y: tf.Tensor;
  if (w instanceof FrozenMatrix) {
    const affine = [pre?.scale, pre?.shift].filter((v): v is tf.Tensor => !!v);
    const term = post ? [post.mu, ...(post.sigma ? [post.sigma] : [])] : [];
    y = frozenOp(w, b, biasInput, !!pre?.scale, !!pre?.shift, post)(x2, ...affine, ...tail, ...term);
  } else {
    if (pre && (pre.scale || pre.shift)) x2 = applyAffine(x2, pre);
    y = trainableOp(b, biasInput)(x2, W, ...tail);
    if (post) y = addLocalTerm(y, x2, post);
  }
  return x.rank === 2 ? y : tf.reshape(y, outShape(x, outF));
}

/**
 * y = x·Tᵀ for a table stored [out, in] (tied LM heads): the same explicit-transpose rule.
 * Gradient flows to x and, when `frozen` is false, to the table as dyᵀ·x.
 */
export function linearTransposed(x: tf.Tensor, table: tf.Tensor2D, frozen: boolean): tf.Tensor {
  const outF = table.shape[0];
  const x2 = flatten(x, table.shape[1], 'linearTransposed');
  let y: tf.Tensor;
  if (frozen) {
    y = customOp((inputs, save) => {
      save([]);
      return { value: mm(inputs[0], tf.transpose(table)), gradFunc: (dy) => [mm(dy, table)] };
    })(x2);
  } else {
    y = customOp((inputs, save) => {
      save([inputs[0], inputs[1]]);
      return {
        value: mm(inputs[0], tf.transpose(inputs[1])),
        gradFunc: (dy, [sx, st]) => [mm(dy, st), mm(tf.transpose(dy), sx)],
      };
    })(x2, table);
  }
  return x.rank === 2 ? y : tf.reshape(y, outShape(x, outF));
}

/** x·scale + shift over the last axis as its own op (when the transform cannot join a frozen linear). */
export function applyAffine<T extends tf.Tensor>(x: T, pre: InputAffine): T {
  const d = x.shape[x.rank - 1];
  const row = (v: tf.Tensor | null, fill: number) => (v === null ? tf.fill([1, d], fill) : v.rank === 1 ? tf.reshape(v, [1, d]) : v) as tf.Tensor2D;
  return affineRows(x, row(pre.scale, 1), row(pre.shift, 0));
}
