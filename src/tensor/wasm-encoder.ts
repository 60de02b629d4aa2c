/**
 * A minimal WebAssembly encoder for the hand-written SIMD kernels (batch-matmul.ts, local-noise.ts):
 * instructions as byte arrays, functions with i32 parameters, one imported memory (the wasm
 * backend's heap). No toolchain is needed; `WebAssembly.validate` rejects a malformed module, and a
 * runtime without SIMD gets `null` and the callers fall back to tf ops.
 */
import { heapMemory, wasmApi, type WasmMemory } from './wasm-heap.js';

export const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
};
const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

export const I32 = 0x7f, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;
const EMPTY = 0x40;
export const get = (l: number) => [0x20, ...uleb(l)];
export const set = (l: number) => [0x21, ...uleb(l)];
export const i32 = (v: number) => [0x41, ...sleb(v)];
export const ADD = [0x6a], MUL = [0x6c], SHL = [0x74], GE_S = [0x4e];
export const F32_ADD = [0x92], F32_DIV = [0x95], F32_SQRT = [0x91];
/** f32.const v (little-endian IEEE 754). */
export const f32 = (v: number) => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
/** f32.load / f32.store at the address on the stack (+ a constant byte offset). */
export const f32Load = (offset = 0) => [0x2a, 2, ...uleb(offset)];
export const f32Store = (offset = 0) => [0x38, 2, ...uleb(offset)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
export const load = (offset = 0) => simd(0x00, 2, ...uleb(offset));
export const loadSplat = () => simd(0x09, 2, 0);
export const store = (offset = 0) => simd(0x0b, 2, ...uleb(offset));
export const ZERO = simd(0x0c, ...new Array(16).fill(0));
export const F32X4_SPLAT = simd(0x13);
export const extractLane = (lane: number) => simd(0x1f, lane);
export const F32X4_ADD = simd(0xe4), F32X4_MUL = simd(0xe6);
export const F32X4_SUB = simd(0xe5), F32X4_DIV = simd(0xe7), F32X4_SQRT = simd(0xe3), F32X4_GT = simd(0x44), F32X4_FROM_I32X4 = simd(0xfa);
export const I32X4_SPLAT = simd(0x11), V128_AND = simd(0x4e), V128_OR = simd(0x50), V128_XOR = simd(0x51), V128_BITSELECT = simd(0x52);
export const I32X4_SHL = simd(0xab), I32X4_SHR_S = simd(0xac), I32X4_SHR_U = simd(0xad), I32X4_ADD = simd(0xae), I32X4_SUB = simd(0xb1), I32X4_MUL = simd(0xb5);
export const SHR_U = [0x76];
/** v128.const of four i32 lanes. */
export const i32x4Const = (...lanes: [number, number, number, number]) => simd(0x0c, ...new Uint8Array(Int32Array.from(lanes).buffer));
/** v128.const: v in every i32 lane / every f32 lane. */
export const i32SplatConst = (v: number) => i32x4Const(v, v, v, v);
export const f32SplatConst = (v: number) => simd(0x0c, ...new Uint8Array(Float32Array.of(v, v, v, v).buffer));
/** Scalar f64 and f32 ↔ f64, and f64x2 (the crossbar periphery's kernels, which keep JavaScript's float64 arithmetic). */
export const f64 = (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
export const f64Load = (offset = 0) => [0x2b, 3, ...uleb(offset)];
export const f64Store = (offset = 0) => [0x39, 3, ...uleb(offset)];
export const F32_ABS = [0x8b], F64_PROMOTE = [0xbb], F32_DEMOTE = [0xb6], F64_FROM_I32 = [0xb7];
export const F64_ADD = [0xa0], F64_MUL = [0xa2], F64_DIV = [0xa3], F64_NEAREST = [0x9e], F64_LT = [0x63], F64_GT = [0x64], SELECT = [0x1b];
/** v128.load64_zero / v128.store64_lane (lane 0): two floats in, two floats out. */
export const load64Zero = (offset = 0) => simd(0x5d, 3, ...uleb(offset));
export const store64Lane0 = (offset = 0) => simd(0x5b, 3, ...uleb(offset), 0);
export const F64X2_SPLAT = simd(0x14), F64X2_PROMOTE_LOW = simd(0x5f), F32X4_DEMOTE_ZERO = simd(0x5e);
export const F64X2_ADD = simd(0xf0), F64X2_MUL = simd(0xf2), F64X2_SQRT = simd(0xef), F64X2_NEAREST = simd(0x94), F64X2_PMIN = simd(0xf6), F64X2_PMAX = simd(0xf7);
/** local += delta (i32). */
export const bump = (l: number, delta: number[]) => [...get(l), ...delta, ...ADD, ...set(l)];
/** block { loop { if (counter >= limit) break; body; continue } } */
export const forLoop = (counter: number, limit: number, body: number[]) => [
  0x02, EMPTY, 0x03, EMPTY, ...get(counter), ...get(limit), ...GE_S, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b,
];
/** Address local `base` + local `offset` (bytes). */
export const at = (base: number, offset: number) => [...get(base), ...get(offset), ...ADD];
/** Address local `base` + 4 × local `index` (the index-th float). */
export const at4 = (base: number, index: number) => [...get(base), ...get(index), ...i32(2), ...SHL, ...ADD];
/** The index-th float after `base`, splatted to an f32x4. */
export const splatAt = (base: number, index: number) => [...at4(base, index), ...f32Load(), ...F32X4_SPLAT];
/** Sum of the four lanes of the f32x4 in `local` (leaves an f32 on the stack). */
export const laneSum = (local: number) => [
  ...get(local), ...extractLane(0), ...get(local), ...extractLane(1), ...F32_ADD,
  ...get(local), ...extractLane(2), ...F32_ADD, ...get(local), ...extractLane(3), ...F32_ADD,
];

export interface WasmFunction {
  name: string;
  /** Number of parameters (byte offsets and sizes): i32 unless `paramTypes` says otherwise. */
  params: number;
  /** Value types of the parameters (I32, F32, F64), when not all i32. */
  paramTypes?: number[];
  /** Extra locals, [count, type] runs, numbered after the parameters. */
  locals: [number, number][];
  code: number[];
}

function moduleBytes(functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec((f.paramTypes ?? new Array(f.params).fill(I32)).map((t) => [t])), ...vec([])]);
  const bodies = functions.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.code, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}

export type KernelFn = (...args: number[]) => void;

/**
 * Compiles `functions` once (lazily) and instantiates them against a backend's heap memory (once per
 * memory object). `forBackend` returns null where the module does not validate (no SIMD).
 */
export class WasmKernels {
  private compiled: object | null | undefined;
  private readonly instances = new WeakMap<WasmMemory, Record<string, KernelFn>>();

  constructor(private readonly build: () => WasmFunction[]) {}

  available(): boolean {
    if (this.compiled === undefined) {
      const bytes = moduleBytes(this.build());
      this.compiled = wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
    }
    return this.compiled !== null;
  }

  forBackend(backend: unknown): Record<string, KernelFn> {
    return this.forMemory(heapMemory(backend));
  }

  /** The functions working on `memory` (a backend's heap, or a memory of the caller's own). */
  forMemory(memory: WasmMemory): Record<string, KernelFn> {
    if (!this.available()) throw new Error('WasmKernels: WebAssembly SIMD is not available');
    let fns = this.instances.get(memory);
    if (!fns) {
      fns = new wasmApi.Instance(this.compiled!, { env: { memory } }).exports as unknown as Record<string, KernelFn>;
      this.instances.set(memory, fns);
    }
    return fns;
  }
}
