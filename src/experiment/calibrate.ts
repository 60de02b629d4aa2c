/**
 * Calibrate phase: the adapter held in the periphery over base weights programmed once, calibrated
 * with the chip in the loop on N training examples (N = 0: as trained) → evaluate → one hardware row.
 *
 *   load       the trained adapter attached to the base model (its input transform stays digital,
 *              in front of the DAC) with its task head
 *   program    the base weights of evaluation.hardware.sites (not the merged ones) on a chip:
 *              Chip.program(chip seed) → chip.at(t, compensation, read seed)
 *   calibrate  N seeded examples of the training subset (`Rng` subset '<task>/calibrate'), S steps of
 *              hil/calibrate.ts calibrateOnChip (forward through the tiles, straight-through
 *              gradients, batch order from the chip seed); skipped for N = 0
 *   evaluate   the chip attached innermost behind the adapter → metrics, predictions → row
 *
 * The row is kind 'hardware' with entryId `<entry>/periphery` (N = 0) or `<entry>/cal-<N>`, so the
 * report pairs it with the folded adapter's row of the same profile, t, compensation and chip seed,
 * and a `calibration` field: examples, steps, chip MVM calls and input vectors, seconds.
 * Streams: chip seed (devices, drift, batch order), read seed (read noise); same seeds, same row.
 */
import { Chip, weightsOfSites, type PeripheryOptions } from '../crossbar/index.js';
import { encodeExamples, isGenerationTask, listAnyTasks, seededSubset } from '../data/index.js';
import { calibrateOnChip } from '../hil/calibrate.js';
import { attachChip } from '../hil/periphery-grasp.js';
import { selectSites } from '../model/index.js';
import { loadAdapter } from '../peft/index.js';
import { baseModel, measure } from './deployed.js';
import type { JobContext, JobRow } from './job-context.js';
import { peripheryWith, type EvalSpec } from './plan.js';
import { adapterDir, readTraining } from './train.js';

type CalibrateSpec = Extract<EvalSpec, { kind: 'calibrate' }>;

/** The method entry id of a calibrate row: `<entry>/periphery` or `<entry>/cal-<N>`. */
export function calibratedEntry(entryId: string, examples: number): string {
  return examples === 0 ? `${entryId}/periphery` : `${entryId}/cal-${examples}`;
}

export async function runCalibrate(ctx: JobContext, spec: CalibrateSpec): Promise<JobRow> {
  const record = readTraining(ctx.outDir, spec.adapter);
  if (!record) throw new Error(`adapter ${spec.adapter} has not been trained (no training.json in ${adapterDir(ctx.outDir, spec.adapter)})`);
  const model = await baseModel(ctx);
  const t0 = performance.now();
  const { adapter } = await loadAdapter(adapterDir(ctx.outDir, spec.adapter), model, { baseModel: ctx.res.modelDir });
  let state: ReturnType<Chip['at']> | null = null;
  try {
    const periphery = peripheryWith(ctx.exp.periphery, null) as PeripheryOptions;
    const chip = Chip.program(weightsOfSites(selectSites(model, spec.sites)), spec.profileRef, periphery, { chip: spec.chipSeed, read: spec.readSeed });
    state = chip.at(spec.t, { compensation: spec.compensation, read: spec.readSeed });
    const program = performance.now() - t0;
    let calibration = { examples: 0, steps: 0, mvmCalls: 0, mvmVectors: 0, seconds: 0, lossFirst: null as number | null, lossLast: null as number | null };
    if (spec.examples > 0) {
      const examples = encodeExamples(ctx.res.tokenizer, seededSubset(ctx.res.data.train, spec.examples, `${ctx.res.task.id}/calibrate`), ctx.res.maxLength);
      const task = ctx.res.task;
      if (isGenerationTask(task)) throw new Error(`the calibrate phase trains a classification or regression head; task '${task.id}' is a generation task`);
      const r = calibrateOnChip({ model, adapter, state, kind: task.kind, examples }, { steps: spec.steps, batchSize: spec.batchSize, lr: spec.lr, seed: spec.chipSeed });
      calibration = {
        examples: examples.ids.length, steps: r.steps, mvmCalls: r.mvm.calls, mvmVectors: r.mvm.vectors, seconds: r.seconds,
        lossFirst: r.losses[0], lossLast: r.losses[r.losses.length - 1],
      };
    }
    const att = attachChip(state, model);
    try {
      const { fields, ms } = measure(ctx, model);
      const entryId = calibratedEntry(spec.entryId, spec.examples);
      return {
        key: spec.key, inputsHash: spec.inputsHash, entryId, targetProfile: spec.targetProfile, compareTo: ctx.exp.compareTo ?? null, method: record.method,
        methodLabel: `${record.label} (${spec.examples === 0 ? 'periphery' : `chip-calibrated, ${spec.examples} examples`})`,
        methodOptions: record.options, trainableParams: record.trainableParams, task: ctx.res.task.id,
        kind: 'hardware', deployment: 'periphery', calibration, profile: spec.profile, t: spec.t, compensation: spec.compensation, periphery, sweep: null,
        seeds: { train: spec.trainSeed, chip: spec.chipSeed, read: spec.readSeed }, ...fields,
        durationMs: performance.now() - t0, phaseMs: { merge: 0, program: program + calibration.seconds * 1000, evaluate: ms },
      };
    } finally {
      att.detach();
    }
  } finally {
    state?.dispose();
    adapter.detach();
  }
}

/** Static checks of evaluation.calibrate, as `<file>: <pointer>: <message>` lines. */
export function calibrateErrors(exp: { task: { id?: string }; evaluation: { calibrate?: { methods?: readonly string[] }; hardware?: unknown }; methods: readonly { id?: string; method: string }[]; chip?: unknown }, file: string): string[] {
  const cal = exp.evaluation.calibrate;
  if (!cal) return [];
  const errors: string[] = [];
  if (!exp.evaluation.hardware) errors.push(`${file}: /evaluation/calibrate: needs evaluation.hardware (its times, compensation and Sites); add "hardware": {"times": [...]}`);
  const task = exp.task.id !== undefined && listAnyTasks().find((t) => t.id === exp.task.id);
  if (task && isGenerationTask(task)) errors.push(`${file}: /evaluation/calibrate: the calibrate phase trains a classification or regression head; '${task.id}' is a generation task`);
  if (exp.chip) errors.push(`${file}: /evaluation/calibrate: calibration runs on simulated chips of "profiles", not on a chip driver; remove "chip" or use \`grasp-hil chip calibrate --chip\``);
  const ids = exp.methods.map((m) => m.id ?? m.method);
  (cal.methods ?? []).forEach((id, i) => {
    if (!ids.includes(id)) errors.push(`${file}: /evaluation/calibrate/methods/${i}: no method entry '${id}'; entries: ${ids.join(', ')}`);
  });
  return errors;
}
