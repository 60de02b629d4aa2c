/**
 * Whole-plan validation: everything an experiment names is checked before the first adapter
 * trains, and every problem is reported at once, each as `<experiment file>: <JSON pointer>: <what
 * is wrong and what to do>`.
 *
 *   /evaluation/calibrate    has hardware times to run at and names existing entries (calibrate.ts)
 *   /chip                    a chip driver's keys fit its driver; no sweeps on a driver (chip-driver.ts)
 *   /profiles/i              the profile resolves (shipped id, or a path relative to the experiment) and loads
 *   /methods/i/method        the method is registered (the PEFT registry lists the known ones)
 *   /methods/i/options       the method's own option check (unknown names, ranges)
 *   /methods/i/sigmaTarget   the method takes a σ_target; fromProfile has profiles to take it from
 *   …/sites                  Site selectors (method options, evaluation.noise, evaluation.hardware) match Sites of the model
 *   /periphery, /sweeps/k/j  known keys ("did you mean"), values the crossbar accepts, every sweep point
 *   …/compensation/i         each compensation mode once (true/false are aliases of global/none)
 *   calibration.dac learned  every method entry learns input ranges; supplied adapters hold them (range-calibration.ts)
 *   /model, /task            the model folder (config, weights, tokenizer) and the task's data load
 *                            (registered id, GLUE dataDir, or a local folder `dir`); maxLength fits the model
 *   /adapters/i/path         a supplied adapter folder exists and loads onto the model: its method,
 *                            Site names and shapes, head shape and base model check (before any work)
 *   reports folder           it can be created and written
 *
 * It returns what it loaded (resources, resolved profiles, input hashes) so the run does not load
 * them twice.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compensationMode, resolvePeriphery, type CompensationMode, type PeripheryOptions } from '../crossbar/index.js';
import { loadProfile } from '../device/index.js';
import { maxSequenceLength, selectSites } from '../model/index.js';
import { getMethod, loadAdapter, splitTokensOption } from '../peft/index.js';
import { isGenerationTask } from '../data/index.js';
import { calibrateErrors } from './calibrate.js';
import { chipErrors } from './chip-driver.js';
import { hashData, hashFolder, resolveProfile, type AdapterInput, type PlanInputs, type ProfileInput } from './inputs.js';
import { peripheryPaths, unknownPeripheryKey } from './periphery-keys.js';
import { peripheryWith } from './plan.js';
import { learnedRangeErrors } from './range-calibration.js';
import { loadResources, resolveModelDir, ResourceError, type Resources } from './resources.js';
import { resolveFrom, type Experiment } from './schema.js';

export interface Validated {
  res: Resources;
  inputs: PlanInputs;
  /** Things the run should say but that do not stop it (e.g. a supplied adapter without a task head). */
  warnings: string[];
}

/** Pointer-safe key (RFC 6901: ~ → ~0, / → ~1). */
const ptr = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** Supplied adapter folders: each exists and holds an adapter; its files are hashed. */
function resolveAdapters(exp: Experiment, file: string, at: (pointer: string, msg: string) => void): Map<string, AdapterInput> {
  const out = new Map<string, AdapterInput>();
  (exp.adapters ?? []).forEach((a, i) => {
    const path = resolveFrom(file, a.path);
    const what = 'expected an adapter folder with adapter_config.json and adapter_model.safetensors (saved by grasp-hil or Hugging Face PEFT)';
    if (!existsSync(path) || !statSync(path).isDirectory()) return at(`/adapters/${i}/path`, `${path} is not a folder; ${what}`);
    const missing = ['adapter_config.json', 'adapter_model.safetensors'].filter((f) => !existsSync(`${path}/${f}`));
    if (missing.length) return at(`/adapters/${i}/path`, `${path} has no ${missing.join(' or ')}; ${what}`);
    out.set(a.id, { id: a.id, path, hash: hashFolder(path) });
  });
  return out;
}

/**
 * The checks that need no model or data: profiles, methods, supplied adapter folders, periphery, sweeps.
 * `suppliedFolders: false` leaves the supplied adapter folders alone (a queue worker receives them from
 * the database, not by the path the experiment names).
 */
