/**
 * bench/hil-remote: evaluation of the shipped model with every all-linear Site on a chip driver —
 * through `grasp-hil chip serve` (a child process on a loopback socket, BlockingChipClient) / the same
 * simulator driver in-process. Same profile, periphery, reset seed and calls, so the same logits
 * (test/hil/model-on-chip.test.ts); only the transport differs. Target: ≤ 1.3×.
 *
 * models/tiny-roberta (24 Sites) with tiles of `--tile` (default 512: 24 tiles), pcm-aihwkit, 1 day
 * after programming, host-side global compensation; brown-genre test subset of `--examples` (default
 * 128) at max length 64, evaluated in batches of 32. Four arms:
 *
 *   inprocess         the simulator driver in this process
 *   remote_baseline   one MVM request per Site per batch (24 round trips per batch) to serveChip on the
 *                     simulator's own thread with the default heap (this script with --serve-plain)
 *   remote_per_site   one request per Site to `grasp-hil chip serve` (simulator and gRPC each on a
 *                     thread of its own, SERVE_HEAP_FLAGS: src/hil/simulator-thread.ts)
 *   remote            as remote_per_site, with each block's query, key and value in one request whose
 *                     input travels once (the default; 16 round trips per batch)
 *
 * Timed: the forward passes only (each chip programmed once, before the warm-up), the arms
 * alternating, minimum over `--reps` after a warm-up; CPU time of this process and both servers
 * beside wall time. Then, untimed, each arm on a freshly programmed chip: all must give the same
 * predictions.
 *
 *   node --import tsx bench/hil-remote.ts [--backend wasm] [--examples 128] [--tile 512] [--reps 3] [--cpu-prof DIR]
 *                                        [--server-flags '--trace-gc']
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { weightsOfSites } from '../src/crossbar/index.js';
import { encodeExamples, getTask, numOutputs, seededSubset } from '../src/data/index.js';
import { evaluateDetailed } from '../src/eval/index.js';
import { attachSites, BlockingChipClient, chipAt, CountingChip, programSites, serveChip, SimulatorDriver, type SyncChip } from '../src/hil/index.js';
import { loadCheckpoint, loadTokenizer } from '../src/io/index.js';
import { selectSites } from '../src/model/index.js';
import { initBackend } from '../src/tensor/index.js';
import { flagReader, report } from './util.js';

const arg = flagReader(['backend', 'cpu-prof', 'examples', 'reps', 'server-flags', 'tile'], ['serve-plain']);
const info = await initBackend(arg('backend', 'wasm'));
const n = Number(arg('examples', '128'));
const tile = Number(arg('tile', '512'));
const reps = Number(arg('reps', '3'));
const periphery = { tile: { rows: tile, cols: tile }, compensation: 'none' as const };
const options = { profile: 'pcm-aihwkit', periphery, tiles: 1024, maxBatch: 1 << 16, maxMessageBytes: 512 << 20 };

if (process.argv.includes('--serve-plain')) {
  // the baseline server: serveChip on the simulator's own thread, default heap (no threads, no flags)
  const server = await serveChip(new SimulatorDriver(options));
  console.log(`listening on ${server.address}`);
  await new Promise(() => undefined);
}

const dir = fileURLToPath(new URL('../models/tiny-roberta', import.meta.url));
const task = getTask('brown-genre');
const data = task.load({});
const { model } = await loadCheckpoint(dir, { withHead: 'sequence-classification', numLabels: numOutputs(task) });
const set = encodeExamples(loadTokenizer(dir), seededSubset(data.evaluation.test, n, 'brown-genre/test'), 64);
const weights = weightsOfSites(selectSites(model, 'all-linear'));

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
// `--cpu-prof DIR`: the server writes a V8 CPU profile there too (run this script with `node --cpu-prof` for the client's)
const profile = arg('cpu-prof', '');
const nodeFlags = [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), ...arg('server-flags', '').split(' ').filter(Boolean), '--import', 'tsx'];
/** Starts a server child process and resolves with it and its address. */
function serve(args: string[]): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [...nodeFlags, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      if (arg('server-flags', '')) process.stderr.write(b); // e.g. --trace-gc lines
      const m = /listening on (\S+)/.exec(String(b));
      if (m) resolve({ child, address: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with code ${code}`)));
  });
}
const { child, address } = await serve([main, 'chip', 'serve', '--profile', options.profile, '--periphery', JSON.stringify(periphery),
  '--port', '0', '--tiles', String(options.tiles), '--max-batch', String(options.maxBatch), '--max-message-mb', '512', '--backend', info.name]);
const plain = await serve([fileURLToPath(import.meta.url), '--serve-plain', '--backend', info.name]);

const local = new CountingChip(new SimulatorDriver(options));
const remote = new CountingChip(BlockingChipClient.connect(address));
const baseline = new CountingChip(BlockingChipClient.connect(plain.address));
/** Programs the chip afresh (reset seed 1) and advances it to 1 day: every evaluation sees the same chip and read-noise draws. */
function place(chip: SyncChip) {
  const p = programSites(chip, weights, { seed: 1, compensation: true });
  chipAt(p, 86400);
  return p;
}
/** The arms, timed alternately: in-process; remote with one request per Site; remote with query/key/value sharing one request. */
const arms: { name: string; chip: CountingChip; shareInputs: boolean }[] = [
  { name: 'inprocess', chip: local, shareInputs: true },
  { name: 'remote_baseline', chip: baseline, shareInputs: false },
  { name: 'remote_per_site', chip: remote, shareInputs: false },
  { name: 'remote', chip: remote, shareInputs: true },
];
/** CPU ms so far of this process (all threads) plus both server processes (/proc/<pid>/stat utime + stime, 10 ms ticks). */
function cpuMs(): number {
  const own = process.cpuUsage();
  const server = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  return (own.user + own.system) / 1000 + server(child.pid!) + server(plain.child.pid!);
}
const times = new Map<string, number[]>(arms.map(({ name }) => [name, []]));
const cpu = new Map<string, number[]>(arms.map(({ name }) => [name, []]));
const requests = new Map<string, number>();
let calls = 0;
// Timed: each chip programmed once (its garbage collected in the warm-up), the arms alternating.
const placed = new Map([local, remote, baseline].map((c) => [c, place(c)]));
const tiles = placed.get(remote)!.tiles;
for (let rep = 0; rep <= reps; rep++) {
  for (const { name, chip, shareInputs } of arms) {
    const att = attachSites(placed.get(chip)!, model, { shareInputs });
    const r0 = chip.requests;
    const c0 = cpuMs();
    const t0 = performance.now();
    evaluateDetailed(model, task, set);
    const ms = performance.now() - t0;
    const cms = cpuMs() - c0;
    att.detach();
    calls = att.mvm.calls;
    requests.set(name, chip.requests - r0);
    if (rep > 0) {
      times.get(name)!.push(ms);
      cpu.get(name)!.push(cms);
    }
  }
}
// Untimed: every arm on a freshly programmed chip gives the same predictions.
const predictions = new Map(arms.map(({ name, chip, shareInputs }) => {
  const att = attachSites(place(chip), model, { shareInputs });
  try {
    return [name, evaluateDetailed(model, task, set).predictions];
  } finally {
    att.detach();
  }
}));
const min = (name: string) => Math.min(...times.get(name)!);
const minCpu = (name: string) => Math.min(...cpu.get(name)!);
report('hil remote evaluation', {
  backend: info.name, examples: n, tile: `${tile}x${tile}`, tiles, mvm_calls_per_eval: calls,
  requests_per_site: requests.get('remote_per_site')!, requests_shared: requests.get('remote')!,
  inprocess_ms: min('inprocess'), remote_baseline_ms: min('remote_baseline'), remote_per_site_ms: min('remote_per_site'), remote_ms: min('remote'),
  ratio_baseline: min('remote_baseline') / min('inprocess'), ratio_per_site: min('remote_per_site') / min('inprocess'), ratio: min('remote') / min('inprocess'),
  inprocess_cpu_ms: minCpu('inprocess'), remote_baseline_cpu_ms: minCpu('remote_baseline'), remote_per_site_cpu_ms: minCpu('remote_per_site'), remote_cpu_ms: minCpu('remote'),
  cpu_ratio_baseline: minCpu('remote_baseline') / minCpu('inprocess'), cpu_ratio_per_site: minCpu('remote_per_site') / minCpu('inprocess'), cpu_ratio: minCpu('remote') / minCpu('inprocess'),
  same_predictions: String([...predictions.values()].every((p) => p.every((v, i) => v === predictions.get('inprocess')![i]))),
});
for (const chip of [local, remote, baseline]) chip.closeSync();
child.kill('SIGTERM');
plain.child.kill('SIGTERM');
