/**
 * Direct access to the wasm backend's heap, for the few kernels grasp-hil writes itself
 * (batch-matmul.ts, input-affine.ts, local-noise.ts, embedding.ts, random.ts, crossbar/analog-kernels.ts): tensors live in the backend's WebAssembly.Memory at a byte offset,
 * and a kernel that allocates its output through the backend is tracked by the engine like any other.
 */
import { tf } from './engine.js';

/**
 * The slice of the WebAssembly JS API grasp-hil uses, typed here: the build's `lib` (ES2023 and
 * Node's types) does not declare the WebAssembly namespace, which TypeScript ships only with the DOM
 * and web-worker libs.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory & { grow(pages: number): number };
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface WasmBackendLike {
  wasm: { asm: { memory: WasmMemory } };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** The backend's memory object. */
export function heapMemory(backend: unknown): WasmMemory {
  return (backend as WasmBackendLike).wasm.asm.memory;
}

/** Byte offset of a tensor's data in the heap. */
export function heapOffset(backend: unknown, t: tf.TensorInfo): number {
  return (backend as WasmBackendLike).dataIdMap.get(t.dataId).memoryOffset;
}

/** A new float32 output tensor allocated by the backend. */
export function heapOutput(backend: unknown, shape: number[]): tf.TensorInfo {
  return (backend as WasmBackendLike).makeOutput(shape, 'float32');
}

/**
 * Registers a wasm kernel that writes its outputs in place: `outputShapes` gives the output shapes
 * from the input shapes (in `inputNames` order); the backend allocates them; `run` gets the byte
 * offsets of the inputs then the outputs, the input shapes and the kernel's attributes. An input
 * the caller leaves out (optional) gets offset 0 and shape [].
 */
/** Whether a `registerHeapKernel` input was given (an omitted optional input has shape []). */
export const given = (shape: number[]): boolean => shape.length > 0;

export function registerHeapKernel(
  name: string,
  inputNames: readonly string[],
  outputShapes: (shapes: number[][], attrs: tf.NamedAttrMap) => number[][],
  run: (backend: unknown, offsets: number[], shapes: number[][], attrs: tf.NamedAttrMap) => void,
): void {
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs = {} }) => {
      const ins = inputNames.map((k) => inputs[k] as tf.TensorInfo | undefined);
      const shapes = ins.map((t) => t?.shape ?? []);
      const outs = outputShapes(shapes, attrs).map((s) => heapOutput(backend, s));
      const offsets = [...ins.map((t) => (t ? heapOffset(backend, t) : 0)), ...outs.map((t) => heapOffset(backend, t))];
      run(backend, offsets, shapes, attrs);
      return outs.length === 1 ? outs[0] : outs;
    },
  });
}

/**
 * A kernel registration that runs once, the first time the wasm backend exists and `available()`
 * holds (the SIMD module validates). The returned check says whether the kernels are registered;
 * callers use tf ops when it is false.
 */
export function onceOnWasm(register: () => void, available: () => boolean = () => true): () => boolean {
  let done = false;
  return () => {
    if (!done && available() && tf.findBackend('wasm')) {
      register();
      done = true;
    }
    return done;
  };
}

/**
 * readFloat32: reading a float32 tensor's values without a copy where the backend allows it. On wasm, `dataSync`
 * slices the wasm heap into a fresh array (one allocation of the tensor's size per read — for the
 * per-tile partial sums that is most of the garbage an analog forward pass makes). Here the heap is
 * viewed in place instead.
 *
 * The view is valid only until the next TF.js op (which may grow and so detach the wasm heap) and
 * until the tensor is disposed: read it at once. This uses the wasm backend's internals
 * (`dataIdMap`, `wasm.HEAPU8`; checked at every call) and falls back to `dataSync` whenever they
 * are not as expected.
 */
interface WasmReadInternals {
  dataIdMap: { get(id: object): { memoryOffset: number; dtype: string } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

export function readFloat32(t: tf.Tensor): Float32Array {
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm') {
    const b = tf.backend() as unknown as Partial<WasmReadInternals>;
    const entry = b.dataIdMap?.get(t.dataId as object);
    const heap = b.wasm?.HEAPU8;
    if (entry && heap && entry.dtype === 'float32' && typeof entry.memoryOffset === 'number' && entry.memoryOffset % 4 === 0) {
      return new Float32Array(heap.buffer, heap.byteOffset + entry.memoryOffset, t.size);
    }
  }
  return t.dataSync() as Float32Array;
}
