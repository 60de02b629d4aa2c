/**
 * bench/analog: analog inference time / digital inference time, same backend, same run. Every
 * all-linear Site runs on simulated tiles (pcm-aihwkit at t = 1 day) with 8-bit DAC (abs-max),
 * 8-bit ADC (bound 10, output noise 0.04), per-MVM read noise on and global compensation; the
 * rest of the model is digital. Two models: a small roberta-shaped encoder and a roberta-base-shaped
 * one (12 × 768, FFN 3072). Read noise is timed in both modes ('rank1', the default, and 'exact' =
 * a second matmul). Digital and analog runs alternate; the ratio is min(analog)/min(digital) over
 * `--reps` pairs after a warm-up pair, in wall time and in this process's CPU time (steadier on a
 * shared machine). Target: ≤ 1.5×.
 *
 * Clip counting (rank-1 mode, the 8-bit ADC can clip): the same analog runs with clip rates tracked
 * (`trackClipping`, as every hardware evaluation row does) and untracked, alternating, on the same
 * chip state, and tracked with execution 'fused-js' (the JavaScript loops that counted clips before
 * the WebAssembly kernels did): `clip_ratio_tracked` = min(tracked)/min(untracked), target ≈ 1;
 * `clip_ratio_fusedjs` = min(fused-JS tracked)/min(untracked). `--no-clip` skips this part.
 *
 *   node --import tsx bench/analog.ts [--backend wasm] [--batch 4] [--seq 128] [--only small|base] [--reps 4] [--no-clip]
 */
import { Chip, weightsOfSites, type PeripheryOptions } from '../src/crossbar/index.js';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/io/index.js';
import { createModel, selectSites, tinyConfig } from '../src/model/index.js';
import { initBackend, Rng, tf } from '../src/tensor/index.js';
import { flagReader, report } from './util.js';

const arg = flagReader(['backend', 'batch', 'only', 'reps', 'seq'], ['no-clip']);
const info = await initBackend(arg('backend', 'auto'));
const batch = Number(arg('batch', '4'));
const seq = Number(arg('seq', '128'));
const only = arg('only', 'all');
const reps = Number(arg('reps', '4'));
const clip = !process.argv.includes('--no-clip');

const shape = (hiddenSize: number, numLayers: number, numHeads: number, intermediateSize: number) => () =>
  createModel(tinyConfig({ architecture: 'roberta', vocabSize: 1000, maxPositions: seq + 4, hiddenSize, numLayers, numHeads, intermediateSize }), new Rng(0, 'bench/analog'));
const models = [
  { name: 'shipped models/tiny-roberta (4 × 128, FFN 512)', key: 'shipped', make: () => loadModel(fileURLToPath(new URL('../models/tiny-roberta', import.meta.url)), { withHead: 'none' }) },
  { name: 'small roberta-shaped (4 × 256, FFN 1024)', key: 'small', make: shape(256, 4, 4, 1024) },
  { name: 'roberta-base-shaped (12 × 768, FFN 3072)', key: 'base', make: shape(768, 12, 12, 3072) },
].filter((m) => only === 'all' || only === m.key);

/** Minimum of the timed runs (after one warm-up): robust to other processes on a shared machine. */
const minMs = (times: number[]): number => Math.min(...times);

for (const m of models) {
  const model = await m.make();
  const rng = new Rng(1, 'ids');
  const ids = tf.tensor2d(Int32Array.from({ length: batch * seq }, () => 3 + rng.int(990)), [batch, seq], 'int32');
  /** [wall ms, CPU ms of this process] — CPU time is less disturbed by other processes on a shared machine. */
  const run = (): [number, number] => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const y = model.forward({ inputIds: ids });
    y.dataSync();
    y.dispose();
    const c = process.cpuUsage(c0);
    return [performance.now() - t0, (c.user + c.system) / 1000];
  };
  const sites = selectSites(model, 'all-linear');
  const weights = weightsOfSites(sites);
  const results: Record<string, number | string> = { backend: info.name, tokens: batch * seq };
  for (const mode of ['rank1', 'exact'] as const) {
    const periphery: PeripheryOptions = {
      dac: { bits: 8, range: 'abs-max' },
      adc: { bits: 8, bound: 10, noise: 0.04 },
      readNoise: { mode },
      compensation: 'global',
    };
    const t0 = performance.now();
    const chip = Chip.program(weights, 'pcm-aihwkit', periphery, 1);
    const t1 = performance.now();
    const state = chip.at(86400);
    results[`program_s_${mode}`] = (t1 - t0) / 1000;
    results[`at_1day_s_${mode}`] = (performance.now() - t1) / 1000;
    // Interleave digital and analog runs so both see the same machine load.
    const digital: [number, number][] = [];
    const analog: [number, number][] = [];
    for (let rep = 0; rep <= reps; rep++) {
      const d = run();
      const detach = state.attach(model);
      const a = run();
      detach();
      if (rep > 0) {
        digital.push(d);
        analog.push(a);
      }
    }
    const wall = (x: [number, number][]) => minMs(x.map((v) => v[0]));
    const cpu = (x: [number, number][]) => minMs(x.map((v) => v[1]));
    results[`digital_ms_${mode}_run`] = wall(digital);
    results[`analog_ms_${mode}`] = wall(analog);
    results[`ratio_${mode}`] = wall(analog) / wall(digital);
    results[`ratio_cpu_${mode}`] = cpu(analog) / cpu(digital);
    if (mode === 'rank1' && clip) {
      const fusedState = Chip.program(weights, 'pcm-aihwkit', { ...periphery, execution: 'fused-js' }, 1).at(86400);
      const plain: [number, number][] = [];
      const tracked: [number, number][] = [];
      const fused: [number, number][] = [];
      let adcRate: number | null = null;
      const analogRun = (s: typeof state, track: boolean): [number, number] => {
        const detach = s.attach(model);
        s.trackClipping(track);
        const r = run();
        if (track && s === state) adcRate = s.clipRates().adc;
        s.trackClipping(false);
        detach();
        return r;
      };
      for (let rep = 0; rep <= reps; rep++) {
        const p = analogRun(state, false);
        const t = analogRun(state, true);
        const f = analogRun(fusedState, true);
        if (rep > 0) {
          plain.push(p);
          tracked.push(t);
          fused.push(f);
        }
      }
      fusedState.dispose();
      results.clip_untracked_ms = wall(plain);
      results.clip_tracked_ms = wall(tracked);
      results.clip_fusedjs_tracked_ms = wall(fused);
      results.clip_ratio_tracked = wall(tracked) / wall(plain);
      results.clip_ratio_tracked_cpu = cpu(tracked) / cpu(plain);
      results.clip_ratio_fusedjs = wall(fused) / wall(plain);
      results.clip_ratio_fusedjs_cpu = cpu(fused) / cpu(plain);
      results.adc_clip_rate = adcRate ?? 'none';
    }
    state.dispose();
  }
  report(`analog vs digital, ${m.name}`, { ...results, target_ratio: 1.5 });
  ids.dispose();
  model.dispose();
}
