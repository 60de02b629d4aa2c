/**
 * A model's Sites on any chip driver (a SyncChip: the in-process simulator, or a remote chip through
 * BlockingChipClient), attached to the model so that its forward passes run their MVMs on the chip.
 *
 *   programSites(chip, weights)      reset(seed) → each Site's W onto tile slots 0, 1, … in Site order
 *                                    (matrix.ts) → with compensation, each tile's reference readout
 *                                    (drift-compensation.ts) at the programming time
 *   at(onChip, t)                    advance the chip's clock to t seconds after programming (time only
 *                                    goes forward: an earlier t needs a fresh programSites); with
 *                                    compensation, read α per tile now
 *   attachSites(onChip, model)       innermost 'analog' hook on every programmed Site: x [..., in] →
 *                                    one MVM request for all the Site's tiles → Σ α·partials + b;
 *                                    Sites that read the same input (an encoder block's query, key,
 *                                    value: shared-inputs.ts) share one request, sent by the first
 *
 * The hooks count MVM calls and input vectors (MvmCounts, as periphery-grasp.ts); with
 * `straightThrough` the input gradient is the Site's digital dx = dy·Wᵀ (chip-in-the-loop training).
 * Streams: `reset(seed)` reseeds the chip (the simulator draws devices, drift and read noise from it);
 * same seed, same calls → same numbers on a deterministic chip. A Site hook blocks the thread during
 * each MVM (BlockingChipClient), so the chip's server must live in another thread or process.
 */
import type { Transformer, WeightsBySite } from '../model/index.js';
import { customOp, tf, tidyRead } from '../tensor/index.js';
import type { ChipCapabilities } from './driver.js';
import { compensationFactors, tileReadouts } from './drift-compensation.js';
import { HilError } from './errors.js';
import type { Matrix } from './driver.js';
import { mvmMatricesSync, mvmMatrixSync, programMatrixSync, type MatrixOnChip } from './matrix.js';
import { digitalInputGrad, type ChipAttachment, type MvmCounts } from './periphery-grasp.js';
import { sameValues, sharedInputGroups } from './shared-inputs.js';
import type { SyncChip } from './sync.js';

export interface ModelOnChip {
  chip: SyncChip;
  caps: ChipCapabilities;
  sites: Map<string, MatrixOnChip>;
  /** Tile slots used, write pulses spent. */
  tiles: number;
  pulses: number;
  /** Chip clock at programming (s). */
  programmedAt: number;
  /** Reference readouts per Site and tile (null: no compensation). */
  reference: Map<string, Float64Array> | null;
  /** Compensation factors per Site and tile at the current time (null: none). */
  alpha: Map<string, Float64Array> | null;
}

/** Resets the chip with `seed` and programs every Site; see the file header. */
export function programSites(chip: SyncChip, weights: WeightsBySite, options: { seed: number; compensation: boolean }): ModelOnChip {
  chip.resetSync(options.seed);
  const caps = chip.capabilitiesSync();
  const sites = new Map<string, MatrixOnChip>();
  let next = 0, pulses = 0;
  for (const [name, w] of weights) {
    const m = programMatrixSync(chip, w, next);
    next += m.tiles.length;
    pulses += m.reports.reduce((s, r) => s + r.pulses, 0);
    sites.set(name, m);
  }
  const reference = options.compensation ? new Map([...sites].map(([n, m]) => [n, tileReadouts(chip, m)])) : null;
  return { chip, caps, sites, tiles: next, pulses, programmedAt: chip.timeSync(), reference, alpha: null };
}

/** Advances the chip to t seconds after programming and reads the compensation factors there. */
export function at(onChip: ModelOnChip, t: number): void {
  if (!Number.isFinite(t) || t < 0) throw new HilError('INVALID_ARGUMENT', `at: t must be seconds after programming (finite, ≥ 0), got ${t}`);
  const now = onChip.chip.timeSync() - onChip.programmedAt;
  if (t < now) throw new HilError('FAILED_PRECONDITION', `at: the chip is already ${now} s past programming and time only goes forward; program it again for t = ${t} s`);
  if (t > now) onChip.chip.advanceSync(t - now);
  const ref = onChip.reference;
  onChip.alpha = ref ? new Map([...onChip.sites].map(([n, m]) => [n, compensationFactors(ref.get(n)!, tileReadouts(onChip.chip, m))])) : null;
}

