/**
 * Reading a float32 tensor's values without a copy where the backend allows it. On wasm, `dataSync`
 * slices the wasm heap into a fresh array (one allocation of the tensor's size per read — for the
 * per-tile partial sums that is most of the garbage an analog forward pass makes). Here the heap is
 * viewed in place instead.
 *
 * The view is valid only until the next TF.js op (which may grow and so detach the wasm heap) and
 * until the tensor is disposed: read it at once. This uses the wasm backend's internals
 * (`dataIdMap`, `wasm.HEAPU8`; checked at every call) and falls back to `dataSync` whenever they
 * are not as expected.
 */
import { tf } from '../tensor/index.js';

interface WasmInternals {
  dataIdMap: { get(id: object): { memoryOffset: number; dtype: string } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

export function readFloat32(t: tf.Tensor): Float32Array {
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm') {
    const b = tf.backend() as unknown as Partial<WasmInternals>;
    const entry = b.dataIdMap?.get(t.dataId as object);
    const heap = b.wasm?.HEAPU8;
    if (entry && heap && entry.dtype === 'float32' && typeof entry.memoryOffset === 'number' && entry.memoryOffset % 4 === 0) {
      return new Float32Array(heap.buffer, heap.byteOffset + entry.memoryOffset, t.size);
    }
  }
  return t.dataSync() as Float32Array;
}
