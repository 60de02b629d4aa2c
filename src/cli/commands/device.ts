/** `grasp-hil device stats|sigma-target|energy`: device characterisation, σ_target and the energy/area estimate from a profile. */
import {
  deviceStats, initBackend, loadModel, loadProfile, parseSiteSelector, selectSites, sigmaTargetFromProfile, weightsOfSites,
  COMPENSATION_MODES, PERIPHERY_PRESETS, type CompensationMode, type ErrorPart, type SiteError,
} from '../../internal.js';
import { laidOut, printJson, withExamples, type Command } from '../command.js';
import { countUpTo, FRACTION, NONNEG, numericFlag, SEED } from '../flags.js';
import { energy } from './device-energy.js';
import { pulses } from './device-pulses.js';

const stats: Command = {
  command: 'stats',
  describe: 'Program N devices to one target and report conductances (µS) after programming and at t',
  builder: (y) => withExamples(
    y
      .option('profile', { type: 'string', demandOption: true, describe: 'shipped profile id or path to a profile .json' })
      .option('g', { type: 'number', demandOption: true, describe: 'target conductance as a fraction of g_max, in [0, 1]' })
      .option('t', { type: 'number', demandOption: true, describe: 'seconds after programming' })
      .option('samples', { type: 'number', default: 100_000, describe: 'number of simulated devices' })
      .option('seed', { type: 'number', default: 0, describe: 'seed of the programming, drift and read-noise streams' }),
    [
      ['grasp-hil device stats --profile pcm-aihwkit --g 0.5 --t 3600 --json', 'PCM at half of g_max, one hour after programming'],
      ['grasp-hil device stats --profile ./my-device.json --g 0.2 --t 86400', 'a custom profile'],
    ],
  ),
  handler: (argv) => {
    const g = numericFlag(argv.g, 'g', FRACTION);
    const t = numericFlag(argv.t, 't', NONNEG);
    const samples = numericFlag(argv.samples, 'samples', countUpTo(1e8));
    const seed = numericFlag(argv.seed, 'seed', SEED);
    const s = deviceStats(loadProfile(argv.profile), g, t, samples, seed);
    if (argv.json) return printJson(s);
    const ms = (m: { mean: number; std: number }, unit: string) => `mean ${m.mean} ${unit}, std ${m.std} ${unit}`;
    console.log(`profile ${s.profile}: ${s.samples} devices, target ${s.target} µS, read at t = ${s.t} s`);
    console.log(`  programmed  ${ms(s.programmed, 'µS')}`);
    if (s.nu) console.log(`  ν           ${ms(s.nu, '')}`);
    console.log(`  at t        ${ms(s.atT, 'µS')}`);
    if (s.stuckLow || s.stuckHigh) console.log(`  stuck       ${s.stuckLow} at g_min, ${s.stuckHigh} at g_max`);
    console.log(`  pulses      per device: mean ${s.pulses.mean}, median ${s.pulses.median}, 99th percentile ${s.pulses.p99}, max ${s.pulses.max}`);
  },
};

/** Mean over Sites of each part, absolute and relative to the Site's weight std. */
function meanParts(errors: Record<string, SiteError>): { random: number; systematic: number; mvm: number; randomRel: number; systematicRel: number } {
  const e = Object.values(errors);
  const avg = (f: (x: SiteError) => number) => e.reduce((n, x) => n + f(x), 0) / e.length;
  const rel = (v: number, x: SiteError) => (x.weightStd > 0 ? v / x.weightStd : 0);
  return {
    random: avg((x) => x.random), systematic: avg((x) => x.systematic), mvm: avg((x) => x.mvm),
    randomRel: avg((x) => rel(x.random, x)), systematicRel: avg((x) => rel(x.systematic, x)),
  };
}

