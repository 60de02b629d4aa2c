/**
 * API example 1 (docs/api.md): train one GRASP adapter on the shipped tiny-roberta checkpoint and the
 * built-in Brown genre task, evaluate it on 256 test passages, and save it in Hugging Face PEFT's layout
 * (adapter_config.json + adapter_model.safetensors, the trained head under modules_to_save).
 *
 * Run: `npx tsx examples/api/train-evaluate.ts [adapter-dir]` from the repository root (default
 * reports/api-example/adapter). test/examples/api.test.ts runs it with 4 steps.
 */
import { initBackend, Rng, tensorCount } from 'grasp-hil/tensor';
import { loadModel, loadTokenizer } from 'grasp-hil/model';
import { attachMethod, saveAdapter } from 'grasp-hil/peft';
import { encodeExamples, getTask, numOutputs, seededSubset } from 'grasp-hil/data';
import { evaluate, train } from 'grasp-hil/train';

export interface TrainEvaluateOptions {
  /** Where the adapter is saved. */
  adapterDir?: string;
  /** Optimiser steps (64 reach about 0.9 accuracy; 4 are a smoke test). */
  steps?: number;
  /** Test passages evaluated. */
  testExamples?: number;
  /** Where the trainer's lines go (default: stderr). */
  log?: (line: string) => void;
}

export async function main(options: TrainEvaluateOptions = {}) {
  const { adapterDir = 'reports/api-example/adapter', steps = 64, testExamples = 256 } = options;
  await initBackend();
  const tensorsBefore = tensorCount();
  const task = getTask('brown-genre');
  const data = task.load({});
  const model = await loadModel('models/tiny-roberta', { withHead: 'sequence-classification', numLabels: numOutputs(task) });
  const tokenizer = loadTokenizer('models/tiny-roberta');

  // GRASP: K = 32 learned scales and shifts per Site, on every linear layer; the head trains too.
  const adapter = attachMethod(model, 'grasp', { k: 32, sites: 'all-linear' }, new Rng(0, 'adapter'));
  const result = await train(
    { model, adapter, task, data, tokenizer },
    { maxSteps: steps, batchSize: 32, lr: 0.01, maxLength: 64, trainExamples: 512, evalExamples: 64, seed: 0, log: options.log },
  );

  const test = encodeExamples(tokenizer, seededSubset(data.evaluation.test, testExamples, 'brown-genre/test'), 64);
  const metrics = evaluate(model, task, test);
  await saveAdapter(adapterDir, model, adapter, { head: result.headState, baseModel: 'models/tiny-roberta', taskType: 'SEQ_CLS' });

  adapter.detach();
  model.dispose();
  const leaked = tensorCount() - tensorsBefore; // 0: every tensor made here is freed (the saved head is plain arrays)
  return { accuracy: metrics.accuracy, macroF1: metrics.macro_f1, steps: result.steps, trainableParams: result.trainableParams, adapterDir, leaked };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main({ adapterDir: process.argv[2] }));
