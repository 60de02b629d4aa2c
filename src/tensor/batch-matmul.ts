/**
 * Batched matrix product C[b] = A[b]·B[b] for the wasm backend, as a small WebAssembly SIMD kernel
 * that works in place on the backend's own heap.
 *
 * Why: tfjs-backend-wasm hands a matMul to XNNPACK only when there is no batch dimension; every
 * batched product (attention's Q·Kᵀ and P·V, [batch, heads, seq, ·]) runs through one generic
 * scalar loop at 1–2 GFLOP/s, against ≈ 25 GFLOP/s for a plain matMul — on the shipped model the
 * attention products took half of a training step. Splitting into per-head 2-D matMuls does not
 * help (the slices copy, and every fresh right operand builds and frees an XNNPACK operator).
 *
 * The kernel: 4 rows × 8 columns of C per tile, eight f32x4 accumulators; per step of the inner
 * dimension it loads two vectors of B and splats one element of each of the four A rows. It is
 * generated here as WebAssembly bytecode (no toolchain needed), imports the backend's memory and
 * reads tensors at their heap offsets; the output is allocated by the backend, so the engine tracks
 * it like any kernel's. Shapes it does not tile (M % 4 ≠ 0 or N % 8 ≠ 0), other backends, and a
 * runtime without WebAssembly SIMD fall back to tf.matMul. `node --import tsx bench/linear.ts`
 * compares both.
 *
 * No gradient is registered: it is meant for ops with hand-written gradients (attention.ts).
 */
import { tf } from './engine.js';

const KERNEL = 'GraspHilBatchMatMul';

// ── a minimal WebAssembly encoder for one function ──────────────────────────────────────────

