/**
 * Results are never stale: a rerun into the same reports folder recomputes every row whose inputs
 * changed (periphery, profile contents) and gives exactly the rows a fresh run of the edited
 * experiment gives; rows no longer in the plan are kept, or archived with --prune, never deleted.
 * Profile paths in an experiment resolve against the experiment file, not the working directory.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExperiment, type ResultRow } from '../../src/index.js';

const quiet = { log: () => undefined, backend: 'wasm', workers: 1 };
const shippedPcm = fileURLToPath(new URL('../../device-models/pcm-aihwkit.json', import.meta.url));

/** One GRASP adapter, one clean and one noisy row, one hardware row, on a profile file beside the experiment. */
function smallExperiment(dir: string, edit: (e: Record<string, any>) => void = () => undefined): string {
  const exp: Record<string, any> = {
    name: 'small',
    model: 'tiny-roberta',
    task: { id: 'brown-genre', maxLength: 32, trainExamples: 32, evalExamples: 16 },
    training: { maxSteps: 2, batchSize: 16, lr: 0.01, evalEvery: 'end' },
    methods: [{ id: 'grasp', method: 'grasp', options: { k: 8, sites: 'ff2' } }],
    profiles: ['profiles/my-pcm.json'],
    evaluation: { noise: { sigmas: [0, 0.05] }, hardware: { times: [3600], compensation: [true], sites: 'ff2' } },
    periphery: { tile: { rows: 64, cols: 64 }, dac: { bits: 8 }, adc: { bits: 8, bound: 12 } },
    seeds: { train: [0], chip: [0], noise: [0] },
  };
  edit(exp);
  const file = join(dir, 'small.json');
  writeFileSync(file, JSON.stringify(exp, null, 2));
  return file;
}

const rowsOf = (root: string): ResultRow[] => readFileSync(join(root, 'small', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
/** Everything but timing and the provenance of when a row was made (a kept row keeps its experiment hash). */
const comparable = (rows: ResultRow[]) => rows.map(({ timestamp: _t, durationMs: _d, phaseMs: _p, experimentHash: _h, ...rest }) => rest).sort((a, b) => a.key.localeCompare(b.key));

describe('results are never stale', () => {
  it('an edited periphery or profile is recomputed on rerun, equal to a fresh run; removed rows are kept or pruned', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stale-exp-'));
    // The profile path is relative to the experiment file; the test runs from the repository root.
    writeFileSync(join(dir, 'placeholder'), '');
    const profiles = join(dir, 'profiles');
    (await import('node:fs')).mkdirSync(profiles);
    copyFileSync(shippedPcm, join(profiles, 'my-pcm.json'));
    const reports = mkdtempSync(join(tmpdir(), 'stale-reports-'));
    smallExperiment(dir);
    const first = await runExperiment(join(dir, 'small.json'), { ...quiet, reportsDir: reports });
    expect(first.rowsWritten).toBe(4); // params, σ=0, σ=0.05, one hardware row
    const before = rowsOf(reports).find((r) => r.kind === 'hardware')!;
    expect(before.periphery).toMatchObject({ adc: { bits: 8 } });

    // The red-team case: edit the periphery (ADC bits), rerun into the same folder.
    const lines: string[] = [];
    smallExperiment(dir, (e) => { e.periphery.adc.bits = 3; });
    const edited = await runExperiment(join(dir, 'small.json'), { ...quiet, reportsDir: reports, log: (l) => lines.push(l) });
    // One line before any work says the experiment changed; reconcile then counts the stale rows.
    expect(lines[1]).toMatch(/small: experiment small changed since this folder's last run \(experiment hash [0-9a-f]{16} → [0-9a-f]{16}\)/);
    expect(lines.some((l) => /reconcile: 1 stored rows are stale .* and will be recomputed, 0 are no longer in the plan/.test(l))).toBe(true);
    expect(edited.rowsStale).toBe(1);
    expect(edited.rowsWritten).toBe(1);
    expect(edited.adaptersTrained).toBe(0); // GRASP's adapter does not depend on the periphery
    const after = rowsOf(reports);
    expect(after.find((r) => r.kind === 'hardware')!.periphery).toMatchObject({ adc: { bits: 3 } });
    const archived = readdirSync(join(reports, 'small')).filter((f) => f.startsWith('results.stale-'));
    expect(archived).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(reports, 'small', archived[0]), 'utf8').trim())).toEqual(before);
    // Exactly what a fresh run of the edited experiment gives.
    const fresh = mkdtempSync(join(tmpdir(), 'stale-fresh-'));
    await runExperiment(join(dir, 'small.json'), { ...quiet, reportsDir: fresh });
    expect(comparable(after)).toEqual(comparable(rowsOf(fresh)));

    // The profile's contents change under the same name: its rows are recomputed.
    const profile = JSON.parse(readFileSync(join(profiles, 'my-pcm.json'), 'utf8'));
    profile.name = `${profile.name} (edited)`;
    writeFileSync(join(profiles, 'my-pcm.json'), JSON.stringify(profile));
    const reprofiled = await runExperiment(join(dir, 'small.json'), { ...quiet, reportsDir: reports });
    expect(reprofiled.rowsStale).toBe(1);
    expect(reprofiled.rowsWritten).toBe(1);

    // σ = 0.05 leaves the plan: its row is kept and reported, then archived by --prune.
    smallExperiment(dir, (e) => { e.periphery.adc.bits = 3; e.evaluation.noise.sigmas = [0]; });
    const kept = await runExperiment(join(dir, 'small.json'), { ...quiet, reportsDir: reports });
    expect(kept.rowsNotInPlan).toBe(1);
    expect(rowsOf(reports).some((r) => r.noiseSigma === 0.05)).toBe(true);
    const pruned = await runExperiment(join(dir, 'small.json'), { ...quiet, reportsDir: reports, prune: true });
    expect(pruned.rowsPruned).toBe(1);
    expect(rowsOf(reports).some((r) => r.noiseSigma === 0.05)).toBe(false);
    const prunedFile = readdirSync(join(reports, 'small')).find((f) => f.startsWith('results.pruned-'))!;
    expect(readFileSync(join(reports, 'small', prunedFile), 'utf8')).toMatch(/σ=0.05/);
    expect(existsSync(join(reports, 'small', 'run.json'))).toBe(true);
    expect(readdirSync(join(reports, 'small')).some((f) => f.includes('.tmp-'))).toBe(false);
  });
});
