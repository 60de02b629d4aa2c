/**
 * API example 2 (docs/api.md): put a checkpoint — models/tiny-roberta, with an adapter merged in when
 * one is given — on simulated PCM chips and evaluate it over time after programming, without and with
 * global drift compensation. No training.
 *
 * Per chip seed: program once (device-to-device variation and programming noise fixed by the seed),
 * then read the same chip at each time (drift, read noise). Besides accuracy it reports agreement:
 * the fraction of passages where the chip predicts the digital model's class, which is meaningful
 * for a bare checkpoint too (its classification head is untrained, so its accuracy is chance).
 *
 * Run: `npx tsx examples/api/chip-over-time.ts [adapter-dir]` from the repository root.
 * test/examples/api.test.ts runs it on the adapter example 1 saved, with 2 times, 1 chip, 32 passages.
 */
import { initBackend } from 'grasp-hil/tensor';
import { loadModel, loadTokenizer, selectSites } from 'grasp-hil/model';
import { applyMerged, loadAdapter } from 'grasp-hil/peft';
import { encodeExamples, getTask, numOutputs, seededSubset } from 'grasp-hil/data';
import { evaluateDetailed } from 'grasp-hil/train';
import { Chip, weightsOfSites, type CompensationMode } from 'grasp-hil/crossbar';

export interface ChipOverTimeOptions {
  /** An adapter folder (grasp-hil's or PEFT's layout) to merge into the checkpoint first. */
  adapterDir?: string;
  /** Device profile: a shipped id (`grasp-hil profiles list`) or a profile file. */
  profile?: string;
  /** Seconds after programming. */
  times?: number[];
  /** Chip seeds 0 … chips − 1. */
  chips?: number;
  testExamples?: number;
}

export interface ChipRow {
  chip: number;
  t: number;
  compensation: CompensationMode;
  accuracy: number;
  /** Fraction of passages where the chip's class equals the digital model's. */
  agreement: number;
}

export async function main(options: ChipOverTimeOptions = {}) {
  const { adapterDir, profile = 'pcm-aihwkit', times = [1, 3600, 86400, 30 * 86400], chips = 3, testExamples = 256 } = options;
  await initBackend();
  const task = getTask('brown-genre');
  const data = task.load({});
  const model = await loadModel('models/tiny-roberta', { withHead: 'sequence-classification', numLabels: numOutputs(task) });
  const tokenizer = loadTokenizer('models/tiny-roberta');
  if (adapterDir) {
    // The adapter's head is loaded into the model; its Site changes are folded into the weights.
    const { adapter } = await loadAdapter(adapterDir, model, { baseModel: 'models/tiny-roberta' });
    const merged = adapter.merge();
    adapter.detach();
    applyMerged(model, merged);
  }
  const test = encodeExamples(tokenizer, seededSubset(data.evaluation.test, testExamples, 'brown-genre/test'), 64);
  const digital = evaluateDetailed(model, task, test);

  const weights = weightsOfSites(selectSites(model, 'all-linear'));
  const rows: ChipRow[] = [];
  for (let chip = 0; chip < chips; chip++) {
    const programmed = Chip.program(weights, profile, { adc: { bits: 8 }, dac: { bits: 8 } }, { chip });
    for (const t of times) {
      for (const compensation of ['none', 'global'] as const) {
        const state = programmed.at(t, { compensation });
        const detach = state.attach(model);
        try {
          const r = evaluateDetailed(model, task, test);
          const same = r.predictions.filter((p, i) => p === digital.predictions[i]).length;
          rows.push({ chip, t, compensation, accuracy: r.metrics.accuracy, agreement: same / r.predictions.length });
        } finally {
          detach();
          state.dispose();
        }
      }
    }
  }
  model.dispose();
  return { profile, digital: digital.metrics.accuracy, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { digital, rows } = await main({ adapterDir: process.argv[2] });
  console.log(`digital accuracy ${digital.toFixed(3)}`);
  for (const r of rows) console.log(`chip ${r.chip}  t = ${String(r.t).padStart(7)} s  ${r.compensation.padEnd(6)}  accuracy ${r.accuracy.toFixed(3)}  agreement ${r.agreement.toFixed(3)}`);
}
