/**
 * Quantities with units, as device profiles write them ("25 uS", "20 s", "250 ns", "1 pJ", "2 %"),
 * parsed by mathjs into SI numbers: siemens, seconds, joules, volts, ohms, watts, hertz. A bare
 * number is accepted only where the quantity is dimensionless.
 *
 * `µ` (micro sign) and `μ` (Greek mu) are read as the `u` prefix.
 */
import { createRequire } from 'node:module';
import type { MathJsInstance, Unit } from 'mathjs';

// mathjs (≈ 1,000 modules as ESM) loads on the first quantity read, not when grasp-hil is imported.
const require = createRequire(import.meta.url);
let instance: MathJsInstance | null = null;
function mathjs(): MathJsInstance {
  if (!instance) {
    const { create, all } = require('mathjs') as typeof import('mathjs');
    instance = create(all, { predictable: true });
  }
  return instance;
}

export type Dimension = 'conductance' | 'time' | 'energy' | 'voltage' | 'resistance' | 'power' | 'frequency' | 'dimensionless';

/** The SI unit each dimension is returned in. */
export const SI_UNIT: Record<Exclude<Dimension, 'dimensionless'>, string> = {
  conductance: 'S',
  time: 's',
  energy: 'J',
  voltage: 'V',
  resistance: 'ohm',
  power: 'W',
  frequency: 'Hz',
};

const EXAMPLE: Record<Dimension, string> = {
  conductance: "'25 uS'",
  time: "'20 s' or '250 ns'",
  energy: "'1 pJ'",
  voltage: "'0.2 V'",
  resistance: "'0.35 ohm'",
  power: "'1 mW'",
  frequency: "'1 GHz'",
  dimensionless: "a number or '2 %'",
};

/** A quantity as a profile may write it: a string with units, or a plain number (dimensionless only). */
export type QuantityText = string | number;

function normalise(text: string): string {
  return text.trim().replace(/[µμ]/g, 'u');
}

/**
 * Parses `input` as a quantity of `dimension` and returns its value in SI units (see `SI_UNIT`).
 * Throws naming `where` (file and JSON pointer) and an example of what is accepted.
 */
export function parseQuantity(input: QuantityText, dimension: Dimension, where: string): number {
  const fail = (why: string): never => {
    throw new Error(`${where}: ${why}; expected a ${dimension} quantity such as ${EXAMPLE[dimension]}`);
  };
  if (typeof input === 'number') {
    if (dimension !== 'dimensionless') fail(`the number ${input} has no unit`);
    if (!Number.isFinite(input)) fail(`${input} is not a finite number`);
    return input;
  }
  if (typeof input !== 'string') return fail(`expected a string, got ${JSON.stringify(input)}`);
  const text = normalise(input);
  if (text === '') fail('empty quantity');
  if (dimension === 'dimensionless') {
    const pct = /^(.*)%$/.exec(text);
    const body = pct ? pct[1].trim() : text;
    const v = Number(body);
    if (body === '' || !Number.isFinite(v)) fail(`cannot read '${input}'`);
    return pct ? v / 100 : v;
  }
  if (/^[-+0-9.eE]+$/.test(text)) fail(`'${input}' has no unit`);
  let unit: Unit;
  try {
    unit = mathjs().unit(text);
  } catch (e) {
    return fail(`cannot read '${input}' (${(e as Error).message.replace(/\.$/, '')})`);
  }
  if (!unit.equalBase(mathjs().unit(`1 ${SI_UNIT[dimension]}`))) {
    fail(`'${input}' is not a ${dimension}`);
  }
  const value = unit.toNumber(SI_UNIT[dimension]);
  if (!Number.isFinite(value)) fail(`'${input}' is not finite`);
  return value;
}

/**
 * The SI factor of a unit name alone ("uS" → 1e-6, "ns" → 1e-9), checked against `dimension`.
 * Used for the output unit of a law.
 */
export function unitFactor(unit: string, dimension: Exclude<Dimension, 'dimensionless'>, where: string): number {
  return parseQuantity(`1 ${unit}`, dimension, where);
}

/** Siemens → microsiemens, rounded to 12 significant digits (for printing). */
export function toMicroSiemens(siemens: number): number {
  return Number((siemens * 1e6).toPrecision(12));
}
