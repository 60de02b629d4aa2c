/**
 * A generation experiment end to end on the shipped tiny-gpt2: the
 * train phase fine-tunes LoRA, GRASP and StochGRASP with the causal-LM loss, the evaluate phase
 * decodes every MR (beam search) under injected noise and on a programmed chip, and each row carries
 * the hypotheses and the five NLG metrics; a rerun skips every row.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brownD2tSplits, nlgScores, runExperiment, tensorCount, type ResultRow } from '../../src/internal.js';
import { useBackend } from '../helpers/backends.js';

const quiet = { log: () => undefined, backend: 'wasm', workers: 1 };

describe('generation experiments', () => {
  it('train (causal LM on targets) → decode under noise and on a chip → rows with hypotheses and NLG metrics', async () => {
    await useBackend('wasm');
    const dir = mkdtempSync(join(tmpdir(), 'gen-exp-'));
    const exp = {
      name: 'gen', model: 'tiny-gpt2',
      task: { id: 'brown-d2t', maxLength: 96, trainExamples: 8, evalExamples: 4 },
      training: { maxSteps: 2, batchSize: 4, lr: 0.01, evalEvery: 'end' },
      methods: [
        { id: 'lora', method: 'lora', options: { rank: 2, sites: 'all-linear' } },
        { id: 'grasp', method: 'grasp', options: { k: 4, sites: 'all-linear' } },
        { id: 'stochgrasp', method: 'stochgrasp', options: { k: 4, rows: 1, sites: 'all-linear', lambda: 0.01 }, sigmaTarget: 0.003 },
      ],
      compareTo: 'grasp',
      profiles: ['pcm-aihwkit'],
      evaluation: { decoding: { numBeams: 2, maxNewTokens: 5, batchSize: 3 }, noise: { sigmas: [0, 0.05] }, hardware: { times: [60], compensation: [true] } },
      periphery: { tile: { rows: 64, cols: 64 } },
      seeds: { grouping: 0, train: [0], chip: [0], read: 0, noise: [0] },
    };
    const file = join(dir, 'gen.json');
    writeFileSync(file, JSON.stringify(exp));
    const before = tensorCount();
    const s = await runExperiment(file, { ...quiet, reportsDir: join(dir, 'reports') });
    expect(s.adaptersTrained).toBe(3);
    const rows = readFileSync(join(dir, 'reports', 'gen', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
    const evals = rows.filter((r) => r.kind === 'noise' || r.kind === 'hardware');
    expect(evals.length).toBe(3 * 3); // per adapter: σ=0, σ=0.05, one chip row
    const items = evals[0].items as string[];
    expect(items).toHaveLength(4);
    const refs = brownD2tSplits();
    const byId = new Map([...refs.test].map((e) => [e.source!, e.references!]));
    for (const r of evals) {
      expect(r.task).toBe('brown-d2t');
      expect(r.metricName).toBe('BLEU');
      expect(r.items).toEqual(items);
      const hyps = r.hypotheses as string[];
      expect(hyps).toHaveLength(4);
      // The row's metrics are the corpus scores of its own hypotheses against the MRs' references.
      expect(r.metrics).toEqual(nlgScores(hyps, items.map((i) => byId.get(i)!)));
      expect(r.metric).toBe(r.metrics!.BLEU);
      expect(r.generatedTokens as number).toBeGreaterThanOrEqual(4);
      expect(r.generatedTokens as number).toBeLessThanOrEqual(4 * 5);
    }
    // Two steps of training leave the decoder far from the task, but some n-grams match: the check above is not 0 = 0.
    expect(Math.max(...evals.map((r) => r.metrics!.NIST))).toBeGreaterThan(0);
    const training = JSON.parse(readFileSync(join(dir, 'reports', 'gen', 'adapters', rows.find((r) => r.entryId === 'lora' && r.kind === 'params')!.key.replace('params/', ''), 'training.json'), 'utf8'));
    expect(Object.keys(training.final.validation)).toEqual(['loss', 'perplexity', 'accuracy']);
    expect(tensorCount()).toBeLessThanOrEqual(before + 400); // the evaluate phase's per-process caches (base model, merged adapters)
    const again = await runExperiment(file, { ...quiet, reportsDir: join(dir, 'reports') });
    expect(again.rowsWritten).toBe(0);
    expect(again.adaptersTrained).toBe(0);
  }, 300_000);
});
