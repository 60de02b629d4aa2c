/**
 * A generation experiment end to end on a random tiny GPT-2 (saved with its own BPE tokenizer): the
 * train phase fine-tunes LoRA, GRASP and StochGRASP with the causal-LM loss, the evaluate phase
 * decodes every MR (beam search) under injected noise and on a programmed chip, and each row carries
 * the hypotheses and the five NLG metrics; a rerun skips every row.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brownD2tSplits, createModel, nlgScores, parseConfig, Rng, runExperiment, saveModel, tensorCount, trainByteLevelBpe, type ResultRow } from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';

const quiet = { log: () => undefined, backend: 'wasm', workers: 1 };

async function tinyDecoder(dir: string): Promise<void> {
  const s = brownD2tSplits();
  const texts = s.train.slice(0, 300).flatMap((e) => [String(e.input), ...e.references!]);
  const tok = trainByteLevelBpe(texts, { vocabSize: 400, specialTokens: ['<|endoftext|>'] });
  const eos = tok.eosId!;
  const config = parseConfig({ model_type: 'gpt2', vocab_size: tok.vocabSize, n_embd: 16, n_layer: 1, n_head: 2, n_inner: 32, n_positions: 96, bos_token_id: eos, eos_token_id: eos }, 'test');
  const model = createModel(config, new Rng(0), { head: 'lm' });
  await saveModel(model, dir);
  tok.save(dir);
  model.dispose();
}

describe('generation experiments', () => {
  it('train (causal LM on targets) → decode under noise and on a chip → rows with hypotheses and NLG metrics', async () => {
    await useBackend('wasm');
    const dir = mkdtempSync(join(tmpdir(), 'gen-exp-'));
    await tinyDecoder(join(dir, 'model'));
    const exp = {
      name: 'gen', model: 'model',
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
    const training = JSON.parse(readFileSync(join(dir, 'reports', 'gen', 'adapters', rows.find((r) => r.entryId === 'lora' && r.kind === 'params')!.key.replace('params/', ''), 'training.json'), 'utf8'));
    expect(Object.keys(training.final.validation)).toEqual(['loss', 'perplexity', 'accuracy']);
    expect(tensorCount()).toBeLessThanOrEqual(before + 400); // the evaluate phase's per-process caches (base model, merged adapters)
    const again = await runExperiment(file, { ...quiet, reportsDir: join(dir, 'reports') });
    expect(again.rowsWritten).toBe(0);
    expect(again.adaptersTrained).toBe(0);
  }, 300_000);
});