export function validateStatic(exp: Experiment, file: string, options: { suppliedFolders?: boolean } = {}): { errors: string[]; profiles: Map<string, ProfileInput>; adapters: Map<string, AdapterInput> } {
  const errors: string[] = [];
  const at = (pointer: string, msg: string) => errors.push(`${file}: ${pointer}: ${msg}`);
  const adapters = options.suppliedFolders === false ? new Map<string, AdapterInput>() : resolveAdapters(exp, file, at);
  const profiles = new Map<string, ProfileInput>();
  errors.push(...chipErrors(exp, file), ...calibrateErrors(exp, file), ...learnedRangeErrors(exp, file, options.suppliedFolders === false ? null : (p) => resolveFrom(file, p)));
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
      const { rest } = splitTokensOption(m.options ?? {}); // trainableTokens: any method (peft/trainable-tokens.ts)
      def.parseOptions({ ...rest, ...(m.sigmaTarget !== undefined && takesTarget ? { sigmaTarget: 0.01 } : {}) });
    } catch (e) {
      at(`/methods/${i}/options`, (e as Error).message);
    }
  });
  if (exp.evaluation.hardware && !exp.chip && !(exp.profiles ?? []).length) at('/profiles', 'evaluation.hardware needs at least one device profile to program (or a chip driver in "chip")');
  const modes = (exp.evaluation.hardware?.compensation ?? []).map((c) => compensationMode(c as CompensationMode | boolean));
  modes.forEach((m, i) => {
    if (modes.indexOf(m) < i) at(`/evaluation/hardware/compensation/${i}`, `'${m}' is listed twice (true is an alias of 'global', false of 'none'); list each mode once`);
    if (exp.chip && m !== 'global' && m !== 'none') at(`/evaluation/hardware/compensation/${i}`, `'${m}' is not available on a chip driver, which compensates globally or not at all; use 'global' or 'none'`);
  });
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
  return { errors, profiles, adapters };
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
  const { errors, profiles, adapters } = validateStatic(exp, file);
  const warnings: string[] = [];
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
      errors.push(`${file}: ${e instanceof ResourceError ? e.pointer : '/task'}: ${(e as Error).message}`);
    }
  }
  let model: Awaited<ReturnType<Resources['loadBase']>> | null = null;
  if (res) {
    try {
      model = await res.loadBase(0);
    } catch (e) {
      errors.push(`${file}: /model: ${(e as Error).message}`);
    }
  }
  if (res && model) {
    const longest = maxSequenceLength(model.config);
    if (res.maxLength > longest) errors.push(`${file}: /task/maxLength: ${res.maxLength} tokens, but the model takes at most ${longest} (max_position_embeddings ${model.config.maxPositions}); set maxLength ≤ ${longest}`);
    exp.methods.forEach((m, i) => {
      // trainableTokens (peft/trainable-tokens.ts): ids inside the vocabulary; fromTargets needs a generation task.
      let tokens;
      try {
        tokens = splitTokensOption(m.options ?? {}).tokens;
      } catch {
        return; // reported by validateStatic
      }
      const at = `${file}: /methods/${i}/options/trainableTokens`;
      if (tokens && !Array.isArray(tokens) && !isGenerationTask(res!.task)) errors.push(`${at}: { "fromTargets": N } needs a generation task; ${res!.task.id} has labels: list token ids instead`);
      const bad = Array.isArray(tokens) ? tokens.filter((t) => t >= model!.config.vocabSize) : [];
      if (bad.length) errors.push(`${at}: token ids ${bad.slice(0, 8).join(', ')} are outside the model's vocabulary [0, ${model.config.vocabSize})`);
    });
    for (const [i, a] of (exp.adapters ?? []).entries()) {
      const input = adapters.get(a.id);
      if (!input) continue;
      const load = async (allowBaseMismatch: boolean) => {
        const loaded = await loadAdapter(input.path, model, { baseModel: res!.modelDir, allowBaseMismatch, onWarning: (m) => warnings.push(`adapter '${a.id}': ${m}`) });
        loaded.adapter.detach();
        return loaded;
      };
      try {
        const loaded = await load(a.allowBaseMismatch ?? false);
        if (loaded.headParams.length === 0) warnings.push(`adapter '${a.id}' (${input.path}) holds no task head: its rows use the model folder's classification head, or a randomly initialised one (seed 0) where the checkpoint has none, so they show how the chip changes this model's predictions, not necessarily task skill`);
      } catch (e) {
        let msg = (e as Error).message;
        if (!a.allowBaseMismatch && msg.includes('allow-base-mismatch')) {
          // The adapter names another base: say whether its Sites and shapes fit this model at all.
          try {
            await load(true);
            msg = msg.replace(/; pass --allow-base-mismatch \(allowBaseMismatch\) to use it anyway$/, '');
            msg += '; its Site names and shapes fit this model: set "allowBaseMismatch": true on this entry to use it anyway';
          } catch (shape) {
            msg = (shape as Error).message;
          }
        }
        errors.push(`${file}: /adapters/${i}/path: ${msg}`);
      }
    }
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
  return { res: res!, inputs: { model: hashFolder(modelDir!), data: hashData(res!.data), profiles, adapters }, warnings };
}
