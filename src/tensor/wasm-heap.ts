/**
 * Direct access to the wasm backend's heap, for the few kernels grasp-hil writes itself
 * (batch-matmul.ts, random.ts): tensors live in the backend's WebAssembly.Memory at a byte offset,
 * and a kernel that allocates its output through the backend is tracked by the engine like any other.
 */
import type { tf } from './engine.js';

export interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** The backend's memory object. */
export function heapMemory(backend: unknown): WebAssembly.Memory {
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
