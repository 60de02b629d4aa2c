/**
 * bench/kernels: each WebAssembly kernel module as assembled from its WAT source (src/tensor/wat/,
 * wasm-modules.generated.ts) against the same module as the former hand-written bytecode encoder
 * built it (bench/fixtures/kernels-hand-encoded.json), both instantiated on the wasm backend's heap and
 * called on the same tensors, alternating, in one run. Prints whether the two modules' code sections
 * are byte-identical, and per kernel the least of five alternating medians (7 calls each) and their ratio
 * (WAT / encoder). Target: ratio 1 within noise.
 *
 *   node --import tsx bench/kernels.ts
 */
import { readFileSync } from 'node:fs';
import { initBackend, Rng, tf } from '../src/tensor/index.js';
import { heapMemory, heapOffset, wasmApi } from '../src/tensor/wasm-heap.js';
import { WASM_MODULES } from '../src/tensor/wasm-modules.generated.js';
import type { WasmModuleName } from '../src/tensor/wat/index.js';
import { report, timeMs } from './util.js';

type Fns = Record<string, (...args: number[]) => void>;

await initBackend('wasm');
const backend = tf.backend();
const memory = heapMemory(backend);
const encoder = JSON.parse(readFileSync(new URL('./fixtures/kernels-hand-encoded.json', import.meta.url), 'utf8')) as Record<WasmModuleName, string>;

const bytesOf = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));
const instance = (bytes: Uint8Array<ArrayBuffer>): Fns => new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports as unknown as Fns;

/** The code section (id 10) of a module. */
function codeSection(bytes: Uint8Array): Uint8Array {
  let p = 8;
  const uleb = () => {
    let r = 0, s = 0, b;
    do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80);
    return r >>> 0;
  };
  while (p < bytes.length) {
    const id = bytes[p++], len = uleb();
    if (id === 10) return bytes.subarray(p, p + len);
    p += len;
  }
  throw new Error('bench/kernels: a module without a code section');
}

const rng = new Rng(0, 'bench/kernels');
const randn = (...shape: number[]) => tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
const absn = (...shape: number[]) => tf.abs(randn(...shape));
const off = (t: tf.Tensor) => heapOffset(backend, t);

// Shapes: attention's batched products on the shipped model, a [2048, 768] activation, StochGRASP's
// 2.4 M per-step normals, one 512 × 512 crossbar tile of 512 input vectors.
const [N, D] = [2048, 768];
const q = randn(48, 64, 64), k = randn(48, 64, 64), qk = tf.zeros([48, 64, 64]);
const x = randn(N, D), a = randn(D), c = randn(D), h = tf.zeros([N, D]), xi = tf.zeros([N, D]);
const s1 = randn(N), s2 = absn(N);
const normals = tf.zeros([2_400_000]);
const [T, TO] = [512, 512];
const p = randn(T, TO), z = randn(T, TO), y0 = randn(T, TO), y1 = tf.zeros([T, TO]), v = absn(TO), kk = absn(TO);
const aa = tf.tensor(Float32Array.from({ length: T * 4 }, (_, i) => (i % 4 === 1 ? 1.875 : i % 4 === 3 ? 1.5 : 0)), [T, 4]); // (a, ax) = (1, 0.25) as f64 pairs

const CALLS: Record<WasmModuleName, [string, (f: Fns) => void][]> = {
  batchMatMul: [['bmm [48, 64, 64]²', (f) => f.bmm(off(q), off(k), off(qk), 48, 64, 64, 64)]],
  inputAffine: [['forward [2048, 768]', (f) => f.forward(off(x), off(a), off(c), off(h), N, D)]],
  localNoise: [
    ['forward_noise_plus [2048, 768]', (f) => f.forward_noise_plus(off(x), off(a), off(s1), off(s2), off(a), off(c), off(h), off(xi), N, D, 12345, 678)],
    ['fill 2.4 M normals', (f) => f.fill(off(normals), 2_400_000 / 16, 12345, 678)],
  ],
  analog: [['adc1rank11 [512, 512]', (f) => f.adc1rank11(off(p), off(z), off(aa), off(v), off(kk), off(y0), off(y1), T, TO, 0.01, 127, -127)]],
};

for (const name of Object.keys(CALLS) as WasmModuleName[]) {
  const [wat, old] = [bytesOf(WASM_MODULES[name]), bytesOf(encoder[name])];
  const [cw, co] = [codeSection(wat), codeSection(old)];
  const identical = cw.length === co.length && cw.every((b, i) => b === co[i]);
  const [fw, fo] = [instance(wat), instance(old)];
  for (const [label, call] of CALLS[name]) {
    const tw: number[] = [], to: number[] = [];
    for (let round = 0; round < 5; round++) {
      to.push(timeMs(() => call(fo), 7, 3));
      tw.push(timeMs(() => call(fw), 7, 3));
    }
    const [mw, mo] = [Math.min(...tw), Math.min(...to)];
    report(`${name} ${label}`, { codeIdentical: String(identical), watMs: mw, encoderMs: mo, ratio: mw / mo });
  }
}
