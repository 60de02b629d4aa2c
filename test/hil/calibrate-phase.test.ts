/**
 * The runner's calibrate phase: periphery-held and chip-calibrated rows beside the folded hardware
 * rows, reproducible from their seeds; on the ideal chip the periphery-held adapter predicts exactly
 * what the folded one does.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, type ResultRow } from '../../src/index.js';

function run(dir: string) {
  const file = join(dir, 'cal.json');
  writeFileSync(file, JSON.stringify({
    name: 'cal',
    model: 'tiny-roberta',
    task: { id: 'brown-genre', maxLength: 32, trainExamples: 32, evalExamples: 16 },
    training: { maxSteps: 2, batchSize: 16, lr: 0.01, evalEvery: 'end' },
    methods: [{ id: 'grasp', method: 'grasp', options: { k: 8, sites: 'ff2' } }],
    profiles: ['ideal', 'pcm-aihwkit'],
    evaluation: { hardware: { times: [86400], compensation: [false], sites: 'ff2' }, calibrate: { examples: [0, 8], steps: 2, batchSize: 4 } },
    periphery: { tile: { rows: 128, cols: 128 } },
    seeds: { train: [0], chip: [0] },
  }));
  return runExperiment(file, { log: () => undefined, backend: 'wasm', workers: 1, reportsDir: join(dir, 'reports') });
}

function rows(dir: string): ResultRow[] {
  return readFileSync(join(dir, 'reports', 'cal', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
}

const comparable = (r: ResultRow) => {
  const { timestamp: _t, durationMs: _d, phaseMs: _p, calibration, ...rest } = r;
  const { seconds: _s, ...c } = (calibration ?? {}) as Record<string, unknown>;
  return { ...rest, calibration: c };
};

describe('the calibrate phase', () => {
  it('writes periphery-held and chip-calibrated rows with MVM counts, reproducibly', async () => {
    const a = mkdtempSync(join(tmpdir(), 'cal-a-'));
    const b = mkdtempSync(join(tmpdir(), 'cal-b-'));
    await run(a);
    await run(b);
    const hw = rows(a).filter((r) => r.kind === 'hardware');
    expect(hw.map((r) => `${r.profile}/${r.entryId}`).sort()).toEqual([
      'ideal/grasp', 'ideal/grasp/cal-8', 'ideal/grasp/periphery', 'pcm-aihwkit/grasp', 'pcm-aihwkit/grasp/cal-8', 'pcm-aihwkit/grasp/periphery',
    ]);
    for (const r of hw.filter((x) => x.entryId !== 'grasp')) {
      const c = r.calibration as { examples: number; steps: number; mvmCalls: number; mvmVectors: number; seconds: number };
      expect(r.deployment).toBe('periphery');
      expect(r.predictions).toHaveLength(16);
      if (r.entryId === 'grasp/periphery') expect(c).toMatchObject({ examples: 0, steps: 0, mvmCalls: 0 });
      else {
        expect(c).toMatchObject({ examples: 8, steps: 2, mvmCalls: 2 * 4 }); // 2 steps × 4 ff2 Sites
        expect(c.mvmVectors).toBe(2 * 4 * 4 * 32); // × batch 4 × 32 tokens
        expect(c.seconds).toBeGreaterThan(0);
      }
    }
    // ideal chip: GRASP held in the periphery = GRASP folded into the weights
    const by = (p: string, e: string) => hw.find((r) => r.profile === p && r.entryId === e)!;
    expect(by('ideal', 'grasp/periphery').predictions).toEqual(by('ideal', 'grasp').predictions);
    // same seeds, same rows
    expect(rows(b).map(comparable)).toEqual(rows(a).map(comparable));
  }, 600_000);
});
