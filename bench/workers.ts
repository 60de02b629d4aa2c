/**
 * bench/workers: evaluation throughput (evaluations/minute) of the experiment runner at 1 and 2
 * worker_threads, and the time share of its phases. Target: 2 workers ≥ 1.7× one worker.
 *
 * The adapters are trained once (into a scratch reports folder), then the evaluate phase runs in
 * fresh folders that hold only those cached adapters, alternating 1, 2, 1, 2… workers (the machine
 * is shared: interleaving keeps the two conditions under the same load). Each run re-evaluates
 * every row of the plan: merge, noise injection or chip programming and read-out, and the metric.
 *
 *   node --import tsx bench/workers.ts [--experiment experiments/quickstart.json] [--full] [--rounds 2]
 *
 * Without --full the runner's --quick variant is used (64 evaluation examples, 16 training steps):
 * the same rows, shorter evaluations. Workers here run the TypeScript sources through tsx, and their
 * start-up (~6 s) is a large share of such a short run: this measured 1.39×, while the built CLI on
 * the quickstart's full rows measured 1.75× (README, "Engine measurements").
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExperiment, quickVariant, runExperiment } from '../src/experiment/index.js';
import { flagReader, report } from './util.js';

const arg = flagReader(['experiment', 'rounds'], ['full']);
const file = arg('experiment', 'experiments/quickstart.json');
const quick = !process.argv.includes('--full');
const rounds = Number(arg('rounds', '2'));
const loaded = loadExperiment(file);
const name = quick ? quickVariant(loaded.experiment).name : loaded.experiment.name;
const silent = () => {};

const base = mkdtempSync(join(tmpdir(), 'grasp-hil-workers-'));
try {
  const t0 = performance.now();
  const first = await runExperiment(file, { workers: 2, quick, reportsDir: join(base, 'train'), log: silent });
  console.log(`${name}: ${first.adaptersTrained} adapters trained in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${first.rowsWritten} evaluation rows per run`);
  report('  phases of the first run (wall s)', { ...first.seconds });
  report('  its evaluation rows (worker-seconds)', { ...first.jobSeconds });
  const rates = new Map<number, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const workers of [1, 2]) {
      const dir = join(base, `r${r}-w${workers}`);
      cpSync(join(base, 'train', name, 'adapters'), join(dir, name, 'adapters'), { recursive: true });
      const s = await runExperiment(file, { workers, quick, reportsDir: dir, log: silent });
      if (s.adaptersTrained !== 0) throw new Error(`bench/workers: expected every adapter cached, ${s.adaptersTrained} were trained`);
      rates.set(workers, [...(rates.get(workers) ?? []), s.evaluationsPerMinute]);
      report(`  round ${r + 1}, ${workers} worker${workers > 1 ? 's' : ''}`, { evaluations: s.rowsWritten, evaluate_s: s.seconds.evaluate, evaluations_per_min: s.evaluationsPerMinute });
    }
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const one = median(rates.get(1)!), two = median(rates.get(2)!);
  report('  median', { one_worker_per_min: one, two_workers_per_min: two, ratio: two / one, target: 1.7 });
} finally {
  rmSync(base, { recursive: true, force: true });
}
