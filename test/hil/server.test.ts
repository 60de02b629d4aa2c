import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import type { PeripheryOptions } from '../../src/crossbar/index.js';
import { GrpcChipDriver, serveChip, SimulatorDriver, type ChipDriver, type ChipServer, type ChipMatrix as Matrix } from '../../src/hil/index.js';
import { callsToMsg } from '../../src/hil/wire.js';
import { useBackend } from '../helpers/backends.js';
import { codeOf, matrix, programmedChip } from './helpers.js';

const PERIPHERY: PeripheryOptions = { tile: { rows: 64, cols: 32 }, dac: { bits: 8 }, adc: { bits: 8, bound: 10, noise: 0.04 }, readNoise: true };
const TOKEN = 'test-token-0123456789abcdef';

function bytes(values: number[]): Buffer {
  return Buffer.from(Float32Array.from(values).buffer);
}

describe('chip gRPC server and client on a loopback socket', () => {
  let server: ChipServer;
  let remote: GrpcChipDriver;

  beforeAll(async () => {
    await useBackend('cpu');
    server = await serveChip(new SimulatorDriver({ profile: 'pcm-aihwkit', periphery: PERIPHERY, tiles: 8, maxBatch: 64, maxMessageBytes: 256 * 1024, seed: 3 }));
    remote = await GrpcChipDriver.connect(server.address);
  });
  afterAll(async () => {
    await remote?.close();
    await server?.close();
  });

  it('gives the same numbers as the in-process driver for the same seeds and calls', async () => {
    const local = new SimulatorDriver({ profile: 'pcm-aihwkit', periphery: PERIPHERY, tiles: 8, maxBatch: 64, maxMessageBytes: 256 * 1024, seed: 3 });
    const script = async (d: ChipDriver) => {
      const out = await programmedChip(d);
      // two requests in flight on the stream at once, several calls each
      const shared = matrix(2, 64, 6, 1);
      const [a, b, c] = await Promise.all([
        d.mvm([{ tile: 0, inputs: matrix(16, 64, 3, 1) }, { tile: 5, inputs: matrix(3, 20, 4, 1) }]),
        d.mvm([{ tile: 0, inputs: matrix(1, 64, 5, 1) }]),
        d.mvm([{ tile: 0, inputs: shared }, { tile: 5, inputs: matrix(1, 20, 7, 1) }, { tile: 0, inputs: shared }]), // sent once: inputs_of
      ]);
      out.push(a, b, c, await d.time());
      return out;
    };
    const want = await script(local);
    const got = await script(remote);
    expect(got).toEqual(want);
    const [y] = (got[5] as Matrix[]);
    expect(y.rows).toBe(16);
    expect(y.cols).toBe(32);
    expect(y.data).toBeInstanceOf(Float32Array);
  });

  it('sends an input that several calls of a request share once, when the server advertises shared_inputs', () => {
    const x = matrix(2, 4, 1), y = matrix(2, 4, 2);
    const calls = [{ tile: 0, inputs: x }, { tile: 1, inputs: y }, { tile: 2, inputs: x }, { tile: 3, inputs: x }];
    const shared = callsToMsg(calls, true);
    expect(shared.map((c) => [c.inputs === null, c.inputs_of ?? 0])).toEqual([[false, 0], [false, 0], [true, 1], [true, 1]]);
    expect(callsToMsg(calls, false).every((c) => c.inputs !== null && !c.inputs_of)).toBe(true);
  });

  it('answers every bad request with a status code and a clear message, and keeps serving', async () => {
    await remote.reset(0);
    await remote.programTile(1, matrix(4, 3, 1));
    const raw = remote.raw;
    const unary = (method: string, req: unknown) => new Promise((resolve, reject) => {
      raw.client[method](req, raw.metadata(), { deadline: raw.deadline() }, (err: grpc.ServiceError | null, r: unknown) => (err ? reject(raw.error(err, method)) : resolve(r)));
    });
    const m = (rows: number, cols: number, data: Buffer) => ({ rows, cols, data });
    /** One hand-made request on a fresh MVM stream; resolves with its answer or rejects with the stream's error. */
    const rawMvm = (calls: unknown[]) => new Promise((resolve, reject) => {
      const s = raw.client.Mvm(raw.metadata());
      s.on('data', (r: unknown) => {
        resolve(r);
        s.end();
      });
      s.on('error', (e: unknown) => reject(raw.error(e, 'Mvm')));
      s.write({ id: 1, calls });
    });
    const cases: [string, () => Promise<unknown>, string, RegExp][] = [
      ['tile id out of range', () => unary('ProgramTile', { tile: 8, targets: m(1, 1, bytes([1])) }), 'INVALID_ARGUMENT', /unknown tile id 8/],
      ['targets missing', () => unary('ProgramTile', { tile: 0 }), 'INVALID_ARGUMENT', /matrix missing/],
      ['bytes not float32', () => unary('ProgramTile', { tile: 0, targets: m(1, 1, Buffer.alloc(3)) }), 'INVALID_ARGUMENT', /3 data bytes is not a whole number of float32/],
      ['shape vs data', () => unary('ProgramTile', { tile: 0, targets: m(2, 2, bytes([1, 2, 3])) }), 'INVALID_ARGUMENT', /3 values for shape 2×2/],
      ['zero rows', () => unary('ProgramTile', { tile: 0, targets: m(0, 2, Buffer.alloc(0)) }), 'INVALID_ARGUMENT', /rows and cols must be integers ≥ 1/],
      ['bigger than a tile', () => unary('ProgramTile', { tile: 0, targets: m(65, 1, bytes(new Array(65).fill(0))) }), 'INVALID_ARGUMENT', /does not fit a 64×32 tile/],
      ['NaN target', () => unary('ProgramTile', { tile: 0, targets: m(1, 2, bytes([0, NaN])) }), 'INVALID_ARGUMENT', /is NaN; every value must be finite/],
      ['conductance units', () => unary('ProgramTile', { tile: 0, targets: m(1, 1, bytes([0.1])), units: 'UNITS_CONDUCTANCE_US' }), 'UNIMPLEMENTED', /takes targets in UNITS_WEIGHT/],
      ['read unknown tile', () => unary('ReadTile', { tile: 99 }), 'INVALID_ARGUMENT', /unknown tile id 99/],
      ['read unprogrammed tile', () => unary('ReadTile', { tile: 2 }), 'FAILED_PRECONDITION', /tile 2 has not been programmed/],
      ['negative time', () => unary('AdvanceTime', { seconds: -1 }), 'INVALID_ARGUMENT', /never goes backwards/],
      ['infinite time', () => unary('AdvanceTime', { seconds: Infinity }), 'INVALID_ARGUMENT', /finite number/],
      ['message over the limit', () => unary('ProgramTile', { tile: 0, targets: m(64, 32, Buffer.alloc(300 * 1024)) }), 'RESOURCE_EXHAUSTED', /larger than max|max.*length|exceed/i],
      ['MVM unknown tile', () => remote.mvm([{ tile: 9, inputs: matrix(1, 4, 1) }]), 'INVALID_ARGUMENT', /unknown tile id 9/],
      ['MVM unprogrammed tile', () => remote.mvm([{ tile: 3, inputs: matrix(1, 4, 1) }]), 'FAILED_PRECONDITION', /tile 3 has not been programmed/],
      ['MVM wrong width', () => remote.mvm([{ tile: 1, inputs: matrix(2, 5, 1) }]), 'INVALID_ARGUMENT', /5 columns but the tile was programmed with 4 rows/],
      ['MVM infinite input', () => remote.mvm([{ tile: 1, inputs: { rows: 1, cols: 4, data: Float32Array.of(0, 1, -Infinity, 0) } }]), 'INVALID_ARGUMENT', /-Infinity/],
      ['MVM inputs_of a later call', () => rawMvm([{ tile: 1, inputs_of: 1 }]), 'INVALID_ARGUMENT', /inputs_of = 1 must name an earlier call of the request \(1 … 0\)/],
      ['MVM inputs and inputs_of', () => rawMvm([{ tile: 1, inputs: m(1, 4, bytes([0, 0, 0, 0])) }, { tile: 1, inputs: m(1, 4, bytes([0, 0, 0, 0])), inputs_of: 1 }]), 'INVALID_ARGUMENT', /either inputs or inputs_of, not both/],
      ['MVM batch over the limit', () => remote.mvm([{ tile: 1, inputs: matrix(65, 4, 1) }]), 'RESOURCE_EXHAUSTED', /batch of 65 rows is over this chip's limit of 64/],
      ['MVM message over the limit', () => remote.mvm([{ tile: 1, inputs: matrix(64, 4, 1) }, ...Array.from({ length: 300 }, () => ({ tile: 1, inputs: matrix(64, 4, 1) }))]), 'RESOURCE_EXHAUSTED', /.+/],
    ];
    for (const [what, call, code, text] of cases) {
      const e = await codeOf(call());
      expect({ what, code: e.code }).toEqual({ what, code });
      expect(e.message, what).toMatch(text);
      expect(e.message, what).toContain(server.address);
    }
    // still serving, and the MVM stream reopens after an error
    const [y] = await remote.mvm([{ tile: 1, inputs: matrix(2, 4, 1) }]);
    expect([y.rows, y.cols]).toEqual([2, 3]);
    expect((await remote.capabilities()).tiles).toBe(8);
  });
});

describe('chip server security', () => {
  beforeAll(() => useBackend('cpu'));

  it('refuses a non-loopback host without a token, and short tokens', async () => {
    const d = new SimulatorDriver({ profile: 'ideal' });
    await expect(serveChip(d, { host: '0.0.0.0' })).rejects.toThrow(/refusing to bind 0\.0\.0\.0 without a token/);
    await expect(serveChip(d, { token: 'short' })).rejects.toThrow(/at least 16 characters/);
  });

  it('needs `authorization: Bearer <token>` on every call when it has a token', async () => {
    const server = await serveChip(new SimulatorDriver({ profile: 'ideal', periphery: PERIPHERY }), { token: TOKEN });
    const none = await GrpcChipDriver.connect(server.address);
    const wrong = await GrpcChipDriver.connect(server.address, { token: `${TOKEN}x` });
    const right = await GrpcChipDriver.connect(server.address, { token: TOKEN });
    try {
      expect(await codeOf(none.capabilities())).toMatchObject({ code: 'UNAUTHENTICATED', message: /needs metadata `authorization: Bearer <token>`/ });
      expect(await codeOf(wrong.time())).toMatchObject({ code: 'UNAUTHENTICATED', message: /wrong token/ });
      await right.programTile(0, matrix(3, 3, 1));
      expect(await codeOf(none.mvm([{ tile: 0, inputs: matrix(1, 3, 1) }]))).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect((await right.mvm([{ tile: 0, inputs: matrix(1, 3, 1) }]))[0].cols).toBe(3);
    } finally {
      for (const c of [none, wrong, right]) await c.close();
      await server.close();
    }
  });

  it('a client that loses the server mid-call fails cleanly, naming the address', async () => {
    const sim = new SimulatorDriver({ profile: 'ideal', periphery: PERIPHERY });
    let hang = false;
    const driver: ChipDriver = new Proxy(sim, {
      get(target, prop, receiver) {
        if (prop === 'mvm' && hang) return () => new Promise(() => undefined);
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const server = await serveChip(driver);
    const client = await GrpcChipDriver.connect(server.address, { timeoutMs: 5000 });
    await client.programTile(0, matrix(3, 3, 1));
    hang = true;
    const pending = codeOf(client.mvm([{ tile: 0, inputs: matrix(1, 3, 1) }]));
    await new Promise((r) => setTimeout(r, 100));
    await server.close(0);
    const e = await pending;
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain(`chip server at ${server.address} is unreachable or went away mid-call`);
    expect(await codeOf(client.time())).toMatchObject({ code: 'UNAVAILABLE', message: new RegExp(server.address.replace(/[.[\]]/g, '\\$&')) });
    await client.close();
    await expect(GrpcChipDriver.connect(server.address, { connectTimeoutMs: 300 })).rejects.toThrow(`chip server at ${server.address} did not answer`);
  });
});
