/**
 * The one `linear` op every linear layer uses: y = x·W + b with W stored [in, out].
 *
 * Why a custom gradient: on wasm, `matMul` with transposeA/transposeB runs 10–30× slower than an
 * explicit `tf.transpose` followed by a plain `matMul`, and autograd's MatMul gradient uses the
 * transposed forms. So the backward pass here transposes explicitly:
 *   dx = dy · Wᵀ      (Wᵀ cached once for frozen weights)
 *   dW = xᵀ · dy      (only when W is trainable — a frozen weight gets no gradient at all)
 *   db = Σ_rows dy
 */
import { tf } from './engine.js';
import { customOp } from './custom.js';

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

/** Frozen W: inputs [x] or [x, b]; no weight gradient. */
function frozenOp(fw: FrozenMatrix, withBias: boolean) {
  return customOp((inputs, save) => {
    save([]);
    const y = mm(inputs[0], fw.value);
    return {
      value: withBias ? tf.add(y, inputs[1]) : y,
      gradFunc: (dy) => (withBias ? [mm(dy, fw.transposed()), tf.sum(dy, 0)] : [mm(dy, fw.transposed())]),
    };
  });
}

/** Trainable (or derived) W: inputs [x, W] or [x, W, b]. */
const trainableOp = (withBias: boolean) =>
  customOp((inputs, save) => {
    save([inputs[0], inputs[1]]);
    const y = mm(inputs[0], inputs[1]);
    return {
      value: withBias ? tf.add(y, inputs[2]) : y,
      gradFunc: (dy, [sx, sw]) => {
        const grads = [mm(dy, tf.transpose(sw)), mm(tf.transpose(sx), dy)];
        if (withBias) grads.push(tf.sum(dy, 0));
        return grads;
      },
    };
  });
const trainableWithBias = trainableOp(true);
const trainableNoBias = trainableOp(false);

/**
 * y = x·W + b over the last axis of x (typically [batch, seq, in] → [batch, seq, out]).
 * W: [in, out] — a `FrozenMatrix` (no weight gradient, cached transpose) or a plain tensor that may
 * depend on trainable variables (its gradient is xᵀ·dy). b: [out] or null.
 */
export function linear(x: tf.Tensor, w: LinearWeight, b: tf.Tensor1D | null = null): tf.Tensor {
  const W = w instanceof FrozenMatrix ? w.value : w;
  const outF = W.shape[1];
  if (b !== null && (b.rank !== 1 || b.shape[0] !== outF)) {
    throw new Error(`linear: bias shape [${b.shape}] does not match weight's output dimension ${outF}`);
  }
  const x2 = flatten(x, W.shape[0], 'linear');
  let y: tf.Tensor;
  if (w instanceof FrozenMatrix) {
    y = b === null ? frozenOp(w, false)(x2) : frozenOp(w, true)(x2, b);
  } else {
    y = b === null ? trainableNoBias(x2, W) : trainableWithBias(x2, W, b);
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
