import { beforeAll, describe, expect, it } from 'vitest';
import { Chip, type PeripheryOptions } from '../../src/crossbar/index.js';
import { HilError, SimulatorDriver } from '../../src/hil/index.js';
import { tensorCount, tf } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';
import { matrix } from './helpers.js';

const PERIPHERY: PeripheryOptions = { tile: { rows: 64, cols: 32 }, dac: { bits: 8 }, adc: { bits: 8, bound: 10, noise: 0.04 }, readNoise: true };

async function expectCode(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(HilError);
  expect((e as HilError).code).toBe(code);
  expect((e as HilError).message).toMatch(text);
}

describe('SimulatorDriver', () => {
  beforeAll(() => useBackend('cpu'));

  it('reports capabilities from the profile and periphery', async () => {
    const d = new SimulatorDriver({ profile: 'pcm-aihwkit', periphery: PERIPHERY, tiles: 8, maxBatch: 16 });
    const c = await d.capabilities();
    expect(c).toMatchObject({ protocolVersion: 1, profile: 'pcm-aihwkit', tile: { rows: 64, cols: 32 }, tiles: 8, dacBits: 8, adcBits: 8, maxBatch: 16, deterministic: true, drifts: true, clock: 'simulated' });
    expect((await new SimulatorDriver({ profile: 'ideal' }).capabilities()).drifts).toBe(false);
  });

  it('MVMs and reads equal the crossbar Chip/AnalogLinear on the same weights, Site name and seeds', async () => {
    const d = new SimulatorDriver({ profile: 'pcm-aihwkit', periphery: PERIPHERY, seed: 11 });
    const w = matrix(50, 30, 1);
    const x = matrix(7, 50, 2, 1);
    const report = await d.programTile(3, w);
    await d.advance(86_400);
    const [y] = await d.mvm([{ tile: 3, inputs: x }]);
    const [y2] = await d.mvm([{ tile: 3, inputs: x }]);

    const chip = Chip.program(new Map([['tile/3', { inFeatures: 50, outFeatures: 30, weight: Float32Array.from(w.data), bias: null }]]), 'pcm-aihwkit', PERIPHERY, { chip: 11 });
    const state = chip.at(86_400, { read: '11/epoch-1' });
    const layer = state.analog('tile/3');
    const ref1 = tf.tidy(() => layer.forward(tf.tensor2d(x.data, [7, 50])).dataSync());
    const ref2 = tf.tidy(() => layer.forward(tf.tensor2d(x.data, [7, 50])).dataSync());
    expect(y.rows).toBe(7);
    expect(y.cols).toBe(30);
    expect(Array.from(y.data)).toEqual(Array.from(ref1));
    expect(Array.from(y2.data)).toEqual(Array.from(ref2));
    expect(Array.from(y2.data)).not.toEqual(Array.from(y.data)); // fresh read noise per MVM
    expect(report.pulses).toBe(chip.summary().pulses);
    const exact = chip.at(0).effectiveWeights('tile/3', { readNoise: false }).weight;
    let se = 0;
    for (let i = 0; i < exact.length; i++) se += (exact[i] - w.data[i]) ** 2;
    expect(report.verifyRmse).toBeCloseTo(Math.sqrt(se / exact.length), 10);
    expect(report.verifyRmse).toBeGreaterThan(0);
    state.dispose();
    await d.close();
  });

  it('is deterministic under the reset seed; time moves drift forward', async () => {
    const d = new SimulatorDriver({ profile: 'pcm-aihwkit', periphery: PERIPHERY });
    const run = async (seed: number, t: number) => {
      await d.reset(seed);
      await d.programTile(0, matrix(64, 32, 5));
      if (t > 0) await d.advance(t);
      const [y] = await d.mvm([{ tile: 0, inputs: matrix(4, 64, 6, 1) }]);
      return Array.from(y.data);
    };
    const a = await run(1, 0);
    expect(await run(1, 0)).toEqual(a);
    expect(await run(2, 0)).not.toEqual(a);
    expect(await run(1, 1e6)).not.toEqual(a);
    expect(await d.time()).toBe(1e6);
    await d.reset(1);
    expect(await d.time()).toBe(0);
  });

  it('keeps the tensor count flat over programs, MVMs, advances and resets', async () => {
    const d = new SimulatorDriver({ profile: 'rram-cmo', periphery: PERIPHERY });
    const cycle = async () => {
      await d.programTile(0, matrix(64, 32, 7));
      await d.mvm([{ tile: 0, inputs: matrix(3, 64, 8, 1) }, { tile: 0, inputs: matrix(2, 64, 9, 1) }]);
      await d.advance(10);
      await d.mvm([{ tile: 0, inputs: matrix(3, 64, 8, 1) }]);
      await d.reset(0);
    };
    await cycle();
    const before = tensorCount();
    await cycle();
    await cycle();
    expect(tensorCount()).toBe(before);
  });

  it('rejects bad requests with codes and messages, before any work', async () => {
    const d = new SimulatorDriver({ profile: 'ideal', periphery: PERIPHERY, tiles: 4, maxBatch: 8 });
    await expectCode(d.programTile(4, matrix(2, 2, 1)), 'INVALID_ARGUMENT', /unknown tile id 4; tile ids are integers 0 … 3/);
    await expectCode(d.programTile(0, matrix(65, 2, 1)), 'INVALID_ARGUMENT', /65×2 does not fit a 64×32 tile/);
    await expectCode(d.programTile(0, { rows: 2, cols: 2, data: new Float32Array(3) }), 'INVALID_ARGUMENT', /3 values for shape 2×2/);
    await expectCode(d.programTile(0, { rows: 1, cols: 2, data: Float32Array.of(1, NaN) }), 'INVALID_ARGUMENT', /value \[0, 1\] is NaN/);
    await expectCode(d.programTile(0, matrix(2, 2, 1), 'conductance'), 'UNIMPLEMENTED', /weight units only/);
    await expectCode(d.mvm([{ tile: 1, inputs: matrix(1, 2, 1) }]), 'FAILED_PRECONDITION', /tile 1 has not been programmed/);
    await d.programTile(1, matrix(2, 3, 1));
    await expectCode(d.mvm([{ tile: 1, inputs: matrix(1, 3, 1) }]), 'INVALID_ARGUMENT', /3 columns but the tile was programmed with 2 rows/);
    await expectCode(d.mvm([{ tile: 1, inputs: matrix(9, 2, 1) }]), 'RESOURCE_EXHAUSTED', /batch of 9 rows is over this chip's limit of 8/);
    await expectCode(d.mvm([{ tile: 1, inputs: { rows: 1, cols: 2, data: Float32Array.of(0, Infinity) } }]), 'INVALID_ARGUMENT', /is Infinity/);
    await expectCode(d.advance(-1), 'INVALID_ARGUMENT', /never goes backwards/);
    await expectCode(d.advance(NaN), 'INVALID_ARGUMENT', /finite number/);
    await expectCode(d.readTile(2), 'FAILED_PRECONDITION', /not been programmed/);
  });
});
