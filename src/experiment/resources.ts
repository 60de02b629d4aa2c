/**
 * Per-process resources of an experiment run: the base model, its tokenizer, the task's data and
 * the encoded evaluation set. Loaded once per process (main or worker) and reused by every job.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeExamples, getAnyTask, isGenerationTask, numOutputs, seededSubset, type AnyTask, type EncodedSet, type Example, type TaskData } from '../data/index.js';
import { loadModel } from '../io/index.js';
import { loadTokenizer, type Tokenizer } from '../io/tokenizer/index.js';
import type { Model } from '../model/index.js';
import { Rng } from '../tensor/index.js';
import { resolveFrom, type Experiment } from './schema.js';

/** Model names that refer to models shipped in the package's models/ folder. */
export const SHIPPED_MODELS = ['tiny-roberta', 'tiny-gpt2'] as const;

/** The model directory an experiment names: a shipped model id, or a path relative to the experiment file. */
export function resolveModelDir(exp: Experiment, file: string): string {
  const shipped = (SHIPPED_MODELS as readonly string[]).includes(exp.model);
  const dir = shipped ? fileURLToPath(new URL(`../../models/${exp.model}`, import.meta.url)) : resolveFrom(file, exp.model);
  if (!existsSync(dir)) {
    throw new Error(`${file}: /model: model directory ${dir} does not exist${shipped ? ' (the shipped model is missing from this checkout)' : ''}`);
  }
  return dir;
}

export interface Resources {
  modelDir: string;
  /** A label task (classification, regression) or a generation task (`isGenerationTask`). */
  task: AnyTask;
  data: TaskData;
  tokenizer: Tokenizer;
  /** The split reported in result rows ('test' when the task has one) and its encoded examples (generation: the MRs). */
  evalSplit: string;
  evalSet: EncodedSet;
  /** The reported split's examples (generation tasks decode their inputs and score against their references). */
  evalExamples: Example[];
  maxLength: number;
  /** A fresh copy of the base model with a sequence-classification head (generation tasks: its LM head). */
  loadBase(headSeed?: number): Promise<Model>;
}

export function loadResources(exp: Experiment, file: string): Resources {
  const modelDir = resolveModelDir(exp, file);
  const task = getAnyTask(exp.task.id);
  const full = task.load({ dataDir: exp.task.dataDir ? resolveFrom(file, exp.task.dataDir) : undefined });
  const evaluation: Record<string, Example[]> = {};
  for (const [split, ex] of Object.entries(full.evaluation)) evaluation[split] = seededSubset(ex, exp.task.evalExamples, `${task.id}/${split}`);
  const data: TaskData = { train: seededSubset(full.train, exp.task.trainExamples, `${task.id}/train`), evaluation };
  const tokenizer = loadTokenizer(modelDir);
  const maxLength = exp.task.maxLength ?? 128;
  const splits = Object.keys(evaluation);
  const evalSplit = splits.includes('test') ? 'test' : splits[splits.length - 1];
  const evalSet = encodeExamples(tokenizer, evaluation[evalSplit], maxLength);
  return {
    modelDir, task, data, tokenizer, evalSplit, evalSet, evalExamples: evaluation[evalSplit], maxLength,
    loadBase: (headSeed = 0) => isGenerationTask(task)
      ? loadModel(modelDir, { withHead: 'lm' })
      : loadModel(modelDir, { withHead: 'sequence-classification', numLabels: numOutputs(task), rng: new Rng(headSeed, 'head-init') }),
  };
}
