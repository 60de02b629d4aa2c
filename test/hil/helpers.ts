/** Shared by the chip-driver tests: seeded matrices, a programmed chip and the gRPC status of a failed call. */
import { HilError, type ChipDriver, type ChipMatrix as Matrix } from '../../src/hil/index.js';
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

/**
 * The start of the driver scripts that compare a served driver with an in-process one: reset (seed 5),
 * capabilities, tiles 0 and 5 programmed, one hour of drift, tile 5 read back. Returns those results.
 */
export async function programmedChip(d: ChipDriver): Promise<unknown[]> {
  await d.reset(5);
  const out: unknown[] = [await d.capabilities()];
  out.push(await d.programTile(0, matrix(64, 32, 1)));
  out.push(await d.programTile(5, matrix(20, 9, 2)));
  out.push(await d.advance(3600));
  out.push((await d.readTile(5)).values);
  return out;
}
