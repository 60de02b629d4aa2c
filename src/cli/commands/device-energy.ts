/**
 * `grasp-hil device energy <profile>`: energy, latency and area per inference of a model's Sites on
 * a chip of that profile (src/crossbar/cost.ts), per component and per Site, with every parameter's
 * source and the assumptions behind the estimate.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  Chip, estimateCost, initBackend, loadModel, loadProfile, packagePath, parseSiteSelector, PERIPHERY_PRESETS, selectSites, weightsOfSites,
  type CostEstimate, type PeripheryOptions,
} from '../../internal.js';
import { printJson, siPrefixed, withExamples, type Command } from '../command.js';
import { checkFlags, countUpTo, FRACTION, SEED } from '../flags.js';

/** --periphery: a preset name, an inline JSON object or the path of a .json file holding one. */
export function peripheryOption(text: string | undefined): PeripheryOptions | string {
  if (text === undefined) return {};
  const t = text.trim();
  if (t in PERIPHERY_PRESETS) return t;
  const parse = (json: string, where: string): PeripheryOptions => {
    try {
      return JSON.parse(json) as PeripheryOptions;
    } catch (e) {
      throw new Error(`--periphery: ${where} is not valid JSON (${(e as Error).message}); give a preset (${Object.keys(PERIPHERY_PRESETS).join(', ')}), a JSON object such as '{"tile":{"rows":256,"cols":256},"adc":{"bits":8}}' or a .json file`);
    }
  };
  if (t.startsWith('{')) return parse(t, 'the argument');
  if (existsSync(t)) return parse(readFileSync(t, 'utf8'), t);
  throw new Error(`--periphery: '${t}' is neither a preset (${Object.keys(PERIPHERY_PRESETS).join(', ')}), a JSON object nor an existing .json file`);
}

const mm2 = (m2: number): string => `${Number((m2 * 1e6).toPrecision(4))} mm²`;
const pct = (part: number, whole: number): string => (whole > 0 ? `${(100 * part / whole).toFixed(1)} %` : '—');

/** Where the cell area comes from, for the header line. */
function cellOrigin(c: CostEstimate): string {
  const from = c.area.cell.from;
  if (from === 'periphery options') return 'set in the periphery options';
  if (from === 'default') return "NeuroSim's 1T1R cell (the default; the profile gives no cell.area)";
  const p = c.parameters.find((x) => x.name === 'device.cellArea');
  return `from the profile's cell.area (${p?.source ?? 'no source'} ${p?.verified ? '✓' : '✗'})`;
}

/** The table of components: energy, latency and area side by side. */
function printCost(c: CostEstimate, model: string): void {
  const e = c.energy.perInference;
  const a = c.area.total;
  const b = e.breakdown;
  const l = e.latencyBreakdown;
  const ab = a.breakdown;
  const t = c.area.tile;
  console.log(`Energy, latency and area per inference — an ESTIMATE (NeuroSim-style; parameters and sources below)`);
  console.log(`  ${c.profile} chip for ${model}: ${Object.keys(c.area.sites).length} Sites on ${a.tiles} tiles of ${t.shape.rows} × ${t.shape.cols}, ${c.energy.tokens} token(s) per inference`);
  console.log(`  energy ${siPrefixed(e.energy, 'J')}, latency ${siPrefixed(e.latency, 's')}, area ${mm2(a.area)} (one tile ${mm2(t.area)}, ${t.adcs} ADC(s) per tile)`);
  console.log(`  cell area ${Number(c.area.cell.area.toPrecision(6))} F² per device, ${cellOrigin(c)}`);
  const rows: [string, number | null, number | null, number | null][] = [
    ['array / cell reads', b.cellRead, l.read, ab.array],
    ['DACs + row drivers', b.dac + b.rowDrivers, l.dac, ab.rowDrivers],
    ['ADCs', b.adc, l.adc, ab.adc],
    ['digital / shift-and-add', b.digital, l.digital, ab.shiftAdd],
    ['buffers', null, null, ab.buffer],
  ];
  console.log(`  ${'component'.padEnd(24)} ${'energy'.padStart(11)} ${'share'.padStart(7)} ${'latency'.padStart(11)} ${'share'.padStart(7)} ${'area'.padStart(13)} ${'share'.padStart(7)}`);
  for (const [name, en, lat, ar] of rows) {
    const cell = (v: number | null, unit: string, whole: number, f: (x: number) => string = (x) => siPrefixed(x, unit)) =>
      v === null ? `${'—'.padStart(11)} ${''.padStart(7)}` : `${f(v).padStart(11)} ${pct(v, whole).padStart(7)}`;
    console.log(`  ${name.padEnd(24)} ${cell(en, 'J', e.energy)} ${cell(lat, 's', e.latency)} ${cell(ar, '', a.area, mm2).padStart(21)}`);
  }
  const prog = c.energy.programming;
  console.log(`  programming: ${prog.pulses} pulses, ${prog.energy === null ? 'energy not given by the profile' : siPrefixed(prog.energy, 'J')}, ${prog.time === null ? 'time not given' : siPrefixed(prog.time, 's')} (tiles in parallel)`);
  console.log('per Site:');
  const width = Math.max(6, ...Object.keys(c.area.sites).map((n) => n.length));
  console.log(`  ${'Site'.padEnd(width)} ${'tiles'.padStart(5)} ${'used'.padStart(7)} ${'energy'.padStart(11)} ${'latency'.padStart(11)} ${'area'.padStart(13)}`);
  for (const [name, s] of Object.entries(c.area.sites)) {
    const se = c.energy.sites[name];
    console.log(`  ${name.padEnd(width)} ${String(s.tiles).padStart(5)} ${pct(s.utilisation, 1).padStart(7)} ${siPrefixed(se.energy, 'J').padStart(11)} ${siPrefixed(se.latency, 's').padStart(11)} ${mm2(s.area).padStart(13)}`);
  }
  console.log('parameters (✓ verified against the source, ✗ not):');
  const nw = Math.max(...c.parameters.map((p) => p.name.length));
  for (const p of c.parameters) {
    const v = p.value === null ? '—' : `${Number(p.value.toPrecision(6))} ${p.unit}`;
    console.log(`  ${p.verified ? '✓' : '✗'} ${p.name.padEnd(nw)} ${v.padEnd(16)} ${p.source}`);
  }
  console.log('assumptions:');
  for (const s of c.assumptions) console.log(`  - ${s}`);
}

