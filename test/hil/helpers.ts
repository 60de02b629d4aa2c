/** Shared by the chip-driver tests: seeded matrices and the gRPC status of a failed call. */
import { HilError, type ChipMatrix as Matrix } from '../../src/hil/index.js';
import { Rng } from '../../src/tensor/index.js';

/** A [rows, cols] matrix of N(0, std²) draws from stream Rng(seed, 'hil-test'). */
export function matrix(rows: number, cols: number, seed: number, std = 0.1): Matrix {
  return { rows, cols, data: new Rng(seed, 'hil-test').fillNormal(new Float32Array(rows * cols), 0, std) };
}

/** The HilError code and message `p` rejects with (an error if it resolves or throws something else). */
export async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e = await p.then(() => null, (err: unknown) => err);
  if (!(e instanceof HilError)) throw new Error(`expected a HilError, got ${String(e)}`);
  return { code: e.code, message: e.message };
}
