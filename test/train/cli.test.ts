/** End to end through the CLI: train an adapter on a tiny saved model, evaluate it clean and noisy. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveModel, trainByteLevelBpe } from '../../src/io/index.js';
import { createModel, parseConfig } from '../../src/model/index.js';
import { initBackend, Rng } from '../../src/tensor/index.js';
import { toyExamples } from './helpers.js';

const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, GRASP_HIL_BACKEND: 'cpu' } });

describe('grasp-hil train / evaluate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-train-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains, saves an adapter, and evaluates it under noise', async () => {
    await initBackend('cpu');
    const texts = toyExamples(200, 5).map((e) => e.input as string);
    const tok = trainByteLevelBpe(texts, { vocabSize: 300, modelMaxLength: 32 });
    const config = parseConfig({
      model_type: 'roberta', vocab_size: tok.vocabSize, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32,
      max_position_embeddings: 34, type_vocab_size: 1, pad_token_id: tok.padId, layer_norm_eps: 1e-5,
    }, 'cli test');
    const model = createModel(config, new Rng(0), { head: 'lm' });
    const modelDir = join(dir, 'model');
    await saveModel(model, modelDir);
    tok.save(modelDir);
    model.dispose();
    // GLUE SST-2 layout for the data.
    mkdirSync(join(dir, 'SST-2'));
    const tsv = (n: number, seed: number) => `sentence\tlabel\n${toyExamples(n, seed).map((e) => `${e.input}\t${e.label}`).join('\n')}\n`;
    writeFileSync(join(dir, 'SST-2', 'train.tsv'), tsv(48, 1));
    writeFileSync(join(dir, 'SST-2', 'dev.tsv'), tsv(16, 2));
    const out = join(dir, 'adapter');
    const trained = JSON.parse(cli(['train', '--model', modelDir, '--task', 'sst2', '--data', dir, '--method', 'grasp', '--k', '4', '--epochs', '1', '--batch-size', '16', '--max-length', '32', '--out', out, '--json']));
    expect(trained).toMatchObject({ method: 'grasp', task: 'sst2', trainable: 2 * 4 * 6, steps: 3 });
    // PEFT's PeftModelForSequenceClassification lists both head names it knows.
    expect(JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8')).modules_to_save).toEqual(['classifier', 'score']);
    const rows = JSON.parse(cli(['evaluate', '--model', modelDir, '--adapter', out, '--task', 'sst2', '--data', dir, '--max-length', '32', '--noise', '0', '0.5', '--samples', '2', '--json']));
    expect(rows.map((r: { sigma: number }) => r.sigma)).toEqual([0, 0, 0.5]);
    expect(rows[1].metrics.accuracy).toBeCloseTo(rows[0].metrics.accuracy, 10);
    expect(trained.final.validation.accuracy).toBeCloseTo(rows[0].metrics.accuracy, 10);
    // StochGRASP reports σ against σ_target: 3 steps cannot carry σ from ≈0.003 to 0.05.
    const stoch = JSON.parse(cli(['train', '--model', modelDir, '--task', 'sst2', '--data', dir, '--method', 'stochgrasp', '--k', '4', '--option', 'sigmaTarget=0.05', '--epochs', '1', '--batch-size', '16', '--max-length', '32', '--out', join(dir, 'stoch'), '--json']));
    expect(stoch.sigma.meanRatio).toBeLessThan(0.5);
    expect(stoch.sigma.warning).toMatch(/did not reach its target/);
  });
});
