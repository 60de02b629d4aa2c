/**
 * Experiments on a chip driver: the same small experiment gives identical hardware rows with the
 * simulator driver in-process and through `grasp-hil chip serve` on a real loopback socket (same
 * seeds), and a server lost mid-run fails the run with UNAVAILABLE without writing the failed row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, type ResultRow } from '../../src/index.js';
import { serveChild, type ServedChip } from './serve-child.js';

const PERIPHERY = { tile: { rows: 128, cols: 128 }, dac: { bits: 8 }, adc: { bits: 8, bound: 12 } };
const quiet = { log: () => undefined, backend: 'wasm', workers: 1 };

function experiment(dir: string, chip: object): string {
  const file = join(dir, 'chip.json');
  writeFileSync(file, JSON.stringify({
    name: 'chip',
    model: 'tiny-roberta',
    task: { id: 'brown-genre', maxLength: 32, trainExamples: 32, evalExamples: 16 },
    training: { maxSteps: 2, batchSize: 16, lr: 0.01, evalEvery: 'end' },
    methods: [{ id: 'grasp', method: 'grasp', options: { k: 8, sites: 'ff2' } }],
    evaluation: { hardware: { times: [1, 2_592_000], compensation: [true, false], sites: 'ff2' } },
    periphery: PERIPHERY,
    chip,
    seeds: { train: [0], chip: [0, 1] },
  }));
  return file;
}

function rows(dir: string): ResultRow[] {
  const f = join(dir, 'reports', 'chip', 'results.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ResultRow) : [];
}

/** Everything but timing, provenance of the file and where the chip was. */
function comparable(r: ResultRow): unknown {
  const { timestamp: _t, durationMs: _d, phaseMs: _p, inputsHash: _h, experimentHash: _e, chip, ...rest } = r;
  const { address: _a, driver: _dr, ...c } = (chip ?? {}) as Record<string, unknown>;
  return { ...rest, chip: c };
}

describe('an experiment on a chip driver', () => {
  let served: ServedChip;
  beforeAll(async () => {
    served = await serveChild(['--profile', 'pcm-aihwkit', '--periphery', JSON.stringify({ ...PERIPHERY, compensation: 'none' }), '--tiles', '512'], 'wasm');
  }, 60_000);
  afterAll(async () => {
    await served?.stop();
  });

  it('gives identical rows in-process and through `chip serve`', async () => {
    const a = mkdtempSync(join(tmpdir(), 'chip-local-'));
    const b = mkdtempSync(join(tmpdir(), 'chip-remote-'));
    await runExperiment(experiment(a, { driver: 'simulator', profile: 'pcm-aihwkit', tiles: 512 }), { ...quiet, reportsDir: join(a, 'reports') });
    await runExperiment(experiment(b, { driver: 'grpc', address: served.address }), { ...quiet, reportsDir: join(b, 'reports') });
    const local = rows(a).filter((r) => r.kind === 'hardware');
    const remote = rows(b).filter((r) => r.kind === 'hardware');
    expect(local).toHaveLength(8); // 2 chips × 2 t × 2 compensation
    expect(remote.map(comparable)).toEqual(local.map(comparable));
    for (const r of remote) {
      expect(r.profile).toBe('pcm-aihwkit');
      expect(r.key).toMatch(/^hw\/grasp-[0-9a-f]+\/chip\/chip=\d\/t=\d+\/comp=(true|false)$/);
      expect(r.chip).toMatchObject({ driver: 'grpc', implementation: 'grasp-hil-simulator', address: served.address });
      expect((r.chip as { mvm: { calls: number } }).mvm.calls).toBeGreaterThan(0);
      expect(r.predictions).toHaveLength(16);
    }
    // (the logits themselves, with drift and both chip seeds visible, are compared bit for bit in model-on-chip.test.ts)
  }, 600_000);

  // Last: it kills the shared server.
  it('fails the run cleanly when the server goes away mid-experiment, without writing the failed row', async () => {
    const c = mkdtempSync(join(tmpdir(), 'chip-lost-'));
    let hwDone = 0;
    const run = runExperiment(experiment(c, { driver: 'grpc', address: served.address }), {
      ...quiet, reportsDir: join(c, 'reports'),
      onProgress: (e) => {
        if (e.phase === 'evaluate' && e.label.startsWith('hw/') && ++hwDone === 1) served.child.kill('SIGKILL');
      },
    });
    await expect(run).rejects.toThrow(new RegExp(`chip server at ${served.address.replace(/\./g, '\\.')} .*(unreachable|went away)`));
    const written = rows(c);
    expect(written.filter((r) => r.kind === 'hardware')).toHaveLength(1);
    expect(written.filter((r) => r.kind === 'params')).toHaveLength(1);
  }, 600_000);
});
