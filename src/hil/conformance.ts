/**
 * The conformance suite: checks any server of grasp_hil.chip.v1.Chip against the protocol
 * (proto/grasp_hil/chip/v1/chip.proto) — `grasp-hil chip conformance --address host:port [--token]`.
 *
 * Each check is one entry in CHECKS (name, what it requires, run), runs on its own after a Reset with
 * a fixed seed, and passes, fails (with what was expected and what came) or is skipped (the chip does
 * not claim the property: determinism, drift; or no token was given). Order:
 *
 *   capabilities → program → read → mvm shapes → mvm batching → batch limit → message limit →
 *   bad requests (INVALID_ARGUMENT / FAILED_PRECONDITION) → authentication → determinism → time →
 *   drift → reset → still serving
 *
 * Targets and inputs come from the Rng stream 'conformance' of the seed, so two runs send the same
 * numbers. Tolerances: read-back and MVM within 50 % relative RMS of the digital x·W (they catch a
 * transposed or mis-shaped implementation, not device noise).
 */
import * as grpc from '@grpc/grpc-js';
import { Rng } from '../tensor/index.js';
import { GrpcChipDriver, type RawChip } from './client.js';
import type { ChipCapabilities, Matrix } from './driver.js';
import { HilError } from './errors.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  ms: number;
}

export interface ConformanceReport {
  address: string;
  driver: string | null;
  passed: number;
  failed: number;
  skipped: number;
  checks: CheckResult[];
}

export interface ConformanceOptions {
  token?: string;
  /** Reset seed of every check (default 1234). */
  seed?: number;
  /** Called after each check (for printing as they run). */
  onCheck?: (c: CheckResult) => void;
}

interface Ctx {
  chip: GrpcChipDriver;
  caps: ChipCapabilities;
  address: string;
  token?: string;
  seed: number;
  /** A small, non-square tile shape that fits. */
  rows: number;
  cols: number;
  rng: Rng;
}

class Skip extends Error {}
class Fail extends Error {}

function need(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Fail(what);
}

function random(ctx: Ctx, rows: number, cols: number, std: number): Matrix {
  return { rows, cols, data: ctx.rng.fillNormal(new Float32Array(rows * cols), 0, std) };
}

/** Relative RMS error of a against b. */
function relRms(a: Float32Array, b: ArrayLike<number>): number {
  let e = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    e += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  return Math.sqrt(e / Math.max(s, 1e-30));
}

function matmul(x: Matrix, w: Matrix): Float64Array {
  const y = new Float64Array(x.rows * w.cols);
  for (let r = 0; r < x.rows; r++) {
    for (let i = 0; i < x.cols; i++) {
      const xi = x.data[r * x.cols + i];
      for (let j = 0; j < w.cols; j++) y[r * w.cols + j] += xi * w.data[i * w.cols + j];
    }
  }
  return y;
}

function checkShape(m: Matrix, rows: number, cols: number, what: string): void {
  need(m.rows === rows && m.cols === cols, `${what}: shape ${m.rows}×${m.cols}, expected ${rows}×${cols}`);
  need(m.data instanceof Float32Array && m.data.length === rows * cols, `${what}: ${m.data.length} float32 values, expected ${rows * cols}`);
  for (let i = 0; i < m.data.length; i++) need(Number.isFinite(m.data[i]), `${what}: value ${i} is ${m.data[i]}, expected finite`);
}

/** The code a call fails with, or 'OK'. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return e instanceof HilError ? e.code : `non-gRPC error: ${(e as Error).message}`;
  }
}

async function expectCode(p: Promise<unknown>, code: string, what: string): Promise<void> {
  const got = await codeOf(p);
  need(got === code, `${what}: got ${got}, expected ${code}`);
}

function rawUnary(raw: RawChip, method: string, req: unknown, md = raw.metadata()): Promise<unknown> {
  return new Promise((resolve, reject) => {
    raw.client[method](req, md, { deadline: raw.deadline() }, (err: grpc.ServiceError | null, r: unknown) => (err ? reject(raw.error(err, method)) : resolve(r)));
  });
}

const f32 = (values: number[]): Buffer => Buffer.from(Float32Array.from(values).buffer);

/** Programs tile 0 with fresh targets [rows, cols] after a reset; returns the targets. */
async function programmed(ctx: Ctx): Promise<Matrix> {
  await ctx.chip.reset(ctx.seed);
  const w = random(ctx, ctx.rows, ctx.cols, 0.1);
  await ctx.chip.programTile(0, w);
  return w;
}

