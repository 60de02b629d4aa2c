/**
 * The WAT sources of grasp-hil's WebAssembly kernels, one module each. scripts/write-kernels.ts
 * assembles them with wabt into src/tensor/wasm-modules.generated.ts, which the kernels load at run
 * time (no toolchain needed then); test/tensor/wasm-kernels.test.ts checks that the committed bytes
 * equal the assembled sources. Edit a source here, then run `node --import tsx scripts/write-kernels.ts`.
 */
import { source as analog } from './analog.wat.js';
import { source as batchMatMul } from './batch-matmul.wat.js';
import { source as inputAffine } from './input-affine.wat.js';
import { source as localNoise } from './local-noise.wat.js';

export const WAT_SOURCES = { analog, batchMatMul, inputAffine, localNoise } as const;
export type WasmModuleName = keyof typeof WAT_SOURCES;
