/**
 * Calibrated ranges (CrossSim's percentile calibration): DAC input ranges and ADC output bounds per
 * row tile (or one per layer), set from calibration inputs instead of one chip-wide constant.
 *
 *   DAC range of tile t   a_t = P_dac(|x_i|) over the calibration vectors and the tile's rows i
 *   ADC bound of tile t   b_t = P_adc(|y_j|), y = clip(x/a_t, −1, 1)·Wn_t (noise-free tile outputs,
 *                         units of one full-scale input × g_max, as periphery.adc.bound)
 *
 * P_p is the p-th percentile (nearest rank; at most 2^21 values, evenly strided). 'layer' pools all
 * tiles of a Site. With `dac: 'learned'` every row tile of a Site takes the Site's learned input range
 * instead of a percentile (aihwkit's input-range learning during hardware-aware training,
 * src/train/input-range.ts), passed to ChipState.calibrate; the ADC bounds are calibrated with it. Inputs above a_t clip at the DAC, outputs above b_t at the ADC; the clip rates
 * are counted by AnalogLinear.trackClipping / ChipState.clipRates. No random streams.
 */
export interface CalibrationOptions {
  /** Percentile of |x| for the DAC ranges (null: keep periphery.dac.range). Default 99.99. */
  dacPercentile?: number | null;
  /** Percentile of |y| for the ADC bounds (null: keep periphery.adc.bound). Default 99.99. */
  adcPercentile?: number | null;
  /** One range per row tile (default) or one per layer (Site). */
  per?: 'tile' | 'layer';
  /** Where the DAC ranges come from: a percentile of the calibration inputs (default) or the adapter's learned input ranges. */
  dac?: CalibrationDac;
}

/** Sources of calibrated DAC ranges. */
export type CalibrationDac = 'percentile' | 'learned';
export const CALIBRATION_DAC_SOURCES: readonly CalibrationDac[] = ['percentile', 'learned'];

export interface Calibration {
  dacPercentile: number | null;
  adcPercentile: number | null;
  per: 'tile' | 'layer';
  /** 'learned': each Site's DAC range is its learned input range (dacPercentile is then null). */
  dac: CalibrationDac;
}

/** Ranges set by calibration, one per row tile. */
export interface CalibratedRanges {
  dacRange: ('abs-max' | number)[];
  adcBound: number[];
}

export function resolveCalibration(o: CalibrationOptions | null | undefined, where: string): Calibration | null {
  if (!o) return null;
  const pct = (v: unknown, f: string): number | null => {
    if (v === null) return null;
    if (typeof v !== 'number' || !(v > 0 && v <= 100)) throw new Error(`${where}.${f} must be a percentile in (0, 100] (or null to keep the fixed setting), got ${v}`);
    return v;
  };
  const per = o.per ?? 'tile';
  if (per !== 'tile' && per !== 'layer') throw new Error(`${where}.per must be 'tile' or 'layer', got ${per}`);
  const dac = o.dac ?? 'percentile';
  if (!CALIBRATION_DAC_SOURCES.includes(dac)) throw new Error(`${where}.dac must be one of ${CALIBRATION_DAC_SOURCES.join(', ')}, got ${JSON.stringify(dac)}`);
  if (dac === 'learned' && o.dacPercentile !== undefined && o.dacPercentile !== null) {
    throw new Error(`${where}.dac is 'learned' (the DAC ranges come from the adapter's learned input ranges), so dacPercentile ${o.dacPercentile} would be ignored; remove dacPercentile or set dac to 'percentile'`);
  }
  const dacPercentile = dac === 'learned' ? null : pct(o.dacPercentile === undefined ? 99.99 : o.dacPercentile, 'dacPercentile');
  return { dacPercentile, adcPercentile: pct(o.adcPercentile === undefined ? 99.99 : o.adcPercentile, 'adcPercentile'), per, dac };
}

const MAX_VALUES = 2 ** 21;

/** Nearest-rank p-th percentile of |values| (strided to at most 2^21 values): the rank-th smallest, found by selection, not a full sort. */
export function absPercentile(values: ArrayLike<number>, p: number): number {
  const stride = Math.max(1, Math.ceil(values.length / MAX_VALUES));
  const a = new Float32Array(Math.ceil(values.length / stride));
  for (let i = 0, k = 0; i < values.length; i += stride, k++) a[k] = Math.abs(values[i]);
  if (a.length === 0) return 0;
  const rank = Math.min(a.length, Math.max(1, Math.ceil((p / 100) * a.length)));
  return selectInPlace(a, rank - 1);
}

/** The k-th smallest element (0-based) of `a`, as a sorted copy's a[k]; reorders `a` (quickselect, median-of-3 pivot, Hoare partition). */
function selectInPlace(a: Float32Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const x = a[lo], y = a[(lo + hi) >>> 1], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
