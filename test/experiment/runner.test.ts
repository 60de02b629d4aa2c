/**
 * The runner end to end on a tiny experiment: rows for every protocol, a rerun skips what is there,
 * an interrupted run (torn last line) resumes to the same rows, and 1 or 2 workers give identical
 * numbers. The report it leaves renders in headless Chromium (see test/report/browser.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeMetrics, runExperiment, type ResultRow } from '../../src/index.js';
import { expectRendersInChromium } from '../report/chromium.js';
import { runCli } from '../cli/run-cli.js';

const file = fileURLToPath(new URL('../fixtures/experiments/tiny.json', import.meta.url));
const quiet = { log: () => undefined, backend: 'wasm' };

function rows(dir: string): ResultRow[] {
  return readFileSync(join(dir, 'tiny', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
}

/** What must not depend on how the run was scheduled: everything but timing and timestamps. */
function comparable(r: ResultRow): unknown {
  const { timestamp: _t, durationMs: _d, phaseMs: _p, ...rest } = r;
  return rest;
}

describe('experiment runner', () => {
  const one = mkdtempSync(join(tmpdir(), 'run1-'));

  it('runs every phase and writes one row per evaluation with provenance, then skips them on rerun', async () => {
    const s = await runExperiment(file, { ...quiet, workers: 1, reportsDir: one });
    expect(s.adaptersTrained).toBe(2);
    const r = rows(one);
    const kinds = new Set(r.map((x) => x.kind));
    expect([...kinds].sort()).toEqual(['device', 'hardware', 'noise', 'params']);
    // 2 adapters: params 2 + noise (σ=0 once, σ=0.5 twice) 2·3 + hardware 2·(2 t × 2 comp + 2 sweeps) 2·6; devices 2.
    expect(r.length).toBe(2 + 6 + 12 + 2);
    for (const row of r) {
      expect(row.experiment).toBe('tiny');
      expect(row.experimentHash).toMatch(/^[0-9a-f]{16}$/);
      expect(row.backend).toBe('wasm');
      expect(typeof row.version).toBe('string');
      if (row.kind === 'noise' || row.kind === 'hardware') {
        expect(row.metric).toBeGreaterThanOrEqual(0);
        expect(row.metric).toBeLessThanOrEqual(1);
      }
    }
    // Where each evaluation's time went, and the run's sums of it.
    const timed = r.filter((x) => x.kind === 'noise' || x.kind === 'hardware');
    for (const row of timed) for (const k of ['merge', 'program', 'evaluate'] as const) expect(row.phaseMs![k]).toBeGreaterThanOrEqual(0);
    expect(timed.every((x) => x.phaseMs!.evaluate > 0)).toBe(true);
    const sum = timed.reduce((n, x) => n + x.phaseMs!.evaluate, 0) / 1000;
    expect(s.jobSeconds.evaluate).toBeCloseTo(sum, 6);
    // Paired-ready rows: predictions and labels per example (set order), the entry, its baseline, every seed.
    for (const row of timed) {
      expect(row.predictions).toHaveLength(16);
      expect(row.labels).toHaveLength(16);
      expect(row.metrics).toEqual(computeMetrics(['accuracy', 'macro_f1'], Float32Array.from(row.predictions!), Float32Array.from(row.labels!)));
      expect(['grasp', 'stochgrasp']).toContain(row.entryId);
      expect(row.compareTo).toBe('grasp');
      expect(row.seeds!.train).toBe(0);
    }
    expect(new Set(timed.map((x) => JSON.stringify(x.labels))).size).toBe(1);
    for (const row of r.filter((x) => x.kind === 'params')) {
      // A noise-aware adapter's params row carries the σ_target it trained toward (per Site, from the profile), for the σ panels.
      if (row.entryId === 'stochgrasp') expect(Object.values(row.sigmaTarget as Record<string, number>).every((t) => t > 0)).toBe(true);
      else expect(row.sigmaTarget).toBeUndefined();
      const sites = Object.keys(row.histograms!).filter((k) => k !== '*');
      expect(sites.length).toBeGreaterThan(0);
      expect(sites.every((s) => s.endsWith('output.dense'))).toBe(true); // the ff2 Sites
      const kinds = Object.keys(row.histograms!['*']);
      for (const k of kinds) expect(sites.reduce((n, s) => n + row.histograms![s][k].counts.reduce((a, b) => a + b, 0), 0)).toBe(row.histograms!['*'][k].counts.reduce((a, b) => a + b, 0));
    }
    // Noise rows carry the std of the weights they perturb, the same for every σ of one adapter (the σ/std axis).
    const noiseRows = r.filter((x) => x.kind === 'noise');
    for (const row of noiseRows) expect(row.weightStd).toBe(noiseRows.find((x) => x.entryId === row.entryId && x.seeds!.train === row.seeds!.train)!.weightStd);
    expect(noiseRows.every((x) => (x.weightStd as number) > 0)).toBe(true);
    const hw = r.filter((x) => x.kind === 'hardware');
    expect(hw.every((x) => x.profile === 'pcm-aihwkit' && typeof x.energy?.totalJ === 'number')).toBe(true);
    const again = await runExperiment(file, { ...quiet, workers: 1, reportsDir: one });
    expect(again.adaptersTrained).toBe(0);
    expect(again.rowsWritten).toBe(0);
    expect(rows(one).length).toBe(r.length);
    await expectRendersInChromium(join(one, 'tiny', 'index.html'), again.report.charts.length);
  });

  it('grasp-hil evaluate --noise σ --seed s reproduces the runner\'s row for that σ and seed', () => {
    const row = rows(one).find((x) => x.kind === 'noise' && x.noiseSigma === 0.5 && x.seeds!.noise === 1 && x.entryId === 'grasp')!;
    const adapter = join(one, 'tiny', 'adapters', row.key.split('/')[1]);
    const model = fileURLToPath(new URL('../../models/tiny-roberta', import.meta.url));
    const cli = runCli(['evaluate', '--model', model, '--adapter', adapter, '--task', 'brown-genre', '--split', 'test', '--examples', '16', '--max-length', '32', '--noise', '0.5', '--seed', '1', '--samples', '1', '--json'], { GRASP_HIL_BACKEND: 'wasm' });
    expect(cli.stderr).not.toMatch(/Error/);
    const out = JSON.parse(cli.stdout) as { sigma: number; metrics: Record<string, number>; predictions: number[][] }[];
    const noisy = out.find((x) => x.sigma === 0.5)!;
    expect(noisy.metrics).toEqual(row.metrics);
    expect(noisy.predictions[0]).toEqual(row.predictions);
    // The other noise seed gives other predictions, so the comparison above can tell seeds apart.
    const other = rows(one).find((x) => x.kind === 'noise' && x.noiseSigma === 0.5 && x.seeds!.noise === 0 && x.entryId === 'grasp')!;
    expect(other.predictions).not.toEqual(row.predictions);
  });

  it('resumes an interrupted run to the same rows', async () => {
    const cut = mkdtempSync(join(tmpdir(), 'run-cut-'));
    cpSync(join(one, 'tiny', 'adapters'), join(cut, 'tiny', 'adapters'), { recursive: true });
    const full = readFileSync(join(one, 'tiny', 'results.jsonl'), 'utf8').split('\n');
    // Killed mid-write: 7 complete rows and half of the 8th.
    writeFileSync(join(cut, 'tiny', 'results.jsonl'), `${full.slice(0, 7).join('\n')}\n${full[7].slice(0, 40)}`);
    const s = await runExperiment(file, { ...quiet, workers: 1, reportsDir: cut });
    expect(s.recovered[0]).toMatch(/kept 7 complete rows/);
    expect(rows(cut).map(comparable)).toEqual(rows(one).map(comparable));
  });

  it('gives identical rows with 2 workers', async () => {
    const two = mkdtempSync(join(tmpdir(), 'run2-'));
    await runExperiment(file, { ...quiet, workers: 2, reportsDir: two });
    expect(rows(two).map(comparable)).toEqual(rows(one).map(comparable));
  });
});
