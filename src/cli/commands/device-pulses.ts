/** `grasp-hil device pulses`: program a model's Sites on a chip and report pulses per device, energy and time. */
import {
  Chip, initBackend, loadModel, loadProfile, parseSiteSelector, programmingCost, selectSites, weightsOfSites, PERIPHERY_PRESETS,
} from '../../internal.js';
import { printJson, siPrefixed, withExamples, type Command } from '../command.js';
import { numericFlag, SEED } from '../flags.js';

const si = (x: number | null, unit: string): string => (x === null ? 'not given by the profile' : siPrefixed(x, unit, 3));

export const pulses: Command = {
  tensors: true,
  command: 'pulses',
  describe: "Program a model's Sites on a chip and report programming pulses per device (mean, median, 99th percentile, max), energy and time",
  builder: (y) => withExamples(
    y
      .option('profile', { type: 'string', demandOption: true, describe: 'shipped profile id or path to a profile .json' })
      .option('model', { type: 'string', demandOption: true, describe: 'model folder (config.json + model.safetensors)' })
      .option('sites', { type: 'string', default: 'all-linear', describe: 'Site selector: preset, suffix(es) or /regex/' })
      .option('periphery', { type: 'string', describe: `periphery preset (${Object.keys(PERIPHERY_PRESETS).join(', ')}); sets the tile shape (default: ideal converters, 512×512 tiles)` })
      .option('seed', { type: 'number', default: 0, describe: 'chip seed (device-to-device variation and the programming stream derive from it)' }),
    [
      ['grasp-hil device pulses --profile ecram --model models/tiny-roberta', 'pulses per device, energy and time to program tiny-roberta on ECRAM'],
      ['grasp-hil device pulses --profile fefet --model models/tiny-roberta --sites kvff2 --json', 'four projections per layer on FeFET, as JSON'],
    ],
  ),
  handler: async (argv) => {
    const seed = numericFlag(argv.seed, 'seed', SEED);
    await initBackend(argv.backend);
    const device = loadProfile(argv.profile);
    const model = await loadModel(argv.model);
    try {
      const sites = selectSites(model, parseSiteSelector(argv.sites));
      const chip = Chip.program(weightsOfSites(sites), device, argv.periphery ?? {}, seed);
      const c = programmingCost(chip);
      if (argv.json) return printJson(c);
      const p = c.pulses;
      console.log(`profile ${c.profile}: ${p.devices} devices, ${p.pulses} pulses`);
      console.log(`  pulses per device  mean ${p.mean.toFixed(1)}, median ${p.median}, 99th percentile ${p.p99}, max ${p.max}`);
      console.log(`  energy             ${si(c.energy, 'J')} (pulses × the profile's pulse energy)`);
      console.log(`  time               ${si(c.time, 's')} (tiles in parallel, one device at a time per tile)`);
    } finally {
      model.dispose();
    }
  },
};