export const energy: Command = {
  tensors: true,
  command: 'energy <profile>',
  describe: "Energy, latency and area per inference of a model's Sites on a chip of <profile> (an estimate, per component and per Site, with each parameter's source)",
  builder: (y) => withExamples(
    y
      .positional('profile', { type: 'string', describe: 'shipped profile id or path to a profile .json' })
      .option('model', { type: 'string', describe: 'model folder (config.json + model.safetensors); default: the shipped models/tiny-roberta' })
      .option('sites', { type: 'string', default: 'all-linear', describe: 'Site selector: preset, suffix(es) or /regex/' })
      .option('periphery', { type: 'string', describe: `periphery: a preset (${Object.keys(PERIPHERY_PRESETS).join(', ')}), a JSON object or a .json file; its energy and area sections override the defaults` })
      .option('tokens', { type: 'number', default: 128, describe: 'tokens (input vectors) per inference, e.g. batch × sequence length' })
      .option('activity', { type: 'number', default: 0.5, describe: 'mean |x̃| of the DAC-normalised inputs (PWM duty), in [0, 1]' })
      .option('seed', { type: 'number', default: 0, describe: 'chip seed (the programmed conductances set the cell-read energy and the pulse count)' }),
    [
      ['grasp-hil device energy pcm-aihwkit', 'every linear Site of the shipped model on a PCM chip, 128 tokens'],
      ['grasp-hil device energy rram-cmo --periphery aihwkit-standard --tokens 64 --json', 'through 8-bit converters, as JSON'],
      ['grasp-hil device energy pcm-aihwkit --periphery \'{"adc":{"bits":6},"area":{"featureSize":22e-9}}\'', '6-bit ADCs at a 22 nm feature size'],
    ],
  ),
  handler: async (argv) => {
    checkFlags(argv, { tokens: countUpTo(1e9), activity: FRACTION, seed: SEED });
    const periphery = peripheryOption(argv.periphery);
    const device = loadProfile(argv.profile);
    const dir = argv.model ?? packagePath('models/tiny-roberta');
    await initBackend(argv.backend);
    const model = await loadModel(dir);
    try {
      const sites = selectSites(model, parseSiteSelector(argv.sites));
      const chip = Chip.program(weightsOfSites(sites), device, periphery, argv.seed);
      const cost = estimateCost(chip, { tokens: argv.tokens, inputActivity: argv.activity });
      if (argv.json) return printJson({ model: argv.model ?? 'tiny-roberta', sites: sites.map((s) => s.name), ...cost });
      printCost(cost, argv.model ?? 'tiny-roberta');
    } finally {
      model.dispose();
    }
  },
};
