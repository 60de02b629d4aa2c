/**
 * The cost of running a model's Sites on a chip: energy and latency per inference (energy.ts), area
 * (area.ts), and the ledger of every parameter behind them with its value, unit, source and
 * `verified` flag. Parameters come from two places:
 *
 *   device     the profile's `energy` section and `cell.area` (each value names a source in the
 *              profile's `sources`); an energy value the profile leaves out takes grasp-hil's
 *              default (unverified); without `cell.area` the periphery's cellArea applies
 *   periphery  `energy` and `area` (defaults and their sources in cost-parameters.ts); a value set
 *              in the periphery options is the user's (listed as such, unverified)
 *
 * Every unverified parameter is listed in `assumptions`, after the estimates' own assumptions.
 */
import { cellAreaOf, estimateArea, type AreaEstimate } from './area.js';
import type { Chip } from './chip.js';
import {
  AREA_ORIGIN, AREA_UNITS, COST_SOURCES, DEFAULT_AREA, DEFAULT_ENERGY, ENERGY_ORIGIN, ENERGY_UNITS,
  type ParameterOrigin, type PeripheryArea, type PeripheryEnergy,
} from './cost-parameters.js';
import { estimateEnergy, type EnergyEstimate, type EnergyOptions } from './energy.js';

export interface CostParameter {
  /** `device.readVoltage`, `periphery.energy.adcFom`, `periphery.area.cellArea`, … */
  name: string;
  /** SI value (areas of blocks in F²); null when the profile does not give it. */
  value: number | null;
  unit: string;
  source: string;
  /** The source's title (and URL), when known. */
  sourceTitle?: string;
  verified: boolean;
  note?: string;
}

export interface CostEstimate {
  profile: string;
  energy: EnergyEstimate;
  area: AreaEstimate;
  parameters: CostParameter[];
  /** The estimates' assumptions, then one line per unverified parameter. */
  assumptions: string[];
}

const DEVICE_DEFAULTS: Record<string, string> = { readVoltage: '0.2 V', readTime: '100 ns' };
const DEVICE_UNITS: Record<string, string> = { readVoltage: 'V', readTime: 's', programPulseEnergy: 'J', programPulseTime: 's', cellArea: 'F²' };

function titleOf(id: string, extra: readonly { id: string; title: string; url?: string }[] = []): string | undefined {
  const s = [...extra, ...COST_SOURCES].find((x) => x.id === id);
  return s ? (s.url ? `${s.title} (${s.url})` : s.title) : undefined;
}

/** Every parameter of the chip's energy and area estimate, with its origin. */
export function costParameters(chip: Chip): CostParameter[] {
  const dev = chip.device;
  const out: CostParameter[] = [];
  for (const [k, v] of Object.entries(dev.energy) as [keyof typeof dev.energy, number | null][]) {
    const prov = dev.provenance.find((x) => x.pointer === `/energy/${k}`);
    const origin: ParameterOrigin = prov
      ? { source: prov.source, verified: prov.verified, note: prov.note }
      : v === null
        ? { source: 'not given', verified: false, note: 'the profile has no value; not costed' }
        : { source: 'grasp-hil default', verified: false, note: `the profile has no value; default ${DEVICE_DEFAULTS[k]}` };
    out.push({ name: `device.${k}`, value: v, unit: DEVICE_UNITS[k], ...origin, sourceTitle: titleOf(origin.source, dev.sources) });
  }
  const p = chip.periphery;
  const cell = cellAreaOf(p, dev);
  const cellProv = dev.provenance.find((x) => x.pointer === '/cell/area');
  const cellOrigin: ParameterOrigin = cellProv
    ? { source: cellProv.source, verified: cellProv.verified, note: cell.from === 'profile' ? cellProv.note : `not used: periphery.area.cellArea is set${cellProv.note ? `; ${cellProv.note}` : ''}` }
    : dev.cellArea === null
      ? { source: 'not given', verified: false, note: 'the profile has no cell.area; periphery.area.cellArea applies' }
      : { source: 'profile', verified: false, note: 'cell.area without a source' };
  out.push({ name: 'device.cellArea', value: dev.cellArea, unit: DEVICE_UNITS.cellArea, ...cellOrigin, sourceTitle: titleOf(cellOrigin.source, dev.sources) });
  const periphery = <K extends string>(group: 'energy' | 'area', values: Record<K, number>, defaults: Record<K, number>, origins: Record<K, ParameterOrigin>, units: Record<K, string>) => {
    for (const k of Object.keys(defaults) as K[]) {
      let origin: ParameterOrigin = values[k] === defaults[k] ? origins[k] : { source: 'periphery options', verified: false, note: `set by the user (default ${defaults[k]})` };
      if (group === 'area' && k === 'cellArea' && cell.from === 'profile') origin = { ...origin, note: "not used: the profile's cell.area applies" };
      out.push({ name: `periphery.${group}.${k}`, value: values[k], unit: units[k], ...origin, sourceTitle: titleOf(origin.source) });
    }
  };
  periphery<keyof PeripheryEnergy>('energy', p.energy, DEFAULT_ENERGY, ENERGY_ORIGIN, ENERGY_UNITS);
  periphery<keyof PeripheryArea>('area', p.area, DEFAULT_AREA, AREA_ORIGIN, AREA_UNITS);
  return out;
}

/** Energy, latency and area of the chip's Sites, with every parameter and assumption. */
export function estimateCost(chip: Chip, options: EnergyOptions): CostEstimate {
  const energy = estimateEnergy(chip, options);
  const area = estimateArea(chip);
  const parameters = costParameters(chip);
  const unverified = parameters
    .filter((x) => !x.verified && x.value !== null)
    .map((x) => `${x.name} = ${Number((x.value as number).toPrecision(6))} ${x.unit} is not verified (${x.source}${x.note ? `: ${x.note}` : ''})`);
  return { profile: chip.device.id, energy, area, parameters, assumptions: [...energy.assumptions, ...area.assumptions, ...unverified] };
}