/** A fixed script (reset, program, optional advance, read, MVM) as bytes, for determinism checks. */
async function script(ctx: Ctx, advance: number): Promise<Float32Array[]> {
  const rng = new Rng(ctx.seed, 'conformance-script');
  const w: Matrix = { rows: ctx.rows, cols: ctx.cols, data: rng.fillNormal(new Float32Array(ctx.rows * ctx.cols), 0, 0.1) };
  const x: Matrix = { rows: 4, cols: ctx.rows, data: rng.fillNormal(new Float32Array(4 * ctx.rows), 0, 1) };
  await ctx.chip.reset(ctx.seed);
  const r = await ctx.chip.programTile(0, w);
  if (advance > 0) await ctx.chip.advance(advance);
  const read = await ctx.chip.readTile(0);
  const [y] = await ctx.chip.mvm([{ tile: 0, inputs: x }]);
  return [Float32Array.of(r.pulses, r.verifyRmse, r.verifyMaxAbs), read.values.data, y.data];
}

function same(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((x, i) => x.length === b[i].length && x.every((v, j) => Object.is(v, b[i][j])));
}

interface Check {
  name: string;
  run(ctx: Ctx): Promise<string>;
}

/** The checks, in order. Each returns a one-line detail or throws Fail / Skip. */
export const CHECKS: readonly Check[] = [
  {
    name: 'capabilities',
    async run({ caps: c }) {
      need(c.protocolVersion === 1, `protocol_version ${c.protocolVersion}, expected 1`);
      need(c.driver.length > 0 && c.profile.length > 0, 'driver and profile must be non-empty strings');
      for (const [k, v] of [['tile_rows', c.tile.rows], ['tile_cols', c.tile.cols], ['tiles', c.tiles], ['max_batch', c.maxBatch]] as const) {
        need(Number.isInteger(v) && v >= 1, `${k} ${v}, expected an integer ≥ 1`);
      }
      need(c.maxMessageBytes >= 64 * 1024, `max_message_bytes ${c.maxMessageBytes}, expected ≥ 65536`);
      need(c.clock === 'simulated' || c.clock === 'wall', `clock ${c.clock}, expected CLOCK_SIMULATED or CLOCK_WALL`);
      need(c.targetUnits.includes('weight'), `target_units ${c.targetUnits.join(', ') || '(none)'} must include UNITS_WEIGHT`);
      return `${c.driver} (${c.profile}): ${c.tiles} tiles of ${c.tile.rows}×${c.tile.cols}, DAC ${c.dacBits ?? '-'} bits, ADC ${c.adcBits ?? '-'} bits, max batch ${c.maxBatch}, ${c.clock} clock${c.deterministic ? ', deterministic' : ''}${c.drifts ? ', drifts' : ''}`;
    },
  },
  {
    name: 'program: report shape and values',
    async run(ctx) {
      await ctx.chip.reset(ctx.seed);
      const r = await ctx.chip.programTile(0, random(ctx, ctx.rows, ctx.cols, 0.1));
      need(r.tile === 0 && r.rows === ctx.rows && r.cols === ctx.cols, `report for tile ${r.tile} ${r.rows}×${r.cols}, expected tile 0 ${ctx.rows}×${ctx.cols}`);
      need(Number.isInteger(r.pulses) && r.pulses >= 0, `pulses ${r.pulses}, expected an integer ≥ 0`);
      need(Number.isFinite(r.verifyRmse) && r.verifyRmse >= 0, `verify_rmse ${r.verifyRmse}, expected finite ≥ 0`);
      need(Number.isFinite(r.verifyMaxAbs) && r.verifyMaxAbs >= r.verifyRmse * (1 - 1e-6), `verify_max_abs ${r.verifyMaxAbs}, expected finite ≥ verify_rmse ${r.verifyRmse}`);
      need(Number.isFinite(r.time) && r.time >= 0, `time ${r.time}, expected finite ≥ 0`);
      return `${ctx.rows}×${ctx.cols} targets: ${r.pulses} pulses, verify RMSE ${r.verifyRmse.toPrecision(3)}`;
    },
  },
  {
    name: 'read: shape, float32, close to targets',
    async run(ctx) {
      const w = await programmed(ctx);
      const r = await ctx.chip.readTile(0);
      checkShape(r.values, ctx.rows, ctx.cols, 'ReadTile.values');
      const e = relRms(r.values.data, w.data);
      need(e < 0.5, `read-back is ${(e * 100).toFixed(0)} % (relative RMS) away from the targets, expected < 50 % (transposed or wrong units?)`);
      return `relative RMS error ${e.toPrecision(3)}`;
    },
  },
  {
    name: 'mvm: shape, float32, close to x·W',
    async run(ctx) {
      const w = await programmed(ctx);
      const x = random(ctx, 5, ctx.rows, 1);
      const [y] = await ctx.chip.mvm([{ tile: 0, inputs: x }]);
      checkShape(y, 5, ctx.cols, 'Mvm output');
      const e = relRms(y.data, matmul(x, w));
      need(e < 0.5, `outputs are ${(e * 100).toFixed(0)} % (relative RMS) away from x·W, expected < 50 % (transposed?)`);
      return `[5, ${ctx.rows}] → [5, ${ctx.cols}], relative RMS error ${e.toPrecision(3)}`;
    },
  },
  {
    name: 'mvm: several calls per request, requests in flight',
    async run(ctx) {
      await programmed(ctx);
      // the fourth call reuses the first's inputs: sent once (TileMvm.inputs_of) to a server with shared_inputs
      const calls = [1, 2, 3].map((b) => ({ tile: 0, inputs: random(ctx, b, ctx.rows, 1) }));
      const [a, b] = await Promise.all([ctx.chip.mvm([...calls, calls[0]]), ctx.chip.mvm([calls[2]])]);
      need(a.length === 4 && b.length === 1, `${a.length} and ${b.length} outputs, expected 4 and 1`);
      [1, 2, 3, 1].forEach((rows, i) => checkShape(a[i], rows, ctx.cols, `Mvm output ${i}`));
      checkShape(b[0], 3, ctx.cols, 'Mvm output of the second request');
      return `4 calls in one request${ctx.caps.sharedInputs ? ' (one input sent once: shared_inputs)' : ''} and 2 requests in flight answered in order`;
    },
  },
  {
    name: 'limits: max batch',
    async run(ctx) {
      await programmed(ctx);
      const { maxBatch, maxMessageBytes } = ctx.caps;
      const big = (maxBatch + 1) * ctx.rows * 4;
      if (big > maxMessageBytes / 2 || big > 64 << 20) throw new Skip(`max_batch ${maxBatch} × ${ctx.rows} rows is too large a message to test here`);
      const [y] = await ctx.chip.mvm([{ tile: 0, inputs: random(ctx, maxBatch, ctx.rows, 1) }]);
      checkShape(y, maxBatch, ctx.cols, `Mvm output at max_batch ${maxBatch}`);
      await expectCode(ctx.chip.mvm([{ tile: 0, inputs: random(ctx, maxBatch + 1, ctx.rows, 1) }]), 'RESOURCE_EXHAUSTED', `batch of max_batch + 1 = ${maxBatch + 1}`);
      return `batch ${maxBatch} accepted, ${maxBatch + 1} → RESOURCE_EXHAUSTED`;
    },
  },
  {
    name: 'limits: max message bytes',
    async run(ctx) {
      const n = ctx.caps.maxMessageBytes + 4096;
      if (n > 256 << 20) throw new Skip(`max_message_bytes ${ctx.caps.maxMessageBytes} is too large to test`);
      const targets = { rows: ctx.rows, cols: ctx.cols, data: Buffer.alloc(n) };
      await expectCode(rawUnary(ctx.chip.raw, 'ProgramTile', { tile: 0, targets }), 'RESOURCE_EXHAUSTED', `a ${n}-byte ProgramTile`);
      return `${n} bytes → RESOURCE_EXHAUSTED`;
    },
  },
  {
    name: 'bad requests: INVALID_ARGUMENT / FAILED_PRECONDITION',
    async run(ctx) {
      await programmed(ctx);
      const { tiles, tile } = ctx.caps;
      const raw = ctx.chip.raw;
      const m = (rows: number, cols: number, data: Buffer) => ({ rows, cols, data });
      const x = (rows: number, cols: number) => random(ctx, rows, cols, 1);
      const cases: [string, () => Promise<unknown>, string][] = [
        ['ProgramTile with tile id = tiles', () => rawUnary(raw, 'ProgramTile', { tile: tiles, targets: m(1, 1, f32([0.1])) }), 'INVALID_ARGUMENT'],
        ['ProgramTile without targets', () => rawUnary(raw, 'ProgramTile', { tile: 0 }), 'INVALID_ARGUMENT'],
        ['ProgramTile with 3 data bytes', () => rawUnary(raw, 'ProgramTile', { tile: 0, targets: m(1, 1, Buffer.alloc(3)) }), 'INVALID_ARGUMENT'],
        ['ProgramTile with 3 values for 2×2', () => rawUnary(raw, 'ProgramTile', { tile: 0, targets: m(2, 2, f32([1, 2, 3])) }), 'INVALID_ARGUMENT'],
        ['ProgramTile with 0 rows', () => rawUnary(raw, 'ProgramTile', { tile: 0, targets: m(0, 1, Buffer.alloc(0)) }), 'INVALID_ARGUMENT'],
        ['ProgramTile larger than a tile', () => rawUnary(raw, 'ProgramTile', { tile: 0, targets: m(tile.rows + 1, 1, f32(new Array(tile.rows + 1).fill(0))) }), 'INVALID_ARGUMENT'],
        ['ProgramTile with a NaN target', () => rawUnary(raw, 'ProgramTile', { tile: 0, targets: m(1, 2, f32([0.1, NaN])) }), 'INVALID_ARGUMENT'],
        ['ProgramTile with an infinite target', () => rawUnary(raw, 'ProgramTile', { tile: 0, targets: m(1, 2, f32([Infinity, 0.1])) }), 'INVALID_ARGUMENT'],
        ['ReadTile with tile id = tiles', () => ctx.chip.readTile(tiles), 'INVALID_ARGUMENT'],
        ['Mvm with tile id = tiles', () => ctx.chip.mvm([{ tile: tiles, inputs: x(1, ctx.rows) }]), 'INVALID_ARGUMENT'],
        ['Mvm with inputs one column too wide', () => ctx.chip.mvm([{ tile: 0, inputs: x(1, ctx.rows + 1) }]), 'INVALID_ARGUMENT'],
        ['Mvm with a NaN input', () => ctx.chip.mvm([{ tile: 0, inputs: { rows: 1, cols: ctx.rows, data: new Float32Array(ctx.rows).fill(NaN) } }]), 'INVALID_ARGUMENT'],
        ['Mvm with 5 data bytes', () => new Promise((resolve, reject) => {
          const call = raw.client.Mvm(raw.metadata());
          call.on('data', resolve);
          call.on('error', (e: unknown) => reject(raw.error(e, 'Mvm')));
          call.write({ id: 1, calls: [{ tile: 0, inputs: m(1, 1, Buffer.alloc(5)) }] });
          call.end();
        }), 'INVALID_ARGUMENT'],
        ['AdvanceTime by −1 s', () => ctx.chip.advance(-1), 'INVALID_ARGUMENT'],
        ['AdvanceTime by NaN', () => ctx.chip.advance(NaN), 'INVALID_ARGUMENT'],
        ['AdvanceTime by +∞', () => ctx.chip.advance(Infinity), 'INVALID_ARGUMENT'],
      ];
      if (tiles > 1) {
        cases.push(['ReadTile of a tile never programmed', () => ctx.chip.readTile(1), 'FAILED_PRECONDITION']);
        cases.push(['Mvm on a tile never programmed', () => ctx.chip.mvm([{ tile: 1, inputs: x(1, ctx.rows) }]), 'FAILED_PRECONDITION']);
      }
      const wrong: string[] = [];
      for (const [what, call, code] of cases) {
        const got = await codeOf(call());
        if (got !== code) wrong.push(`${what}: got ${got}, expected ${code}`);
      }
      need(wrong.length === 0, wrong.join('; '));
      return `${cases.length} bad requests, each refused with its code`;
    },
  },
  {
    name: 'authentication',
    async run(ctx) {
      if (ctx.token === undefined) throw new Skip('no --token given (give the server\'s token to check that calls without it are refused)');
      const none = await GrpcChipDriver.connect(ctx.address);
      const wrong = await GrpcChipDriver.connect(ctx.address, { token: `${ctx.token}-wrong` });
      try {
        await expectCode(none.capabilities(), 'UNAUTHENTICATED', 'GetCapabilities without a token');
        await expectCode(none.mvm([{ tile: 0, inputs: random(ctx, 1, ctx.rows, 1) }]), 'UNAUTHENTICATED', 'Mvm without a token');
        await expectCode(wrong.time(), 'UNAUTHENTICATED', 'GetTime with a wrong token');
        await expectCode(wrong.reset(ctx.seed), 'UNAUTHENTICATED', 'Reset with a wrong token');
      } finally {
        await none.close();
        await wrong.close();
      }
      return 'no token and a wrong token → UNAUTHENTICATED';
    },
  },
  {
    name: 'determinism under seeds',
    async run(ctx) {
      if (!ctx.caps.deterministic) throw new Skip('the chip does not claim to be deterministic');
      const a = await script(ctx, 0);
      const b = await script(ctx, 0);
      need(same(a, b), 'the same seed and calls gave different program reports, reads or MVM outputs');
      return 'same seed, same calls → bit-identical program report, read and MVM';
    },
  },
  {
    name: 'time: starts at 0, advances, never goes backwards',
    async run(ctx) {
      await ctx.chip.reset(ctx.seed);
      const wall = ctx.caps.clock === 'wall';
      const t0 = await ctx.chip.time();
      need(Number.isFinite(t0) && t0 >= 0 && (wall || t0 === 0), `time after Reset is ${t0}, expected ${wall ? 'finite ≥ 0' : '0'}`);
      const dt = wall ? 0.05 : 3600;
      const t1 = await ctx.chip.advance(dt);
      need(wall ? t1 >= t0 + dt : Math.abs(t1 - (t0 + dt)) <= 1e-9 * dt, `AdvanceTime(${dt}) from ${t0} returned ${t1}, expected ${wall ? '≥' : '='} ${t0 + dt}`);
      const t2 = await ctx.chip.advance(0);
      const t3 = await ctx.chip.time();
      need(t2 >= t1 && t3 >= t2, `time went backwards: ${t1} → ${t2} → ${t3}`);
      return `${t0} → AdvanceTime(${dt}) → ${t1} s`;
    },
  },
  {
    name: 'time: advance moves drift forward',
    async run(ctx) {
      if (!ctx.caps.drifts) throw new Skip('the chip does not claim to drift');
      if (!ctx.caps.deterministic || ctx.caps.clock !== 'simulated') throw new Skip('needs a deterministic chip with a simulated clock');
      const before = await script(ctx, 0);
      const after = await script(ctx, 1e6);
      need(same(after, await script(ctx, 1e6)), 'the same seed and time step gave different numbers');
      need(!same(before.slice(1), after.slice(1)), 'reads and MVMs 10⁶ s later equal those at programming; a drifting chip should change');
      return 'reads and MVMs change after 10⁶ s, reproducibly';
    },
  },
  {
    name: 'reset: forgets tiles and time',
    async run(ctx) {
      await programmed(ctx);
      await ctx.chip.advance(ctx.caps.clock === 'wall' ? 0.01 : 10);
      await ctx.chip.reset(ctx.seed);
      await expectCode(ctx.chip.readTile(0), 'FAILED_PRECONDITION', 'ReadTile of tile 0 after Reset');
      const t = await ctx.chip.time();
      need(ctx.caps.clock === 'wall' || t === 0, `time after Reset is ${t}, expected 0`);
      return 'tile 0 unprogrammed and time 0 after Reset';
    },
  },
  {
    name: 'still serving after every bad request',
    async run(ctx) {
      const c = await ctx.chip.capabilities();
      need(c.tiles === ctx.caps.tiles, 'GetCapabilities changed');
      const w = await programmed(ctx);
      const [y] = await ctx.chip.mvm([{ tile: 0, inputs: random(ctx, 2, w.rows, 1) }]);
      checkShape(y, 2, w.cols, 'Mvm output');
      return 'capabilities, program and MVM still answer';
    },
  },
];

