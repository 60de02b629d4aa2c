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
import { runExperiment, type ResultRow } from '../../src/index.js';
import { expectRendersInChromium } from '../report/chromium.js';

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
    // 2 adapters: params 2 + noise (σ=0 once, σ=0.05 twice) 2·3 + hardware 2·(2 t × 2 comp + 2 sweeps) 2·6; devices 2.
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
    const hw = r.filter((x) => x.kind === 'hardware');
    expect(hw.every((x) => x.profile === 'pcm-aihwkit' && typeof x.energy?.totalJ === 'number')).toBe(true);
    const again = await runExperiment(file, { ...quiet, workers: 1, reportsDir: one });
    expect(again.adaptersTrained).toBe(0);
    expect(again.rowsWritten).toBe(0);
    expect(rows(one).length).toBe(r.length);
    await expectRendersInChromium(join(one, 'tiny', 'index.html'), again.report.charts.length);
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
