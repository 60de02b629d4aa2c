/**
 * Plausible ranges of a profile's scalar quantities, by field name (the last segment of the JSON
 * pointer). A value outside is refused at load with the file, the pointer, the value and the range:
 * such a value is a unit slip ("25 S" for "25 uS") or a typo, and would otherwise flow into the
 * physics and energy estimate as Infinity or NaN ("gMax": "1e308 S" used to print nulls).
 *
 * The bounds are wide on purpose — several decades beyond any device in the literature — so they
 * only catch mistakes. SI units: S, s, J, V; fractions for dimensionless fields; cell areas in F².
 */

export interface PlausibleRange {
  /** Smallest accepted value (inclusive), SI units. */
  min: number;
  /** Largest accepted value (inclusive), SI units. */
  max: number;
  /** The range as a user reads it, e.g. "1 pS … 100 mS". */
  text: string;
}

const range = (min: number, max: number, text: string): PlausibleRange => ({ min, max, text });

/** Field name → accepted range. Fields not listed are checked only for being finite (fault fractions by model.ts, to [0, 1]). */
export const PLAUSIBLE: Readonly<Record<string, PlausibleRange>> = {
  gMin: range(0, 0.1, '0 S … 100 mS'),
  gMax: range(1e-12, 0.1, '1 pS … 100 mS'),
  t0: range(1e-9, 3.2e7, '1 ns … 1 year'),
  tRead: range(1e-12, 1, '1 ps … 1 s'),
  readVoltage: range(1e-3, 10, '1 mV … 10 V'),
  readTime: range(1e-12, 1, '1 ps … 1 s'),
  programPulseEnergy: range(0, 1e-6, '0 J … 1 µJ'),
  programPulseTime: range(1e-12, 1, '1 ps … 1 s'),
  pulses: range(0, 1e6, '0 … 10⁶ pulses per device'),
  area: range(1, 1e5, '1 … 100 000 F² (cell.area is in F², not m² or µm²)'),
};

/**
 * Throws `${where}: …` when `value` (SI) lies outside the plausible range of the field named by the
 * last segment of `where`'s pointer. `text` is the value as the profile wrote it.
 */
export function checkPlausible(value: number, field: string, where: string, text: string): void {
  const r = PLAUSIBLE[field];
  if (!r) return;
  if (!(value >= r.min && value <= r.max)) {
    throw new Error(`${where}: ${text} is outside the plausible range ${r.text} for ${field}; check the number and its unit`);
  }
}