const sigmaTarget: Command = {
  tensors: true,
  command: 'sigma-target',
  describe: 'σ_target per Site: the error an MVM sees on the programmed chip at t (weight units), split into systematic and random parts, with each source alone',
  builder: (y) => withExamples(
    y
      .option('profile', { type: 'string', demandOption: true, describe: 'shipped profile id or path' })
      .option('model', { type: 'string', demandOption: true, describe: 'model folder (config.json + model.safetensors)' })
      .option('sites', { type: 'string', default: 'all-linear', describe: 'Site selector: preset, suffix(es) or /regex/' })
      .option('t', { type: 'number', demandOption: true, describe: 'seconds after programming' })
      .option('seed', { type: 'number', default: 0, describe: 'chip seed (programming, time, read and probe streams derive from it)' })
      .option('periphery', { type: 'string', describe: `periphery preset (${Object.keys(PERIPHERY_PRESETS).join(', ')}); default: ideal converters, device read noise on, global compensation` })
      .option('compensation', { type: 'string', choices: COMPENSATION_MODES as string[], describe: 'drift compensation (default: the periphery’s, global)' })
      .option('part', { type: 'string', choices: ['random', 'total'], default: 'random', describe: 'which part is σ_target (training uses the random part)' })
      .option('probes', { type: 'number', default: 128, describe: 'probe inputs per Site for the per-MVM error' })
      .option('sources', { type: 'boolean', default: true, describe: 'also measure each source alone (--no-sources to skip)' }),
    [
      ['grasp-hil device sigma-target --profile pcm-aihwkit --model models/tiny-roberta --t 86400', 'σ_target per Site after one day, with each source alone'],
      ['grasp-hil device sigma-target --profile rram-cmo --model models/tiny-roberta --sites kvff2 --t 3600 --periphery aihwkit-standard --json', 'through an 8-bit DAC/ADC periphery, as JSON'],
    ],
  ),
  handler: async (argv) => {
    const t = numericFlag(argv.t, 't', NONNEG);
    const probes = numericFlag(argv.probes, 'probes', countUpTo(1e6));
    const seed = numericFlag(argv.seed, 'seed', SEED);
    await initBackend(argv.backend);
    const device = loadProfile(argv.profile);
    const model = await loadModel(argv.model);
    try {
      const sites = selectSites(model, parseSiteSelector(argv.sites));
      const r = sigmaTargetFromProfile(weightsOfSites(sites), device, {
        t,
        seeds: seed,
        periphery: argv.periphery ?? {},
        compensation: argv.compensation as CompensationMode | undefined,
        part: argv.part as ErrorPart,
        probes,
        sources: argv.sources,
      });
      if (argv.json) return printJson(r);
      const f = (v: number) => v.toPrecision(3).padStart(9);
      const width = Math.max(6, ...Object.keys(r.detail).map((n) => n.length));
      console.log(`σ_target (${r.profile}, t = ${r.t} s): the ${r.part} part, weight units; rel = ÷ the Site's weight std`);
      console.log(`  ${'Site'.padEnd(width)}   random       rel  systematic      rel   per-MVM  weight std`);
      for (const [name, e] of Object.entries(r.detail)) {
        const rel = (v: number) => f(e.weightStd > 0 ? v / e.weightStd : 0);
        console.log(`  ${name.padEnd(width)} ${f(e.random)} ${rel(e.random)}  ${f(e.systematic)} ${rel(e.systematic)} ${f(e.mvm)} ${f(e.weightStd)}`);
      }
      const all = meanParts(r.detail);
      console.log(`  ${'mean'.padEnd(width)} ${f(all.random)} ${f(all.randomRel)}  ${f(all.systematic)} ${f(all.systematicRel)} ${f(all.mvm)}`);
      console.log(`  σ_target: mean ${r.mean.toPrecision(4)} (${r.part} part)`);
      if (r.sources) {
        console.log('each source alone, every other off (mean over Sites):');
        console.log(`  ${'source'.padEnd(12)}   random       rel  systematic      rel`);
        const row = (label: string, m: ReturnType<typeof meanParts>) => console.log(`  ${label.padEnd(12)} ${f(m.random)} ${f(m.randomRel)}  ${f(m.systematic)} ${f(m.systematicRel)}`);
        row('all', all);
        for (const [src, errors] of Object.entries(r.sources)) if (errors) row(src, meanParts(errors));
      }
    } finally {
      model.dispose();
    }
  },
};

export const device: Command = {
  command: 'device <command>',
  describe: 'Device characterisation: stats, sigma-target, pulses, energy',
  builder: (y) => y.command(laidOut(stats)).command(laidOut(sigmaTarget)).command(laidOut(pulses)).command(laidOut(energy)).demandCommand(1, 'Name a device command: stats, sigma-target, pulses or energy.'),
  handler: () => undefined,
};
