/** Backends the tests run every op on. tfjs-node joins when it is installed. */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/tensor/index.js';

export const TEST_BACKENDS = ['cpu', 'wasm'] as const;

export async function useBackend(name: string): Promise<void> {
  await initBackend(name);
  if (tf.getBackend() !== (name === 'node' ? 'tensorflow' : name)) throw new Error(`backend ${name} did not activate`);
}

/** Max |a − b| over two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
