/**
 * bench/hil: remote MVMs through `chip serve` (gRPC on a loopback socket) / the same MVMs in-process,
 * same simulator driver, same seeds. Target: ≤ 1.3×.
 *
 * Tiles: every all-linear Site of the shipped models/tiny-roberta (4 layers × q, k, v, o 128×128,
 * FFN 128×512 and 512×128) split into tiles of `--tile` rows × cols (default 512: 24 tiles; 128: 48),
 * programmed on pcm-aihwkit. Each tile gets inputs [tokens, rows] with tokens = batch·seq. Two shapes
 * of traffic, each timed in-process and remote, alternating, min over `--reps` after a warm-up:
 *   all-tiles   one MVM request holding every tile's call (one round trip)
 *   per-site    one request per Site in model order (24 round trips, as a forward pass would send them)
 * `--server spawn` (default) runs `grasp-hil chip serve` as a child process, as it is deployed;
 * `--server inline` serves from this process (one event loop encodes, decodes and computes for both ends).
 *
 *   node --import tsx bench/hil.ts [--backend wasm] [--tokens 512] [--tile 512] [--periphery aihwkit-standard] [--server spawn|inline] [--reps 5]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gatherTile, TileGrid, weightsOfSites, type PeripheryOptions } from '../src/crossbar/index.js';
import { GrpcChipDriver, serveChip, SimulatorDriver, type ChipDriver, type MvmCall } from '../src/hil/index.js';
import { loadModel } from '../src/io/index.js';
import { selectSites } from '../src/model/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { flagReader, report } from './util.js';

const arg = flagReader(['backend', 'periphery', 'reps', 'server', 'tile', 'tokens']);
const info = await initBackend(arg('backend', 'auto'));
const tokens = Number(arg('tokens', '512'));
const tileSize = Number(arg('tile', '512'));
const reps = Number(arg('reps', '5'));
const peripheryArg = arg('periphery', '');
const periphery: PeripheryOptions | string = peripheryArg ? peripheryArg : { tile: { rows: tileSize, cols: tileSize } };

const model = await loadModel(fileURLToPath(new URL('../models/tiny-roberta', import.meta.url)), { withHead: 'none' });
const weights = weightsOfSites(selectSites(model, 'all-linear'));
model.dispose();

const options = { profile: 'pcm-aihwkit', periphery, seed: 1, tiles: 1024, maxBatch: 1 << 16, maxMessageBytes: 512 << 20 };
const local = new SimulatorDriver(options);
const serverMode = arg('server', 'spawn');
let stop: () => Promise<void>;
let address: string;
if (serverMode === 'inline') {
  const server = await serveChip(new SimulatorDriver(options));
  address = server.address;
  stop = () => server.close();
} else {
  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'chip', 'serve', '--profile', options.profile, '--periphery', typeof periphery === 'string' ? periphery : JSON.stringify(periphery),
    '--port', '0', '--seed', String(options.seed), '--tiles', String(options.tiles), '--max-batch', String(options.maxBatch), '--max-message-mb', '512', '--backend', info.name], { stdio: ['ignore', 'pipe', 'inherit'] });
  address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      const m = /listening on (\S+)/.exec(String(b));
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`chip serve exited with code ${code}`)));
  });
  stop = async () => {
    child.kill('SIGTERM');
  };
}
const remote = await GrpcChipDriver.connect(address);
const caps = await local.capabilities();

/** Programs every Site's tiles on a driver; returns the MVM calls grouped per Site. */
async function program(d: ChipDriver): Promise<MvmCall[][]> {
  const rng = new Rng(2, 'bench/hil');
  const groups: MvmCall[][] = [];
  let id = 0;
  for (const w of weights.values()) {
    const grid = new TileGrid(w.inFeatures, w.outFeatures, caps.tile);
    const group: MvmCall[] = [];
    for (const t of grid.tiles()) {
      const rows = t.r1 - t.r0, cols = t.c1 - t.c0;
      await d.programTile(id, { rows, cols, data: gatherTile(w.weight, w.outFeatures, t, new Float32Array(rows * cols)) });
      group.push({ tile: id++, inputs: { rows: tokens, cols: rows, data: rng.fillNormal(new Float32Array(tokens * rows), 0, 1) } });
    }
    groups.push(group);
  }
  return groups;
}

const groups = await program(local);
await program(remote);
const tiles = groups.flat().length;

/** [wall ms, CPU ms of this process] — with `--server inline` the CPU time covers both ends and is steadier on a shared machine. */
async function timed(fn: () => Promise<unknown>): Promise<[number, number]> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return [performance.now() - t0, (c.user + c.system) / 1000];
}
const allTiles = (d: ChipDriver) => () => d.mvm(groups.flat());
const perSite = (d: ChipDriver) => async () => {
  for (const g of groups) await d.mvm(g);
};

const results: Record<string, number | string> = { backend: info.name, server: serverMode, tiles, tile: `${caps.tile.rows}x${caps.tile.cols}`, tokens };
for (const [name, make] of [['all_tiles', allTiles], ['per_site', perSite]] as const) {
  const l: [number, number][] = [], r: [number, number][] = [];
  for (let rep = 0; rep <= reps; rep++) {
    const a = await timed(make(local));
    const b = await timed(make(remote));
    if (rep > 0) {
      l.push(a);
      r.push(b);
    }
  }
  const min = (xs: [number, number][], k: 0 | 1) => Math.min(...xs.map((x) => x[k]));
  results[`${name}_inprocess_ms`] = min(l, 0);
  results[`${name}_remote_ms`] = min(r, 0);
  results[`${name}_ratio`] = min(r, 0) / min(l, 0);
  if (serverMode === 'inline') results[`${name}_cpu_ratio`] = min(r, 1) / min(l, 1);
}
// bytes moved per round: inputs out, outputs back
let bytes = 0;
for (const c of groups.flat()) bytes += c.inputs.data.byteLength;
results.input_mb = bytes / 2 ** 20;
report('hil remote/in-process', results);
await remote.close();
await stop();