/** Runs every check against the server at host:port. */
export async function runConformance(address: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const chip = await GrpcChipDriver.connect(address, { token: options.token });
  const results: CheckResult[] = [];
  let driver: string | null = null;
  try {
    let caps: ChipCapabilities | null = null;
    try {
      caps = await chip.capabilities();
      driver = caps.driver;
    } catch (e) {
      const r: CheckResult = { name: 'capabilities', status: 'fail', detail: (e as Error).message, ms: 0 };
      results.push(r);
      options.onCheck?.(r);
    }
    if (caps) {
      const rows = Math.min(caps.tile.rows, 40);
      let cols = Math.min(caps.tile.cols, 24);
      if (cols === rows && cols > 1) cols--; // non-square where possible, so a transposed MVM shows
      const seed = options.seed ?? 1234;
      for (const check of CHECKS) {
        const ctx: Ctx = { chip, caps, address, token: options.token, seed, rows, cols, rng: new Rng(seed, 'conformance').fork(check.name) };
        const start = performance.now();
        let status: CheckStatus = 'pass';
        let detail: string;
        try {
          detail = await check.run(ctx);
        } catch (e) {
          status = e instanceof Skip ? 'skip' : 'fail';
          detail = (e as Error).message;
        }
        const r: CheckResult = { name: check.name, status, detail, ms: Math.round(performance.now() - start) };
        results.push(r);
        options.onCheck?.(r);
      }
    }
  } finally {
    await chip.close();
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return { address, driver, passed: count('pass'), failed: count('fail'), skipped: count('skip'), checks: results };
}
