/**
 * Regression: on wasm, AnalogLinear's WebAssembly path started each bias-less output from freshly
 * allocated heap memory without clearing it, so every MVM after the first added the previous
 * output's values. Repeated MVMs through the simulator driver must equal the JavaScript path's.
 */
import { describe, expect, it } from 'vitest';
import { SimulatorDriver, type ChipMatrix } from '../../src/hil/index.js';
import { Rng } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

const PERIPHERY = { tile: { rows: 64, cols: 64 }, dac: { bits: 8 }, adc: { bits: 8, bound: 12 }, compensation: 'none' as const };

function outputs(execution: 'auto' | 'fused-js'): Float32Array[] {
  const chip = new SimulatorDriver({ profile: 'pcm-aihwkit', periphery: { ...PERIPHERY, execution }, tiles: 4 });
  const w = (seed: number): ChipMatrix => ({ rows: 64, cols: 64, data: new Rng(seed, 'w').fillNormal(new Float32Array(64 * 64), 0, 0.05) });
  chip.programTileSync(0, w(1));
  chip.programTileSync(1, w(2));
  const x = (): ChipMatrix => ({ rows: 32, cols: 64, data: new Rng(3, 'x').fillNormal(new Float32Array(32 * 64), 0, 1) });
  return [0, 1, 0, 1].map((tile) => chip.mvmSync([{ tile, inputs: x() }])[0].data);
}

describe('repeated MVMs on wasm', () => {
  it('equal the JavaScript path call after call', async () => {
    await useBackend('wasm');
    const wasm = outputs('auto');
    const js = outputs('fused-js');
    for (let i = 0; i < wasm.length; i++) expect(Array.from(wasm[i])).toEqual(Array.from(js[i]));
  });
});
