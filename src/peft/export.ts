/**
 * `merge`: an adapter folded into its base checkpoint, written as a plain Hugging Face checkpoint
 * (what PEFT's merge_and_unload + save_pretrained give), loadable by transformers and by grasp-hil.
 *
 *   read the adapter's task type → load the base with that head (SEQ_CLS: a classification head with
 *   as many labels as the adapter's classifier has; CAUSAL_LM: the LM head) → load the adapter (all
 *   of loadAdapter's checks) → merge → write the merged Site weights and parameters into the model →
 *   config.json + model.safetensors in transformers' layout for that head → tokenizer files copied.
 *
 * Merged Site weights: W' per method (LoRA W + s·A·B, (IA)³ scaled rows or columns, GRASP
 * diag(1/γ̂)·W with b' = b − (β̂/γ̂)·W, …); the trained head comes from the adapter's modules_to_save.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultLayout, loadCheckpoint, SafetensorsReader, saveModel, type LoadModelOptions } from '../io/index.js';
import { tf } from '../tensor/index.js';
import { parseAdapterConfig } from './adapter-config.js';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, loadAdapter, type LoadAdapterOptions } from './save.js';

/** Tokenizer files a Hugging Face model folder may hold; those present are copied. */
export const TOKENIZER_FILES = [
  'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', 'vocab.json', 'merges.txt', 'vocab.txt',
];

export interface MergeResult {
  method: string;
  sites: number;
  head: string | null;
  files: string[];
}

/** The head to build for an adapter's task type, with the label count its classifier tensors imply. */
async function headFor(adapterDir: string): Promise<Pick<LoadModelOptions, 'withHead' | 'numLabels'>> {
  const cfgFile = path.join(adapterDir, ADAPTER_CONFIG);
  if (!existsSync(cfgFile)) throw new Error(`${adapterDir}: no ${ADAPTER_CONFIG}; not an adapter folder`);
  const config = parseAdapterConfig(readFileSync(cfgFile, 'utf8'), cfgFile);
  if (config.task_type === 'CAUSAL_LM') return { withHead: 'lm' };
  if (config.task_type !== 'SEQ_CLS') return { withHead: 'auto' };
  const weights = path.join(adapterDir, ADAPTER_WEIGHTS);
  if (!existsSync(weights)) return { withHead: 'sequence-classification' };
  const r = await SafetensorsReader.open(weights);
  const out = r.names().find((k) => /\.(classifier\.out_proj|classifier|score)\.weight$/.test(k));
  return out ? { withHead: 'sequence-classification', numLabels: r.info(out).shape[0] } : { withHead: 'sequence-classification' };
}

/** Merges the adapter at `adapterDir` into the checkpoint at `modelDir` and writes it to `outDir`. */
export async function mergeAdapterIntoCheckpoint(
  modelDir: string, adapterDir: string, outDir: string, options: Omit<LoadAdapterOptions, 'baseModel'> = {},
): Promise<MergeResult> {
  if (path.resolve(outDir) === path.resolve(modelDir)) throw new Error(`merge: --out ${outDir} is the base model's folder; write the merged checkpoint elsewhere`);
  if (path.resolve(outDir) === path.resolve(adapterDir)) throw new Error(`merge: --out ${outDir} is the adapter's folder; write the merged checkpoint elsewhere`);
  const { model } = await loadCheckpoint(modelDir, await headFor(adapterDir));
  try {
    const loaded = await loadAdapter(adapterDir, model, { ...options, baseModel: modelDir });
    const merged = loaded.adapter.merge();
    const method = loaded.adapter.method;
    loaded.adapter.detach();
    for (const [name, w] of merged.sites) {
      const site = model.sites.get(name)!;
      model.params.set(site.weightKey, tf.tensor2d(w.weight, [w.inFeatures, w.outFeatures]));
      if (site.biasKey && w.bias) model.params.set(site.biasKey, tf.tensor1d(w.bias));
    }
    for (const [name, t] of merged.params) model.params.set(name, tf.tensor(t.data, t.shape));
    const head = model.head?.kind ?? null;
    mkdirSync(outDir, { recursive: true });
    await saveModel(model, outDir, { layout: defaultLayout(model.config, head) });
    const files = ['config.json', 'model.safetensors'];
    for (const f of TOKENIZER_FILES) {
      if (existsSync(path.join(modelDir, f))) {
        copyFileSync(path.join(modelDir, f), path.join(outDir, f));
        files.push(f);
      }
    }
    return { method, sites: merged.sites.size, head, files };
  } finally {
    model.dispose();
  }
}
