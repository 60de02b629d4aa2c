/** `grasp-hil device stats|sigma-target`: device characterisation and σ_target from a profile. */
import {
  deviceStats, initBackend, loadModel, loadProfile, parseSiteSelector, selectSites, sigmaTargetFromProfile, weightsOfSites,
  COMPENSATION_MODES, PERIPHERY_PRESETS, type CompensationMode,
} from '../../index.js';
import { laidOut, printJson, withExamples, type Command } from '../command.js';

function finite(v: unknown, flag: string, min: number, max = Infinity): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max) {
    throw new Error(`${flag} must be a number in [${min}, ${max === Infinity ? '∞' : max}], got ${v}`);
  }
  return x;
}

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
    const g = finite(argv.g, '--g', 0, 1);
    const t = finite(argv.t, '--t', 0);
    const samples = finite(argv.samples, '--samples', 1, 1e8);
    if (!Number.isInteger(samples)) throw new Error(`--samples must be an integer, got ${argv.samples}`);
    const s = deviceStats(loadProfile(argv.profile), g, t, samples, argv.seed);
    if (argv.json) return printJson(s);
    const ms = (m: { mean: number; std: number }, unit: string) => `mean ${m.mean} ${unit}, std ${m.std} ${unit}`;
    console.log(`profile ${s.profile}: ${s.samples} devices, target ${s.target} µS, read at t = ${s.t} s`);
    console.log(`  programmed  ${ms(s.programmed, 'µS')}`);
    if (s.nu) console.log(`  ν           ${ms(s.nu, '')}`);
    console.log(`  at t        ${ms(s.atT, 'µS')}`);
    if (s.stuckLow || s.stuckHigh) console.log(`  stuck       ${s.stuckLow} at g_min, ${s.stuckHigh} at g_max`);
    console.log(`  pulses      ${s.pulsesPerDevice} per device`);
  },
};

const sigmaTarget: Command = {
  tensors: true,
  command: 'sigma-target',
  describe: 'σ_target per Site: program the model’s selected Sites, read them at t with compensation, spread of W_read − W',
  builder: (y) => withExamples(
    y
      .option('profile', { type: 'string', demandOption: true, describe: 'shipped profile id or path' })
      .option('model', { type: 'string', demandOption: true, describe: 'model folder (config.json + model.safetensors)' })
      .option('sites', { type: 'string', default: 'all-linear', describe: 'Site selector: preset, suffix(es) or /regex/' })
      .option('t', { type: 'number', demandOption: true, describe: 'seconds after programming' })
      .option('seed', { type: 'number', default: 0, describe: 'chip seed (programming, time and read streams derive from it)' })
      .option('periphery', { type: 'string', describe: `periphery preset (${Object.keys(PERIPHERY_PRESETS).join(', ')})` })
      .option('compensation', { type: 'string', choices: COMPENSATION_MODES as string[], describe: 'drift compensation (default global)' }),
    [['grasp-hil device sigma-target --profile pcm-aihwkit --model models/tiny-roberta --sites kvff2 --t 86400 --json', 'σ_target per Site after one day']],
  ),
  handler: async (argv) => {
    await initBackend(argv.backend);
    const t = finite(argv.t, '--t', 0);
    const device = loadProfile(argv.profile);
    const model = await loadModel(argv.model);
    try {
      const sites = selectSites(model, parseSiteSelector(argv.sites));
      const r = sigmaTargetFromProfile(weightsOfSites(sites), device, {
        t,
        seeds: argv.seed,
        periphery: argv.periphery ?? {},
        compensation: argv.compensation as CompensationMode | undefined,
      });
      if (argv.json) return printJson({ profile: r.profile, t: r.t, sites: r.sites, mean: r.mean });
      console.log(`σ_target (${r.profile}, t = ${r.t} s, weight units):`);
      for (const [name, s] of Object.entries(r.sites)) console.log(`  ${name}  ${s.toPrecision(4)}`);
      console.log(`  mean  ${r.mean.toPrecision(4)}`);
    } finally {
      model.dispose();
    }
  },
};

export const device: Command = {
  command: 'device <command>',
  describe: 'Device characterisation: stats, sigma-target',
  builder: (y) => y.command(laidOut(stats)).command(laidOut(sigmaTarget)).demandCommand(1, 'Name a device command: stats or sigma-target.'),
  handler: () => undefined,
};