export interface AttachSitesOptions {
  /** Backward pass through the Sites' digital weights (chip-in-the-loop training). */
  straightThrough?: boolean;
  /** One request for Sites that read the same input (shared-inputs.ts; default true). */
  shareInputs?: boolean;
}

/** The followers' outputs that a group's leader fetched, with the leader's input to check against. */
interface Fetched {
  x: tf.Tensor;
  data: Float32Array;
  outputs: Map<string, Matrix>;
}

/** Attaches the programmed Sites innermost on `model` (behind hooks already attached, e.g. a periphery-held GRASP). */
export function attachSites(onChip: ModelOnChip, model: Transformer, options: AttachSitesOptions = {}): ChipAttachment {
  const mvm: MvmCounts = { calls: 0, vectors: 0 };
  const detach: (() => void)[] = [];
  const groups = options.shareInputs === false ? [] : sharedInputGroups(model, new Set(onChip.sites.keys()));
  const groupOf = new Map(groups.flatMap((g) => g.map((n) => [n, g] as const)));
  let fetched: Fetched | null = null;
  /** Each member's only hook is the chip's, so each member's hook sees the Site's own input. */
  const bare = (group: readonly string[]) => group.every((n) => {
    const owners = model.sites.get(n)!.attachedOwners();
    return owners.length === 1 && owners[0] === 'analog';
  });
  try {
    for (const [name, m] of onChip.sites) {
      const site = model.sites.get(name);
      if (!site) throw new Error(`chip Site '${name}' does not exist in the model; was the chip programmed from another model?`);
      if (site.attachedOwners().includes('analog')) throw new Error(`Site '${name}' already runs on a chip (hook 'analog' attached); detach it first`);
      if (site.inFeatures !== m.inFeatures || site.outFeatures !== m.outFeatures) {
        throw new Error(`Site '${name}' is ${site.inFeatures}×${site.outFeatures} but was programmed as ${m.inFeatures}×${m.outFeatures}`);
      }
      const group = groupOf.get(name) ?? null;
      const alpha = () => onChip.alpha?.get(name) ?? null;
      const run = (x: tf.Tensor, rows: number): Float32Array => {
        const kept = fetched?.outputs.get(name);
        if (kept && fetched) {
          fetched.outputs.delete(name);
          if (x === fetched.x) return kept.data;
          const data = tidyRead(() => tf.reshape(x, [rows, m.inFeatures]));
          if (sameValues(data, fetched.data)) return kept.data;
          return mvmMatrixSync(onChip.chip, m, { rows, cols: m.inFeatures, data }, alpha()).data;
        }
        const data = tidyRead(() => tf.reshape(x, [rows, m.inFeatures]));
        if (group && group[0] === name && bare(group)) {
          const ys = mvmMatricesSync(onChip.chip, group.map((n) => onChip.sites.get(n)!), { rows, cols: m.inFeatures, data }, group.map((n) => onChip.alpha?.get(n) ?? null));
          fetched = { x, data, outputs: new Map(group.slice(1).map((n, i) => [n, ys[i + 1]])) };
          return ys[0].data;
        }
        if (group && group[0] === name) fetched = null;
        return mvmMatrixSync(onChip.chip, m, { rows, cols: m.inFeatures, data }, alpha()).data;
      };
      const analog = (x: tf.Tensor): tf.Tensor => {
        const rows = x.size / m.inFeatures;
        mvm.calls++;
        mvm.vectors += rows;
        return tf.tensor(run(x, rows), [...x.shape.slice(0, -1), m.outFeatures]);
      };
      const ste = customOp(([x]) => ({ value: analog(x), gradFunc: (dy) => [digitalInputGrad(site, dy)] }));
      detach.push(site.attach('analog', (x) => (options.straightThrough ? ste(x) : analog(x))));
    }
  } catch (e) {
    detach.forEach((d) => d());
    throw e;
  }
  return { mvm, detach: () => detach.forEach((d) => d()) };
}
