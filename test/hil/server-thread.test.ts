import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeripheryOptions } from '../../src/crossbar/index.js';
import { GrpcChipDriver, serveChipThreaded, serveSimulatorThreaded, SimulatorDriver, type ChipDriver, type ChipServer } from '../../src/hil/index.js';
import { useBackend } from '../helpers/backends.js';
import { codeOf, matrix, programmedChip } from './helpers.js';

const PERIPHERY: PeripheryOptions = { tile: { rows: 64, cols: 32 }, dac: { bits: 8 }, adc: { bits: 8, bound: 10, noise: 0.04 }, readNoise: true };
const OPTIONS = { profile: 'pcm-aihwkit', periphery: PERIPHERY, tiles: 8, maxBatch: 64, maxMessageBytes: 256 * 1024, seed: 3 };

describe('chip server with gRPC on its own thread', () => {
  let server: ChipServer;
  let remote: GrpcChipDriver;
  let chip: SimulatorDriver;

  beforeAll(async () => {
    await useBackend('cpu');
    chip = new SimulatorDriver(OPTIONS);
    server = await serveChipThreaded(chip, { token: 'test-token-0123456789abcdef' });
    remote = await GrpcChipDriver.connect(server.address, { token: 'test-token-0123456789abcdef' });
  });
  afterAll(async () => {
    await remote?.close();
    await server?.close();
  });

  it('gives the in-process driver\'s numbers for the same seeds and calls, the driver running in this thread', async () => {
    const script = async (d: ChipDriver) => {
      const out = await programmedChip(d);
      const shared = matrix(2, 64, 6, 1);
      out.push(...await Promise.all([
        d.mvm([{ tile: 0, inputs: matrix(16, 64, 3, 1) }, { tile: 5, inputs: matrix(3, 20, 4, 1) }]),
        d.mvm([{ tile: 0, inputs: shared }, { tile: 5, inputs: matrix(1, 20, 7, 1) }, { tile: 0, inputs: shared }]),
      ]));
      out.push(await d.time());
      return out;
    };
    const want = await script(new SimulatorDriver(OPTIONS));
    const got = await script(remote);
    expect(got).toEqual(want);
    expect(await chip.time()).toBe(3600); // the served driver is this thread's object
  });

  it('keeps the status codes of the I/O thread\'s checks and of the driver\'s errors, and keeps serving', async () => {
    await remote.reset(0);
    await remote.programTile(1, matrix(4, 3, 1));
    expect(await codeOf(remote.mvm([{ tile: 1, inputs: { rows: 1, cols: 4, data: Float32Array.of(0, NaN, 0, 0) } }]))).toMatchObject({ code: 'INVALID_ARGUMENT', message: /NaN/ });
    expect(await codeOf(remote.mvm([{ tile: 3, inputs: matrix(1, 4, 1) }]))).toMatchObject({ code: 'FAILED_PRECONDITION', message: /tile 3 has not been programmed/ });
    expect(await codeOf(remote.advance(-1))).toMatchObject({ code: 'INVALID_ARGUMENT', message: /never goes backwards/ });
    const [y] = await remote.mvm([{ tile: 1, inputs: matrix(2, 4, 1) }]);
    expect([y.rows, y.cols]).toEqual([2, 3]);
  });

  it('reports a driver error that is not a HilError as INTERNAL with its message', async () => {
    const broken: ChipDriver = Object.assign(Object.create(chip) as ChipDriver, { time: async () => { throw new Error('probe failed'); } });
    const s = await serveChipThreaded(broken);
    const c = await GrpcChipDriver.connect(s.address);
    try {
      expect(await codeOf(c.time())).toMatchObject({ code: 'INTERNAL', message: /internal error: probe failed/ });
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('serves a simulator built on a thread of its own (chip serve), and says why one cannot start', async () => {
    const { server: s, caps } = await serveSimulatorThreaded({ ...OPTIONS, backend: 'cpu' });
    const c = await GrpcChipDriver.connect(s.address);
    try {
      expect(caps).toEqual(await chip.capabilities());
      const script = async (d: ChipDriver) => {
        await d.reset(2);
        await d.programTile(0, matrix(64, 32, 1));
        return d.mvm([{ tile: 0, inputs: matrix(3, 64, 2, 1) }]);
      };
      expect(await script(c)).toEqual(await script(new SimulatorDriver(OPTIONS)));
    } finally {
      await c.close();
      await s.close();
    }
    await expect(serveSimulatorThreaded({ ...OPTIONS, profile: 'no-such-profile', backend: 'cpu' })).rejects.toThrow(/device profile 'no-such-profile' not found/);
  }, 60_000);
});
