/**
 * Loads one of the WebAssembly kernel modules (WAT sources in src/tensor/wat/, assembled by wabt into
 * wasm-modules.generated.ts) and instantiates it against a memory: the wasm backend's heap, where
 * the kernels read and write tensors at their byte offsets, or a memory of the caller's own. Each
 * module imports `env.memory` and exports functions of byte offsets, sizes and scalar attributes.
 *
 * A runtime without WebAssembly SIMD does not validate the modules: `available()` is then false and
 * the callers use their tf-op path (same numbers). Compiled once, instantiated once per memory.
 */
import { WASM_MODULES } from './wasm-modules.generated.js';
import type { WasmModuleName } from './wat/index.js';
import { heapMemory, wasmApi, type WasmMemory } from './wasm-heap.js';

/** A kernel function: byte offsets, sizes and scalar attributes in; its i32 result (e.g. a count) out, undefined when it has none. */
export type KernelFn = (...args: number[]) => number | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export class WasmKernels {
  private compiled: object | null | undefined;
  private readonly instances = new WeakMap<WasmMemory, Record<string, KernelFn>>();

  constructor(readonly module: WasmModuleName) {}

  /** Whether the module validates here (WebAssembly SIMD present). */
  available(): boolean {
    if (this.compiled === undefined) {
      const bytes = decodeBase64(WASM_MODULES[this.module]);
      this.compiled = wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
    }
    return this.compiled !== null;
  }

  /** The functions working on a wasm backend's heap. */
  forBackend(backend: unknown): Record<string, KernelFn> {
    return this.forMemory(heapMemory(backend));
  }

  /** The functions working on `memory` (a backend's heap, or a memory of the caller's own). */
  forMemory(memory: WasmMemory): Record<string, KernelFn> {
    if (!this.available()) throw new Error(`WasmKernels: the '${this.module}' module needs WebAssembly SIMD, which this runtime lacks; use the tf-op path`);
    let fns = this.instances.get(memory);
    if (!fns) {
      fns = new wasmApi.Instance(this.compiled!, { env: { memory } }).exports as unknown as Record<string, KernelFn>;
      this.instances.set(memory, fns);
    }
    return fns;
  }
}
