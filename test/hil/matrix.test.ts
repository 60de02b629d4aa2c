import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcChipDriver, mvmMatrix, programMatrix, serveChip, SimulatorDriver, type ChipServer } from '../../src/hil/index.js';
import { Rng } from '../../src/tensor/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';

const I = 70, O = 45, B = 5;
const PERIPHERY = { tile: { rows: 32, cols: 16 }, readNoise: false, compensation: 'none' as const };

describe('a weight matrix across tiles', () => {
  let server: ChipServer;
  beforeAll(async () => {
    await useBackend('cpu');
    server = await serveChip(new SimulatorDriver({ profile: 'ideal', periphery: PERIPHERY, tiles: 32 }));
  });
  afterAll(() => server?.close());

  it('on an ideal chip equals x·W + b (float64 reference), in-process and remote alike', async () => {
    const rng = new Rng(4, 'matrix');
    const w = { inFeatures: I, outFeatures: O, weight: rng.fillNormal(new Float32Array(I * O), 0, 0.1), bias: rng.fillNormal(new Float32Array(O), 0, 0.5) };
    const x = { rows: B, cols: I, data: rng.fillNormal(new Float32Array(B * I), 0, 1) };
    const want = new Float64Array(B * O);
    for (let b = 0; b < B; b++) for (let o = 0; o < O; o++) {
      let s = w.bias[o];
      for (let i = 0; i < I; i++) s += x.data[b * I + i] * w.weight[i * O + o];
      want[b * O + o] = s;
    }
    const local = new SimulatorDriver({ profile: 'ideal', periphery: PERIPHERY, tiles: 32 });
    const remote = await GrpcChipDriver.connect(server.address);
    try {
      const ml = await programMatrix(local, w, 2);
      expect(ml.tiles.map((t) => t.slot)).toEqual(Array.from({ length: 3 * 3 }, (_, i) => 2 + i)); // 70/32 → 3 row tiles, 45/16 → 3 column tiles
      const yl = await mvmMatrix(local, ml, x);
      const yr = await mvmMatrix(remote, await programMatrix(remote, w, 2), x);
      expect(maxAbsDiff(yl.data, want)).toBeLessThan(1e-4);
      expect(Array.from(yr.data)).toEqual(Array.from(yl.data));
      await expect(programMatrix(local, w, 24)).rejects.toThrow(/needs 9 tiles of 32×16 from slot 24, but the chip has 32 slots/);
    } finally {
      await remote.close();
    }
  });
});
