/**
 * The periphery settings an experiment may name, as dotted paths (`adc.bits`), for `periphery` and
 * the keys of `sweeps`. Values are checked by the crossbar's resolvePeriphery; this file only makes
 * sure that every key means something, so a typo (`adc.bitz`) is an error with the closest known
 * name instead of a setting silently ignored.
 */
import { DEFAULT_AREA, DEFAULT_ENERGY } from '../crossbar/index.js';
import { closestName } from '../io/index.js';

/** Leaf settings, and the groups whose value may also be given whole (`readNoise: false`, `irDrop: null`). */
export const PERIPHERY_KEYS: readonly string[] = [
  'tile.rows', 'tile.cols', 'mapping', 'scale', 'dac.bits', 'dac.range', 'dac.serial', 'slicing', 'slicing.slices', 'slicing.base',
  'adc.bits', 'adc.bound', 'adc.noise', 'adc.boundManagement', 'calibration', 'calibration.dacPercentile', 'calibration.adcPercentile', 'calibration.per', 'calibration.dac',
  'readNoise', 'readNoise.enabled', 'readNoise.mode', 'irDrop', 'irDrop.model', 'irDrop.scale', 'irDrop.gRatio', 'irDrop.wireResistance',
  'irDrop.rowWireResistance', 'compensation', 'execution', 'tile', 'dac', 'adc', 'energy',
  ...Object.keys(DEFAULT_ENERGY).map((k) => `energy.${k}`),
  'area', ...Object.keys(DEFAULT_AREA).map((k) => `area.${k}`),
];

const KNOWN = new Set(PERIPHERY_KEYS);

/** ` (did you mean 'x'?)` for the closest of `known` within a third of the name's length, else ''. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const best = closestName(name, known);
  return best !== null ? ` (did you mean '${best}'?)` : '';
}

/** Dotted paths of every setting in a periphery object (a leaf is a value that is not a plain object). */
export function peripheryPaths(p: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      if (!KNOWN.has(path)) out.push(path);
      else out.push(...peripheryPaths(v as Record<string, unknown>, path));
    } else out.push(path);
  }
  return out;
}

/** The problem with a periphery key, or null when it is known. */
export function unknownPeripheryKey(path: string): string | null {
  if (KNOWN.has(path)) return null;
  return `unknown periphery setting '${path}'${didYouMean(path, PERIPHERY_KEYS)}; known: ${PERIPHERY_KEYS.filter((k) => !['tile', 'dac', 'adc', 'energy', 'area'].includes(k)).join(', ')}`;
}
