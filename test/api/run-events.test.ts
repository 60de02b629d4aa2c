/**
 * runExperiment's library entry: an experiment object (not a file) runs, its events arrive in order
 * with the right types, every printed line is a `log` event, and an AbortSignal stops the run —
 * fewer rows than planned, none partial, no half-trained adapter — after which a rerun resumes.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment, type Experiment, type RunEvent } from '../../src/experiment/index.js';

/** One GRASP adapter, three training steps, 2 σ × 2 noise seeds + a parameter row: 5 rows. */
function tinyExperiment(name: string): Experiment {
  return {
    name, model: 'tiny-roberta',
    task: { id: 'brown-genre', maxLength: 32, trainExamples: 32, evalExamples: 16 },
    training: { maxSteps: 3, batchSize: 16, lr: 0.01, evalEvery: 'end' },
    methods: [{ id: 'grasp', method: 'grasp', options: { k: 8, sites: 'ff2' } }],
    evaluation: { noise: { sigmas: [0, 0.5] } },
    seeds: { grouping: 0, train: [0], noise: [0, 1] },
  } as Experiment;
}

const rowsOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { key: string });

describe('runExperiment(object, { onEvent, signal })', () => {
  it('emits plan → trainStep… → adapterTrained → rowWritten… → done, and every line as a log event', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'api-events-'));
    const exp = tinyExperiment('events');
    const before = JSON.stringify(exp);
    const events: RunEvent[] = [];
    const lines: string[] = [];
    const s = await runExperiment(exp, { workers: 1, reportsDir: reports, onEvent: (e) => events.push(e), log: (l) => lines.push(l) });
    expect(JSON.stringify(exp)).toBe(before); // the caller's object is not modified (no defaults written into it)
    const milestones = events.filter((e) => e.type !== 'log' && e.type !== 'progress').map((e) => e.type);
    expect(milestones).toEqual(['plan', 'trainStep', 'trainStep', 'trainStep', 'adapterTrained', ...Array(s.rowsWritten).fill('rowWritten'), 'done']);
    const plan = events.find((e) => e.type === 'plan')!;
    expect(plan).toMatchObject({ experiment: 'events', adapters: 1, toTrain: 1, stored: 0, toCompute: s.rowsWritten, workers: 1 });
    const steps = events.filter((e) => e.type === 'trainStep');
    expect(steps.map((e) => [e.step, e.total])).toEqual([[1, 3], [2, 3], [3, 3]]);
    for (const e of steps) expect(Number.isFinite(e.loss) && Number.isFinite(e.gradNorm) && e.key.length > 0).toBe(true);
    const trained = events.find((e) => e.type === 'adapterTrained')!;
    expect(trained.key).toBe(steps[0].key);
    expect(trained.record.steps).toBe(3);
    const written = events.filter((e) => e.type === 'rowWritten');
    expect(written.map((e) => e.done)).toEqual(written.map((_, i) => i + 1));
    expect(written.map((e) => e.row.key)).toEqual(rowsOf(join(s.outDir, 'results.jsonl')).map((r) => r.key));
    const done = events.at(-1)!;
    expect(done.type === 'done' && done.summary.rowsWritten).toBe(s.rowsWritten);
    // Every line — the runner's, the counters' and the trainer's step line — is a log event, and `log` gets the same lines.
    const logged = events.filter((e) => e.type === 'log').map((e) => e.line);
    expect(logged).toEqual(lines);
    expect(logged.some((l) => /^step 3\/3 epoch \d+ loss /.test(l))).toBe(true);
    expect(logged.some((l) => l.startsWith('plan: '))).toBe(true);
    expect(logged.some((l) => l.startsWith(`evaluate: ${s.rowsWritten}/${s.rowsWritten} `))).toBe(true);
  }, 240_000);

  it('abort while evaluating: fewer rows than planned, none partial; a rerun writes only the rest', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'api-abort-'));
    const exp = tinyExperiment('abort');
    const controller = new AbortController();
    let written = 0;
    const err = await runExperiment(exp, {
      workers: 1, reportsDir: reports, signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'rowWritten' && ++written === 2) controller.abort();
      },
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('AbortError');
    const file = join(reports, 'abort', 'results.jsonl');
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true); // no partial line
    expect(rowsOf(file)).toHaveLength(2);
    expect(existsSync(join(reports, 'abort', 'run.json'))).toBe(false); // the run did not finish

    const again = await runExperiment(exp, { workers: 1, reportsDir: reports, onEvent: () => undefined });
    expect(again.adaptersCached).toBe(1);
    expect(again.rowsSkipped).toBe(2);
    expect(again.rowsWritten).toBeGreaterThan(0);
    const keys = rowsOf(file).map((r) => r.key);
    expect(keys).toHaveLength(2 + again.rowsWritten);
    expect(new Set(keys).size).toBe(keys.length);
  }, 240_000);

  it('abort while training: no adapter is saved and no row written; a rerun trains it', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'api-abort-train-'));
    const exp = tinyExperiment('abort-train');
    const controller = new AbortController();
    const steps: number[] = [];
    const reason = new Error('stopped by the test');
    const err = await runExperiment(exp, {
      workers: 1, reportsDir: reports, signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'trainStep') {
          steps.push(e.step);
          if (e.step === 1) controller.abort(reason);
        }
      },
    }).catch((e: Error) => e);
    expect(err).toBe(reason); // the signal's reason, as fetch and timers/promises do
    expect(steps).toEqual([1]); // no step after the abort
    const adapters = join(reports, 'abort-train', 'adapters');
    expect(existsSync(adapters) ? readdirSync(adapters) : []).toEqual([]);
    const file = join(reports, 'abort-train', 'results.jsonl');
    expect(existsSync(file) ? rowsOf(file) : []).toEqual([]);
    const again = await runExperiment(exp, { workers: 1, reportsDir: reports, log: () => undefined });
    expect([again.adaptersTrained, again.adaptersCached]).toEqual([1, 0]);
  }, 240_000);

  it('with 2 workers: training steps come from the worker threads, and an abort terminates them with only whole rows written', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'api-workers-'));
    const controller = new AbortController();
    const events: RunEvent[] = [];
    const err = await runExperiment(tinyExperiment('workers'), {
      workers: 2, reportsDir: reports, signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'rowWritten' && e.done === 1) controller.abort();
      },
    }).catch((e: Error) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(events.find((e) => e.type === 'plan')).toMatchObject({ workers: 2 });
    expect(events.filter((e) => e.type === 'trainStep').map((e) => e.step)).toEqual([1, 2, 3]);
    expect(events.some((e) => e.type === 'log' && /^step 3\/3 /.test(e.line))).toBe(false); // workers draw no step lines
    expect(events.filter((e) => e.type === 'rowWritten')).toHaveLength(1);
    expect(events.some((e) => e.type === 'done')).toBe(false);
    const file = join(reports, 'workers', 'results.jsonl');
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    expect(rowsOf(file)).toHaveLength(1);
  }, 240_000);

  it('an already aborted signal refuses to start; a bad object names the field', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'api-refuse-'));
    const err = await runExperiment(tinyExperiment('never'), { reportsDir: reports, signal: AbortSignal.abort() }).catch((e: Error) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(existsSync(join(reports, 'never'))).toBe(false);
    const bad = { ...tinyExperiment('bad'), training: { maxSteps: 'three' } } as unknown as Experiment;
    const msg = await runExperiment(bad, { reportsDir: reports, log: () => undefined, baseDir: reports }).catch((e: Error) => e.message);
    expect(msg).toContain(`${join(reports, '(experiment object)')}: /training/maxSteps: must be integer`);
  });
});
