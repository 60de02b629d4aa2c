/**
 * The shipped models' pre-training recipes by name (`grasp-hil pretrain --preset <id>`): each preset
 * gives its default output folder, its recipe (every number a flag can override) and how to run it.
 * Adding a shipped model is one entry here; the CLI lists the names from this registry.
 */
import { pretrainTinyGpt2, TINY_GPT2_RECIPE } from './pretrain-gpt2.js';
import { DEEP_ROBERTA_RECIPE, pretrainTinyRoberta, TINY_ROBERTA_RECIPE, type PretrainRecipe } from './pretrain-recipe.js';
import type { PretrainCheckpointing } from './pretrain-checkpoint.js';
import type { ProgressMode } from './progress.js';

export interface PretrainPreset {
  id: string;
  describe: string;
  /** Default output folder (the shipped model's). */
  out: string;
  recipe: PretrainRecipe;
  /** Runs the recipe; returns the saved PRETRAINING.json content and one summary line of its held-out result. */
  run(outDir: string, recipe: PretrainRecipe, progress: ProgressMode, checkpoint?: PretrainCheckpointing): Promise<{ report: unknown; summary: string }>;
}

export const PRETRAIN_PRESETS: Readonly<Record<string, PretrainPreset>> = {
  'tiny-roberta': {
    id: 'tiny-roberta',
    describe: 'RoBERTa encoder, masked-LM (models/tiny-roberta)',
    out: 'models/tiny-roberta',
    recipe: TINY_ROBERTA_RECIPE,
    async run(outDir, recipe, progress, checkpoint) {
      const r = await pretrainTinyRoberta(outDir, recipe, progress, checkpoint);
      const f = r.result.final;
      return { report: r, summary: `${r.trainBlocks} training blocks, ${r.result.steps} steps in ${r.result.seconds.toFixed(0)} s (${r.result.tokensPerSecond.toFixed(0)} tokens/s); held-out masked-LM loss ${f.loss.toFixed(4)}, accuracy ${(f.accuracy * 100).toFixed(2)} %` };
    },
  },
  'deep-roberta': {
    id: 'deep-roberta',
    describe: '8-layer RoBERTa encoder, masked-LM on 2 threads (models/deep-roberta)',
    out: 'models/deep-roberta',
    recipe: DEEP_ROBERTA_RECIPE,
    run: (outDir, recipe, progress, checkpoint) => PRETRAIN_PRESETS['tiny-roberta'].run(outDir, recipe, progress, checkpoint),
  },
  'tiny-gpt2': {
    id: 'tiny-gpt2',
    describe: 'GPT-2-layout decoder, causal LM (models/tiny-gpt2)',
    out: 'models/tiny-gpt2',
    recipe: TINY_GPT2_RECIPE,
    async run(outDir, recipe, progress, checkpoint) {
      const r = await pretrainTinyGpt2(outDir, recipe, progress, checkpoint);
      const f = r.result.final;
      return { report: r, summary: `${r.trainBlocks} training blocks, ${r.result.steps} steps in ${r.result.seconds.toFixed(0)} s (${r.result.tokensPerSecond.toFixed(0)} tokens/s); held-out loss ${f.loss.toFixed(4)} (perplexity ${f.perplexity.toFixed(1)}), next-token accuracy ${(f.accuracy * 100).toFixed(2)} %` };
    },
  },
};

/** The preset `id`; an unknown id lists the known ones. */
export function getPretrainPreset(id: string): PretrainPreset {
  const p = PRETRAIN_PRESETS[id];
  if (!p) throw new Error(`unknown pretrain preset '${id}'; known presets: ${Object.keys(PRETRAIN_PRESETS).join(', ')}`);
  return p;
}
