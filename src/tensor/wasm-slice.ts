/**
 * Slice, SplitV and Unpack kernels for the wasm backend that read their input in place.
 *
 * The wasm backend's Slice starts with `backend.readSync(x)`, which copies the WHOLE input out of
 * the heap into a new JavaScript buffer, and its SplitV and Unpack call that Slice once per output:
 * splitting a vector of n floats into p parts copies n·p floats. Measured here: splitting LoRA's
 * 297,218 optimiser values (roberta-base, r = 8) into its 49 parameters took 130–250 ms, and
 * unstacking 60 GRASP vectors of 768 floats 8–48 ms, per training step. These kernels do the same
 * slices through views of the heap (output allocated first: an allocation may grow the heap and
 * detach earlier views). Strings go to the original kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { onceOnWasm } from './wasm-heap.js';

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

/** x[begin : begin + size] into a new tensor, copying the innermost rows from a heap view. */
function sliceInfo(backend: HeapBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const count = tf.util.sizeFromShape(size);
  if (count === 0) return out;
  const xv = backend.typedArrayFromHeap(x), ov = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const at = tf.slice_util.computeFlatOffset(begin, strides);
    ov.set(xv.subarray(at, at + count));
    return out;
  }
  // Rows of the last axis, over every index of the leading axes (odometer order).
  const rank = x.shape.length, row = size[rank - 1];
  const index = new Array(rank - 1).fill(0);
  for (let o = 0; o < count; o += row) {
    let at = begin[rank - 1];
    for (let a = 0; a < rank - 1; a++) at += (begin[a] + index[a]) * strides[a];
    ov.set(xv.subarray(at, at + row), o);
    for (let a = rank - 2; a >= 0 && ++index[a] === size[a]; a--) index[a] = 0;
  }
  return out;
}

function replace(name: string, kernelFunc: (args: { inputs: tf.NamedTensorInfoMap; backend: HeapBackend; attrs: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[]): void {
  const original = tf.getKernel(name, 'wasm');
  if (!original) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = Object.values(args.inputs)[0] as tf.TensorInfo;
      if (x.dtype === 'string') return original.kernelFunc(args);
      return kernelFunc(args as unknown as Parameters<typeof kernelFunc>[0]);
    },
  });
}

export function registerHeapSlices(): void {
  replace('Slice', ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin as number | number[], attrs.size as number | number[]);
    return sliceInfo(backend, x, begin, size);
  });
  replace('SplitV', ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs.numOrSizeSplits as number | number[], axis);
    const begin = new Array(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const out = sliceInfo(backend, x, [...begin], size);
      begin[axis] += s;
      return out;
    });
  });
  replace('Unpack', ({ inputs, backend, attrs }) => {
    const x = inputs.value as tf.TensorInfo;
    const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + x.shape.length : (attrs.axis as number);
    const outShape = x.shape.filter((_, i) => i !== axis);
    const size = [...x.shape];
    size[axis] = 1;
    return Array.from({ length: x.shape[axis] }, (_, i) => {
      const begin = new Array(x.shape.length).fill(0);
      begin[axis] = i;
      const { dataId, dtype } = sliceInfo(backend, x, begin, size);
      return { dataId, dtype, shape: outShape };
    });
  });
}

// ── flat concat / split for the optimiser ────────────────────────────────────────────────────

const CONCAT_FLAT = 'GraspHilConcatFlat', SPLIT_SHAPES = 'GraspHilSplitShapes';

const registerFlatKernels = onceOnWasm(() => {
  tf.registerKernel({
    kernelName: CONCAT_FLAT,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as HeapBackend;
      const parts = Object.keys(inputs).sort((p, q) => Number(p.slice(1)) - Number(q.slice(1))).map((k) => inputs[k] as tf.TensorInfo);
      const out = b.makeOutput([parts.reduce((n, t) => n + tf.util.sizeFromShape(t.shape), 0)], 'float32');
      const ov = b.typedArrayFromHeap(out);
      let at = 0;
      for (const t of parts) {
        const v = b.typedArrayFromHeap(t);
        ov.set(v, at);
        at += v.length;
      }
      return out;
    },
  });
  tf.registerKernel({
    kernelName: SPLIT_SHAPES,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as HeapBackend;
      const shapes = (attrs as unknown as { shapes: number[][] }).shapes;
      const outs = shapes.map((s) => b.makeOutput(s, 'float32'));
      const xv = b.typedArrayFromHeap(inputs.x as tf.TensorInfo);
      let at = 0;
      for (const o of outs) {
        const ov = b.typedArrayFromHeap(o);
        ov.set(xv.subarray(at, at + ov.length));
        at += ov.length;
      }
      return outs;
    },
  });
});

/**
 * The float32 tensors `ts`, flattened and concatenated into one vector: one heap copy on wasm (the
 * composed version is a Reshape per tensor of rank > 1 and a Concat; with `splitShapes`, AdamW's
 * step over StochGRASP's 48 parameters of shape [1, 32] went from 0.41 to 0.27 ms, alternating runs).
 * No gradient.
 */
export function concatFlat(ts: readonly tf.Tensor[]): tf.Tensor1D {
  if (tf.getBackend() === 'wasm' && ts.every((t) => t.dtype === 'float32') && registerFlatKernels()) {
    return tf.engine().runKernel(CONCAT_FLAT, Object.fromEntries(ts.map((t, i) => [`x${i}`, t])), {}) as tf.Tensor1D;
  }
  return tf.concat(ts.map((t) => (t.rank === 1 ? t : tf.reshape(t, [-1])))) as tf.Tensor1D;
}

/** The inverse: consecutive pieces of the float32 vector `v` in the given shapes. No gradient. */
export function splitShapes(v: tf.Tensor1D, shapes: readonly number[][]): tf.Tensor[] {
  if (tf.getBackend() === 'wasm' && v.dtype === 'float32' && registerFlatKernels()) {
    return tf.engine().runKernel(SPLIT_SHAPES, { x: v }, { shapes } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  }
  const parts = tf.split(v, shapes.map((s) => tf.util.sizeFromShape(s)));
  return parts.map((p, i) => (shapes[i].length === 1 ? p : tf.reshape(p, shapes[i])));
}
