/**
 * Hardware rows on a chip driver (experiment key `chip`, docs/hil.md): the evaluate phase's program and
 * evaluate steps with the chip behind the driver contract instead of a simulated chip per profile.
 *
 *   connect    once per process: driver grpc → BlockingChipClient (token: `chip.token` or
 *              $GRASP_HIL_CHIP_TOKEN); driver simulator → SimulatorDriver in-process (the experiment's
 *              periphery with compensation off: the host compensates, as for a served chip)
 *   program    reset(chip seed) → the Sites' deployable weights (adapter merged) onto tiles 0, 1, …
 *              → with compensation, the reference readout (hil/model-on-chip.ts)
 *   read at t  advance the chip's clock to t → compensation factors
 *   evaluate   the Sites' MVMs go to the chip (blocking calls inside the forward pass); other Sites
 *              digital and merged → metrics, predictions → one 'hardware' row
 *
 * Each row starts from a reset, so a row depends only on its own seeds, never on the rows before it.
 * Seeds: the chip seed is the reset seed (the simulator draws devices, drift and read noise from it);
 * the experiment's read seed does not reach a driver. A lost server fails the job (HilError
 * UNAVAILABLE naming the address) and its row is not written; the next job reconnects.
 */
// The hil pieces by file, not hil/index.js: the gRPC library loads only in the blocking client's worker thread.
import { BlockingChipClient } from '../hil/blocking-client.js';
import { HilError } from '../hil/errors.js';
import { at as chipAt, attachSites, programSites } from '../hil/model-on-chip.js';
import { SimulatorDriver } from '../hil/simulator.js';
import type { SyncChip } from '../hil/sync.js';
import { selectSites, type Model, type WeightsBySite } from '../model/index.js';
import { weightsOfSites, type PeripheryOptions } from '../crossbar/index.js';
import type { MergedWeights } from '../peft/index.js';
import type { JobContext } from './job-context.js';
import type { ChipSpec, EvalSpec } from './plan.js';
import type { Experiment } from './schema.js';

export const CHIP_TOKEN_ENV = 'GRASP_HIL_CHIP_TOKEN';

type HardwareSpec = Extract<EvalSpec, { kind: 'hardware' }>;

let held: { key: string; chip: SyncChip } | null = null;

/** Static checks of the experiment's `chip` (no connection), as `<file>: <pointer>: <message>` lines. */
export function chipErrors(exp: Experiment, file: string): string[] {
  const c = exp.chip;
  if (!c) return [];
  const errors: string[] = [];
  const at = (pointer: string, msg: string) => errors.push(`${file}: /chip${pointer}: ${msg}`);
  if (c.driver === 'grpc' && c.address === undefined) at('', 'driver grpc needs "address": "host:port" of the chip server (e.g. 127.0.0.1:50051 for `grasp-hil chip serve`)');
  if (c.driver === 'simulator' && c.profile === undefined) at('', 'driver simulator needs "profile": a device profile id (e.g. pcm-aihwkit) or an absolute path');
  if (c.driver === 'simulator' && c.address !== undefined) at('/address', 'driver simulator runs in-process; remove "address" or use driver grpc');
  if (c.driver === 'grpc' && (c.profile !== undefined || c.tiles !== undefined)) at(c.profile !== undefined ? '/profile' : '/tiles', 'a served chip has its own profile and tiles; these keys apply to driver simulator only');
  if (!exp.evaluation.hardware) at('', 'no evaluation.hardware: nothing would run on the chip; add "hardware": {"times": [...]} or remove "chip"');
  if (exp.sweeps && Object.keys(exp.sweeps).length) errors.push(`${file}: /sweeps: periphery sweeps cannot run on a chip driver (the periphery is the chip's); remove "sweeps" or "chip"`);
  return errors;
}

/** The process's chip for `spec` (connected once; a new spec replaces it). */
export function chipFor(spec: ChipSpec, exp: Experiment): SyncChip {
  const key = JSON.stringify(spec);
  if (held?.key === key) return held.chip;
  releaseChip();
  const chip: SyncChip = spec.driver === 'grpc'
    ? BlockingChipClient.connect(spec.address!, { token: exp.chip?.token ?? (process.env[CHIP_TOKEN_ENV] || undefined) })
    : new SimulatorDriver({ profile: spec.profile!, periphery: { ...(exp.periphery ?? {}), compensation: 'none' } as PeripheryOptions, tiles: spec.tiles ?? 4096 });
  held = { key, chip };
  return chip;
}

/** Closes the process's chip connection, if any. */
export function releaseChip(): void {
  const h = held;
  held = null;
  h?.chip.closeSync();
}

/** The selected Sites' deployable weights: the adapter's merged ones, base weights where it left a Site alone. */
function chipWeights(model: Model, sites: string, merged: MergedWeights): WeightsBySite {
  const weights: WeightsBySite = new Map();
  for (const s of selectSites(model, sites)) weights.set(s.name, merged.sites.get(s.name) ?? weightsOfSites([s]).get(s.name)!);
  return weights;
}

/**
 * Programs and evaluates one hardware row on the experiment's chip driver; `evaluate` runs the forward
 * passes (with the chip attached) and returns the row's metric fields and their ms.
 */
export function onChipDriver<F>(ctx: JobContext, spec: HardwareSpec, model: Model, merged: MergedWeights, evaluate: () => { fields: F; ms: number }) {
  const t0 = performance.now();
  let chip: SyncChip;
  try {
    chip = chipFor(spec.chip!, ctx.exp);
    const placed = programSites(chip, chipWeights(model, spec.sites, merged), { seed: spec.chipSeed, compensation: spec.compensation !== 'none' });
    chipAt(placed, spec.t);
    const program = performance.now() - t0;
    const caps = placed.caps;
    const att = attachSites(placed, model);
    try {
      const { fields, ms } = evaluate();
      return {
        fields, program, ms,
        profile: caps.profile,
        chip: { driver: spec.chip!.driver, implementation: caps.driver, ...(spec.chip!.address ? { address: spec.chip!.address } : {}), tiles: placed.tiles, pulses: placed.pulses, mvm: { ...att.mvm } },
      };
    } finally {
      att.detach();
    }
  } catch (e) {
    if (e instanceof HilError && e.code === 'UNAVAILABLE') releaseChip(); // the next job reconnects
    throw e;
  }
}
