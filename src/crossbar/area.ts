/**
 * Chip area — an ESTIMATE in NeuroSim's manner: every tile is a physical macro of the periphery's
 * full tile shape R × C (a partly filled tile occupies a whole one), and its area is the sum of
 * its blocks, each a count times a unit area in F² (cost-parameters.ts) times F²:
 *
 *   array          R · C · d · cellArea                      d = devices per weight (2 differential, 1 offset);
 *                  cellArea = periphery.area.cellArea when set there (≠ default), else the
 *                  profile's cell.area, else the default (NeuroSim's 1T1R cell, 16 F²)
 *   row drivers    R · rowDriverArea                         word-line driver with the input DAC/PWM
 *   ADCs           ⌈C / columnsPerAdc⌉ · (adcAreaBase + adcAreaPerBit·(b_ADC − 1))     SAR ADC
 *   shift-and-add  ⌈C / columnsPerAdc⌉ · w · shiftAddAreaPerBit, only with bit-serial inputs,
 *                  w = b_ADC + b_DAC − 1 accumulator bits
 *   buffers        (R · b_DAC + C · w) · bufferBitArea         input codes and output words, SRAM
 *                  (w = b_ADC without bit-serial inputs)
 *
 * Totals: per Site (all its tiles, all weight slices), per component and for the chip (Σ Sites).
 * Not included (listed in `assumptions`): the digital accumulation of row-tile partial sums and of
 * weight slices, global buffers, interconnect and control. A missing DAC/ADC (bits null) is costed
 * as 8 bits, as the energy estimate does. Units: m² (SI); `mm2` helpers for printing.
 */
import type { Chip } from './chip.js';
import { DEFAULT_AREA } from './cost-parameters.js';
import { devicesPerWeight } from './mapping.js';
import { inputCycles, type Periphery } from './periphery.js';
import type { TileShape } from './tiles.js';
import type { DeviceModel, MappingScheme } from '../device/index.js';

/** Where the cell area of the estimate comes from. */
export type CellAreaOrigin = 'periphery options' | 'profile' | 'default';

/** The cell area in F² used for the array and where it comes from (see the file header). */
export interface CellArea {
  area: number;
  from: CellAreaOrigin;
}

export interface AreaBreakdown {
  array: number;
  rowDrivers: number;
  adc: number;
  shiftAdd: number;
  buffer: number;
}

export const AREA_COMPONENTS: readonly (keyof AreaBreakdown)[] = ['array', 'rowDrivers', 'adc', 'shiftAdd', 'buffer'];

export interface SiteArea {
  /** Physical tiles (all weight slices). */
  tiles: number;
  /** Weights held / devices' capacity of those tiles (0–1). */
  utilisation: number;
  area: number;
  breakdown: AreaBreakdown;
}

export interface AreaEstimate {
  label: 'estimate';
  /** The device cell's area (F²) behind the array area, and its origin. */
  cell: CellArea;
  /** m² of one physical tile, by component, and its total. */
  tile: { shape: TileShape; area: number; breakdown: AreaBreakdown; adcs: number };
  sites: Record<string, SiteArea>;
  /** m² of the chip (Σ Sites) by component, and total. */
  total: { tiles: number; area: number; breakdown: AreaBreakdown };
  assumptions: string[];
}

const zero = (): AreaBreakdown => ({ array: 0, rowDrivers: 0, adc: 0, shiftAdd: 0, buffer: 0 });
const sum = (b: AreaBreakdown): number => AREA_COMPONENTS.reduce((n, k) => n + b[k], 0);

/**
 * The cell area (F²) of a chip of `device` behind `periphery`: a cellArea set in the periphery
 * options (a value other than the default) wins, then the profile's `cell.area`, then the default.
 */
export function cellAreaOf(periphery: Periphery, device: Pick<DeviceModel, 'cellArea'>): CellArea {
  if (periphery.area.cellArea !== DEFAULT_AREA.cellArea) return { area: periphery.area.cellArea, from: 'periphery options' };
  if (device.cellArea !== null) return { area: device.cellArea, from: 'profile' };
  return { area: DEFAULT_AREA.cellArea, from: 'default' };
}

/**
 * Area (m²) of one physical tile of `periphery.tile` with mapping `scheme`, by component; the array
 * uses `cellArea` (F², e.g. from `cellAreaOf`), by default the periphery's.
 */
export function tileArea(periphery: Periphery, scheme: MappingScheme, cellArea = periphery.area.cellArea): { area: number; breakdown: AreaBreakdown; adcs: number } {
  const a = periphery.area;
  const { rows, cols } = periphery.tile;
  const f2 = a.featureSize ** 2;
  const adcBits = periphery.adc.bits ?? 8;
  const dacBits = periphery.dac.bits ?? 8;
  const adcs = Math.ceil(cols / periphery.energy.columnsPerAdc);
  const serial = inputCycles(periphery) > 1;
  const width = serial ? adcBits + dacBits - 1 : adcBits;
  const breakdown: AreaBreakdown = {
    array: rows * cols * devicesPerWeight(scheme) * cellArea * f2,
    rowDrivers: rows * a.rowDriverArea * f2,
    adc: adcs * (a.adcAreaBase + a.adcAreaPerBit * (adcBits - 1)) * f2,
    shiftAdd: serial ? adcs * width * a.shiftAddAreaPerBit * f2 : 0,
    buffer: (rows * dacBits + cols * width) * a.bufferBitArea * f2,
  };
  return { area: sum(breakdown), breakdown, adcs };
}

/** Area of the chip's tiles, per Site and in total (see the file header). */
export function estimateArea(chip: Chip): AreaEstimate {
  const p = chip.periphery;
  const cell = cellAreaOf(p, chip.device);
  const tile = tileArea(p, chip.scheme, cell.area);
  const assumptions: string[] = [
    'area: every tile is a full physical tile; digital accumulation across row tiles and weight slices, global buffers, interconnect and control are not included',
  ];
  if (p.dac.bits === null) assumptions.push('area: no DAC quantisation configured: input buffers costed for 8-bit codes');
  if (p.adc.bits === null) assumptions.push('area: no ADC configured: costed as an 8-bit SAR ADC');
  const sites: Record<string, SiteArea> = {};
  const total = { tiles: 0, area: 0, breakdown: zero() };
  const capacity = p.tile.rows * p.tile.cols;
  for (const name of chip.siteNames()) {
    let tiles = 0;
    let used = 0;
    for (const part of chip.slicesOf(name).parts) {
      const s = chip.site(part);
      tiles += s.tiles.length;
      used += s.inFeatures * s.outFeatures;
    }
    const breakdown = zero();
    for (const k of AREA_COMPONENTS) breakdown[k] = tiles * tile.breakdown[k];
    sites[name] = { tiles, utilisation: used / (tiles * capacity), area: sum(breakdown), breakdown };
    total.tiles += tiles;
    for (const k of AREA_COMPONENTS) total.breakdown[k] += breakdown[k];
  }
  total.area = sum(total.breakdown);
  return { label: 'estimate', cell, tile: { shape: { ...p.tile }, ...tile }, sites, total, assumptions };
}
