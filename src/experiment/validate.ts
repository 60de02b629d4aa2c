/**
 * Whole-plan validation: everything an experiment names is checked before the first adapter
 * trains, and every problem is reported at once, each as `<experiment file>: <JSON pointer>: <what
 * is wrong and what to do>`.
 *
 *   /profiles/i              the profile resolves (shipped id, or a path relative to the experiment) and loads
 *   /methods/i/method        the method is registered (the PEFT registry lists the known ones)
 *   /methods/i/options       the method's own option check (unknown names, ranges)
 *   /methods/i/sigmaTarget   the method takes a σ_target; fromProfile has profiles to take it from
 *   …/sites                  Site selectors (method options, evaluation.noise, evaluation.hardware) match Sites of the model
 *   /periphery, /sweeps/k/j  known keys ("did you mean"), values the crossbar accepts, every sweep point
 *   /model, /task            the model folder and the task's data load
 *   reports folder           it can be created and written
 *
 * It returns what it loaded (resources, resolved profiles, input hashes) so the run does not load
 * them twice.
 */
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePeriphery, type PeripheryOptions } from '../crossbar/index.js';
import { loadProfile } from '../device/index.js';
import { selectSites } from '../model/index.js';
import { getMethod } from '../peft/index.js';
import { hashData, hashFolder, resolveProfile, type PlanInputs, type ProfileInput } from './inputs.js';
import { peripheryPaths, unknownPeripheryKey } from './periphery-keys.js';
import { peripheryWith } from './plan.js';
import { loadResources, resolveModelDir, type Resources } from './resources.js';
import type { Experiment } from './schema.js';

export interface Validated {
  res: Resources;
  inputs: PlanInputs;
}

/** Pointer-safe key (RFC 6901: ~ → ~0, / → ~1). */
const ptr = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** The checks that need no model or data: profiles, methods, periphery, sweeps. */
export function validateStatic(exp: Experiment, file: string): { errors: string[]; profiles: Map<string, ProfileInput> } {
  const errors: string[] = [];
  const at = (pointer: string, msg: string) => errors.push(`${file}: ${pointer}: ${msg}`);
  const profiles = new Map<string, ProfileInput>();
  (exp.profiles ?? []).forEach((id, i) => {
    try {
      const p = resolveProfile(file, id);
      loadProfile(p.ref);
      profiles.set(id, p);
    } catch (e) {
      at(`/profiles/${i}`, (e as Error).message);
    }
  });
  exp.methods.forEach((m, i) => {
    let def;
    try {
      def = getMethod(m.method);
    } catch (e) {
      return at(`/methods/${i}/method`, (e as Error).message);
    }
    const takesTarget = 'sigmaTarget' in def.optionDocs;
    if (m.sigmaTarget !== undefined && !takesTarget) at(`/methods/${i}/sigmaTarget`, `method '${m.method}' does not train toward a σ_target; remove sigmaTarget or use a noise-aware method (e.g. stochgrasp)`);
    if (typeof m.sigmaTarget === 'object' && !(exp.profiles ?? []).length) at(`/methods/${i}/sigmaTarget`, 'fromProfile needs at least one entry in "profiles"');
    try {
      def.parseOptions({ ...(m.options ?? {}), ...(m.sigmaTarget !== undefined && takesTarget ? { sigmaTarget: 0.01 } : {}) });
    } catch (e) {
      at(`/methods/${i}/options`, (e as Error).message);
    }
  });
  if (exp.evaluation.hardware && !(exp.profiles ?? []).length) at('/profiles', 'evaluation.hardware needs at least one device profile to program');
  let peripheryOk = true;
  for (const path of peripheryPaths(exp.periphery ?? {})) {
    const problem = unknownPeripheryKey(path);
    if (problem) { peripheryOk = false; at(`/periphery/${path.split('.').map(ptr).join('/')}`, problem); }
  }
  if (peripheryOk) {
    try {
      resolvePeriphery((exp.periphery ?? {}) as PeripheryOptions);
    } catch (e) {
      at('/periphery', (e as Error).message);
    }
  }
  for (const [key, values] of Object.entries(exp.sweeps ?? {})) {
    const problem = unknownPeripheryKey(key);
    if (problem) { at(`/sweeps/${ptr(key)}`, problem); continue; }
    values.forEach((v, j) => {
      const inner = v !== null && typeof v === 'object' ? peripheryPaths({ [key]: v }).map(unknownPeripheryKey).find((x) => x !== null) : undefined;
      if (inner) return at(`/sweeps/${ptr(key)}/${j}`, inner);
      try {
        resolvePeriphery(peripheryWith(exp.periphery, { [key]: v }) as PeripheryOptions);
      } catch (e) {
        at(`/sweeps/${ptr(key)}/${j}`, (e as Error).message);
      }
    });
  }
  return { errors, profiles };
}

/** Checks a file can be written in the folder; folders it had to create for the probe are removed again (nothing is left behind if validation fails). */
export function checkWritable(dir: string): string | null {
  try {
    const created = mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-check-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
    if (created) rmSync(created, { recursive: true });
    return null;
  } catch (e) {
    return `reports folder ${dir} is not writable (${(e as Error).message}); choose another with --reports`;
  }
}

/** Every check; throws one error listing every problem, before any work. */
export async function validateExperiment(exp: Experiment, file: string, outDir: string): Promise<Validated> {
  const { errors, profiles } = validateStatic(exp, file);
  const writable = checkWritable(outDir);
  if (writable) errors.push(writable);
  let res: Resources | null = null;
  let modelDir: string | null = null;
  try {
    modelDir = resolveModelDir(exp, file);
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (modelDir) {
    try {
      res = loadResources(exp, file);
    } catch (e) {
      errors.push(`${file}: /task: ${(e as Error).message}`);
    }
  }
  if (res) {
    const model = await res.loadBase(0);
    try {
      const selectors: [string, string][] = [];
      exp.methods.forEach((m, i) => { if (typeof m.options?.sites === 'string') selectors.push([`/methods/${i}/options/sites`, m.options.sites]); });
      if (exp.evaluation.noise?.sites) selectors.push(['/evaluation/noise/sites', exp.evaluation.noise.sites]);
      if (exp.evaluation.hardware) selectors.push(['/evaluation/hardware/sites', exp.evaluation.hardware.sites ?? 'all-linear']);
      for (const [pointer, sel] of selectors) {
        try {
          selectSites(model, sel);
        } catch (e) {
          errors.push(`${file}: ${pointer}: ${(e as Error).message}`);
        }
      }
    } finally {
      model.dispose();
    }
  }
  if (errors.length) throw new Error(`invalid experiment (nothing was run):\n${errors.join('\n')}`);
  return { res: res!, inputs: { model: hashFolder(modelDir!), data: hashData(res!.data), profiles } };
}