const uleb = (v: number): number[] => {
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

const I32 = 0x7f, V128 = 0x7b, EMPTY = 0x40;
const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const ADD = [0x6a], MUL = [0x6c], SHL = [0x74], GE_S = [0x4e];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const load = (offset = 0) => simd(0x00, 2, ...uleb(offset));
const loadSplat = () => simd(0x09, 2, 0);
const store = (offset = 0) => simd(0x0b, 2, ...uleb(offset));
const ZERO = simd(0x0c, ...new Array(16).fill(0));
const F32X4_ADD = simd(0xe4), F32X4_MUL = simd(0xe6);
/** local += delta (i32). */
const bump = (l: number, delta: number[]) => [...get(l), ...delta, ...ADD, ...set(l)];
/** block { loop { if (counter >= limit) break; body; continue } } */
const forLoop = (counter: number, limit: number, body: number[]) => [
  0x02, EMPTY, 0x03, EMPTY, ...get(counter), ...get(limit), ...GE_S, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b,
];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  // Parameters: a, b, c (byte offsets), batch, m, k, n.
  const [A, B, C, BATCH, M, K, N] = [0, 1, 2, 3, 4, 5, 6];
  // i32 locals 7…18, v128 locals 19…29.
  const [BI, I, J, P, PA0, PA1, PA2, PA3, PB, K4, N4, T] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const ACC = [19, 20, 21, 22, 23, 24, 25, 26];
  const [B0, B1, AV] = [27, 28, 29];
  const PA = [PA0, PA1, PA2, PA3];

  const inner = [
    ...get(PB), ...load(0), ...set(B0),
    ...get(PB), ...load(16), ...set(B1),
    ...PA.flatMap((pa, r) => [
      ...get(pa), ...loadSplat(), ...set(AV),
      ...get(ACC[2 * r]), ...get(AV), ...get(B0), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC[2 * r]),
      ...get(ACC[2 * r + 1]), ...get(AV), ...get(B1), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC[2 * r + 1]),
      ...bump(pa, i32(4)),
    ]),
    ...bump(PB, get(N4)),
    ...bump(P, i32(1)),
  ];
  const tile = [
    ...ACC.flatMap((acc) => [...ZERO, ...set(acc)]),
    // pa_r = a + (i + r)·k·4, pb = b + j·4
    ...get(A), ...get(I), ...get(K4), ...MUL, ...ADD, ...set(PA0),
    ...get(PA0), ...get(K4), ...ADD, ...set(PA1),
    ...get(PA1), ...get(K4), ...ADD, ...set(PA2),
    ...get(PA2), ...get(K4), ...ADD, ...set(PA3),
    ...get(B), ...get(J), ...i32(2), ...SHL, ...ADD, ...set(PB),
    ...i32(0), ...set(P),
    ...forLoop(P, K, inner),
    // t = c + i·n·4 + j·4; four rows of two vectors
    ...get(C), ...get(I), ...get(N4), ...MUL, ...ADD, ...get(J), ...i32(2), ...SHL, ...ADD, ...set(T),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...(r > 0 ? bump(T, get(N4)) : []),
      ...get(T), ...get(ACC[2 * r]), ...store(0),
      ...get(T), ...get(ACC[2 * r + 1]), ...store(16),
    ]),
    ...bump(J, i32(8)),
  ];
  const rows = [...i32(0), ...set(J), ...forLoop(J, N, tile), ...bump(I, i32(4))];
  const batches = [
    ...i32(0), ...set(I), ...forLoop(I, M, rows),
    ...bump(A, [...get(M), ...get(K4), ...MUL]),
    ...bump(B, [...get(K), ...get(N4), ...MUL]),
    ...bump(C, [...get(M), ...get(N4), ...MUL]),
    ...bump(BI, i32(1)),
  ];
  const code = [
    ...get(K), ...i32(2), ...SHL, ...set(K4),
    ...get(N), ...i32(2), ...SHL, ...set(N4),
    ...i32(0), ...set(BI),
    ...forLoop(BI, BATCH, batches),
    0x0b,
  ];
  const body = [...vec([[12, I32], [11, V128]]), ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(new Array(7).fill([I32])), ...vec([])]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([uleb(0)])),
    ...section(7, vec([[...name('bmm'), 0x00, ...uleb(0)]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

type BmmFn = (a: number, b: number, c: number, batch: number, m: number, k: number, n: number) => void;

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, BmmFn>();

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

function bmmFor(memory: WebAssembly.Memory): BmmFn {
  let fn = instances.get(memory);
  if (!fn) {
    fn = new WebAssembly.Instance(wasmModule()!, { env: { memory } }).exports.bmm as BmmFn;
    instances.set(memory, fn);
  }
  return fn;
}

let registered = false;

function register(): boolean {
  if (registered) return true;
  if (wasmModule() === null || !tf.findBackend('wasm')) return false;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const be = backend as unknown as WasmBackendLike;
      const a = inputs.a as tf.TensorInfo, b = inputs.b as tf.TensorInfo;
      const [batch, m, k] = a.shape, n = b.shape[2];
      const out = be.makeOutput([batch, m, n], 'float32');
      const at = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
      bmmFor(be.wasm.asm.memory)(at(a), at(b), at(out), batch, m, k, n);
      return out;
    },
  });
  registered = true;
  return true;
}

/**
 * a [..., M, K] · b [..., K, N] with equal leading dimensions (no broadcasting, no transposes).
 * Runs the SIMD kernel on wasm when M % 4 = 0 and N % 8 = 0, tf.matMul otherwise. No gradient.
 */
export function batchMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const r = a.rank;
  if (r < 3 || b.rank !== r || a.shape.slice(0, -2).some((d, i) => d !== b.shape[i]) || a.shape[r - 1] !== b.shape[r - 2]) {
    throw new Error(`batchMatMul: shapes [${a.shape}] and [${b.shape}] do not multiply batch by batch`);
  }
  const [m, k, n] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const fast = tf.getBackend() === 'wasm' && m % 4 === 0 && n % 8 === 0 && a.dtype === 'float32' && b.dtype === 'float32' && register();
  if (!fast) return tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);
  const batch = a.size / (m * k);
  const out = tf.engine().runKernel(KERNEL, { a: tf.reshape(a, [batch, m, k]), b: tf.reshape(b, [batch, k, n]) }, {}) as tf.Tensor;
  return tf.reshape(out, [...a.shape.slice(0, -2), m, n]);
}
