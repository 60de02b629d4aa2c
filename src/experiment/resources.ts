/**
 * Per-process resources of an experiment run: the base model, its tokenizer, the task's data and
 * the encoded evaluation set. Loaded once per process (main or worker) and reused by every job.
 *
 * The model is a shipped id or any local Hugging Face folder (config.json, model.safetensors,
 * tokenizer files); the task a registered id (`task.id`, GLUE ids with `dataDir`) or a local
 * GLUE-style folder (`task.dir`, src/data/local.ts). Problems are ResourceErrors naming the JSON
 * pointer they belong to (/model, /task/id, /task/dir, /task/dataDir).
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeExamples, getAnyTask, isGenerationTask, loadLocalTask, numOutputs, seededSubset, type AnyTask, type EncodedSet, type Example, type TaskData } from '../data/index.js';
import { loadModel } from '../io/index.js';
import { loadTokenizer, type Tokenizer } from '../io/tokenizer/index.js';
import type { Model } from '../model/index.js';
import { Rng } from '../tensor/index.js';
import { resolveFrom, type Experiment } from './schema.js';

/** Model names that refer to models shipped in the package's models/ folder. */
export const SHIPPED_MODELS = ['tiny-roberta', 'deep-roberta', 'tiny-gpt2'] as const;

/** The model directory an experiment names: a shipped model id, or a path relative to the experiment file. */
export function resolveModelDir(exp: Experiment, file: string): string {
  const shipped = (SHIPPED_MODELS as readonly string[]).includes(exp.model);
  const dir = shipped ? fileURLToPath(new URL(`../../models/${exp.model}`, import.meta.url)) : resolveFrom(file, exp.model);
  if (!existsSync(dir)) {
    throw new Error(`${file}: /model: model directory ${dir} does not exist${shipped ? ' (the shipped model is missing from this checkout)' : `; expected a Hugging Face model folder (config.json, model.safetensors, tokenizer files) or a shipped model (${SHIPPED_MODELS.join(', ')})`}`);
  }
  if (!statSync(dir).isDirectory()) throw new Error(`${file}: /model: ${dir} is a file; expected a Hugging Face model folder (config.json, model.safetensors, tokenizer files)`);
  if (!existsSync(`${dir}/config.json`)) throw new Error(`${file}: /model: ${dir} has no config.json; expected a Hugging Face model folder (config.json, model.safetensors, tokenizer files)`);
  return dir;
}

/** A problem with one part of an experiment's resources, at a JSON pointer of the experiment file. */
export class ResourceError extends Error {
  constructor(readonly pointer: string, message: string) {
    super(message);
  }
}

function at<T>(pointer: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof ResourceError ? e : new ResourceError(pointer, (e as Error).message);
  }
}

/** The experiment's task and its full data: a registered task (`id`) or a local folder (`dir`). */
function taskOf(exp: Experiment, file: string): { task: AnyTask; full: TaskData } {
  const { id, dir, dataDir } = exp.task;
  if ((id === undefined) === (dir === undefined)) {
    throw new ResourceError('/task', id === undefined ? 'give the task as `id` (a registered task) or `dir` (a local GLUE-style folder)' : 'give either `id` or `dir`, not both');
  }
  if (dir !== undefined) {
    if (dataDir !== undefined) throw new ResourceError('/task/dataDir', 'dataDir belongs to registered GLUE tasks (`id`); a local task folder is `dir` alone');
    const local = at('/task/dir', () => loadLocalTask(resolveFrom(file, dir), { type: exp.task.type, scoreRange: exp.task.scoreRange as [number, number] | undefined }));
    return { task: local.task, full: local.data };
  }
  const task = at('/task/id', () => getAnyTask(id!));
  const full = at(dataDir !== undefined ? '/task/dataDir' : '/task/id', () => task.load({ dataDir: dataDir !== undefined ? resolveFrom(file, dataDir) : undefined }));
  return { task, full };
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
  const { task, full } = taskOf(exp, file);
  const evaluation: Record<string, Example[]> = {};
  for (const [split, ex] of Object.entries(full.evaluation)) evaluation[split] = seededSubset(ex, exp.task.evalExamples, `${task.id}/${split}`);
  const data: TaskData = { train: seededSubset(full.train, exp.task.trainExamples, `${task.id}/train`), evaluation };
  const tokenizer = at('/model', () => loadTokenizer(modelDir));
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
