/**
 * Energy and latency per inference — an ESTIMATE, decomposed as NeuroSim and Accelergy do: every
 * token runs one MVM on every tile of every programmed Site, and each MVM costs
 *
 *   cell reads     V_read² · t_read · g_max · Σ_devices g · activity   (PWM inputs: the mean |x̃|)
 *   DAC            rows · dacUnit · 2^bits_DAC
 *   row drivers    rows · rowDriver
 *   ADC            cols · fom · 2^bits_ADC                              (Walden figure of merit)
 *   digital        per Site and token: (row tiles − 1)·out partial-sum adds + out bias adds
 *                  + row tiles·out output-scale multiplies
 *
 * Latency per token and Site (tiles in parallel): t_DAC + t_read + min(cols, columnsPerAdc)·t_ADC
 * + ⌈log2(row tiles)⌉·t_digital — each ADC converts its multiplexed columns one after another, as
 * NeuroSim's column mux does; Sites and tokens in sequence (no pipelining).
 *
 * Bit-serial inputs (periphery dac.serial = p bits per cycle, C = ⌈(bits_DAC − 1)/p⌉ cycles): cell
 * reads, row drivers, DAC (2^(p+1) levels: sign + p bits) and ADC conversions × C, (C − 1)·cols
 * shift-and-add adds per tile, latency C·(t_DAC + t_read + ADC) + one more digital stage.
 * Weight slices (periphery slicing, N parts per Site): every part's tiles are costed (N× cells,
 * DACs, ADCs); parts run in parallel, so latency is the slowest part + ⌈log2 N⌉ digital stages;
 * (N − 1)·out shift-and-add adds per Site and token.
 * Programming: counted pulses × pulse energy; time = the busiest tile's pulses × pulse time
 * (tiles programmed in parallel, one device at a time within a tile).
 *
 * A missing DAC/ADC (bits null) is costed as 8 bits so the estimate stays comparable; the result
 * lists such assumptions. Parameters: the profile's `energy` section and the periphery's `energy`
 * (defaults and their sources: cost-parameters.ts; cost.ts adds the area and the parameter ledger).
 * Results per inference, in total and per Site (Σ Sites = total).
 */
import type { Chip } from './chip.js';
import { inputCycles } from './periphery.js';

export interface EnergyOptions {
  /** Tokens (input vectors) per inference, e.g. batch × sequence length. */
  tokens: number;
  /** Mean |x̃| of the DAC-normalised inputs (PWM duty), default 0.5. */
  inputActivity?: number;
}

export interface EnergyBreakdown {
  cellRead: number;
  dac: number;
  rowDrivers: number;
  adc: number;
  digital: number;
}

/** Seconds per inference spent in each stage (Sites and tokens in sequence; the slowest slice per Site). */
export interface LatencyBreakdown {
  dac: number;
  read: number;
  adc: number;
  digital: number;
}

export const LATENCY_COMPONENTS: readonly (keyof LatencyBreakdown)[] = ['dac', 'read', 'adc', 'digital'];

export const ENERGY_COMPONENTS: readonly (keyof EnergyBreakdown)[] = ['cellRead', 'dac', 'rowDrivers', 'adc', 'digital'];

const zero = (): EnergyBreakdown => ({ cellRead: 0, dac: 0, rowDrivers: 0, adc: 0, digital: 0 });
const total = (b: EnergyBreakdown): number => ENERGY_COMPONENTS.reduce((n, k) => n + b[k], 0);

/** One Site's share per inference (all its tiles and weight slices). */
export interface SiteEnergy {
  energy: number;
  breakdown: EnergyBreakdown;
  latency: number;
  mvms: number;
}

export interface EnergyEstimate {
  label: 'estimate';
  tokens: number;
  /** Joules per inference by component, and total; seconds per inference, and their split by stage. */
  perInference: { energy: number; breakdown: EnergyBreakdown; latency: number; latencyBreakdown: LatencyBreakdown; mvms: number };
  /** Per Site, per inference (Σ over Sites = perInference). */
  sites: Record<string, SiteEnergy>;
  programming: { pulses: number; energy: number | null; time: number | null };
  assumptions: string[];
}

export function estimateEnergy(chip: Chip, options: EnergyOptions): EnergyEstimate {
  const { tokens } = options;
  if (!(Number.isInteger(tokens) && tokens >= 1)) throw new Error(`energy estimate: tokens must be an integer ≥ 1, got ${tokens}`);
  const activity = options.inputActivity ?? 0.5;
  if (!(activity >= 0 && activity <= 1)) throw new Error(`energy estimate: inputActivity must lie in [0, 1], got ${activity}`);
  const dev = chip.device;
  const p = chip.periphery;
  const e = p.energy;
  const assumptions: string[] = [`input activity (mean |x̃|) ${activity}`];
  const dacBits = p.dac.bits ?? 8;
  const adcBits = p.adc.bits ?? 8;
  if (p.dac.bits === null) assumptions.push('no DAC quantisation configured: costed as an 8-bit DAC');
  if (p.adc.bits === null) assumptions.push('no ADC configured: costed as an 8-bit ADC');
  const b: EnergyBreakdown = zero();
  const lb: LatencyBreakdown = { dac: 0, read: 0, adc: 0, digital: 0 };
  const sites: Record<string, SiteEnergy> = {};
  let latency = 0;
  let mvms = 0;
  let pulses = 0;
  let busiest = 0;
  const cellUnit = dev.energy.readVoltage ** 2 * dev.energy.readTime * dev.gMax * activity;
  const cycles = inputCycles(p);
  // a bit-serial cycle drives sign + `serial` magnitude bits
  const dacLevels = p.dac.serial !== null ? 2 ** (p.dac.serial + 1) : 2 ** dacBits;
  if (cycles > 1) assumptions.push(`bit-serial inputs: ${cycles} cycles of ${p.dac.serial} bit(s) per MVM, each a full read at activity ${activity} and one ADC conversion per column`);
  for (const name of chip.siteNames()) {
    const sl = chip.slicesOf(name);
    const sb = zero();
    let siteLatency = 0;
    let slowest: LatencyBreakdown = { dac: 0, read: 0, adc: 0, digital: 0 };
    let siteMvms = 0;
    for (const part of sl.parts) {
      const s = chip.site(part);
      const rt = s.grid.rowTiles;
      for (const td of s.tiles) {
        const rows = td.tile.r1 - td.tile.r0;
        const cols = td.tile.c1 - td.tile.c0;
        sb.cellRead += cycles * cellUnit * td.conductanceSum;
        sb.dac += cycles * rows * e.dacUnit * dacLevels;
        sb.rowDrivers += cycles * rows * e.rowDriver;
        sb.adc += cycles * cols * e.adcFom * 2 ** adcBits;
        sb.digital += (cycles - 1) * cols * e.digitalAdd; // shift-and-add of the input cycles
        siteMvms += cycles;
        pulses += td.pulses;
        busiest = Math.max(busiest, td.pulses);
      }
      const out = s.outFeatures;
      sb.digital += (rt - 1) * out * e.digitalAdd + rt * out * e.digitalMul;
      const cols = Math.min(s.grid.shape.cols, s.outFeatures);
      const stages: LatencyBreakdown = {
        dac: cycles * e.dacTime,
        read: cycles * dev.energy.readTime,
        adc: cycles * Math.min(cols, e.columnsPerAdc) * e.adcTime, // the ADCs run in parallel, each through its muxed columns
        digital: (Math.ceil(Math.log2(rt)) + (cycles > 1 ? 1 : 0)) * e.digitalTime,
      };
      const partLatency = stages.dac + stages.read + stages.adc + stages.digital;
      // slices run in parallel on their own columns and ADCs: the slowest part sets the Site's latency
      if (partLatency > siteLatency) {
        siteLatency = partLatency;
        slowest = stages;
      }
    }
    const n = sl.parts.length;
    // weight slices: shift-and-add of N partial outputs, then the digital bias
    sb.digital += ((n - 1) + (sl.bias ? 1 : 0)) * sl.outFeatures * e.digitalAdd;
    siteLatency += Math.ceil(Math.log2(n)) * e.digitalTime;
    slowest.digital += Math.ceil(Math.log2(n)) * e.digitalTime;
    for (const k of LATENCY_COMPONENTS) lb[k] += slowest[k] * tokens;
    for (const k of ENERGY_COMPONENTS) {
      sb[k] *= tokens;
      b[k] += sb[k];
    }
    sites[name] = { energy: total(sb), breakdown: sb, latency: siteLatency * tokens, mvms: siteMvms * tokens };
    latency += siteLatency;
    mvms += siteMvms;
  }
  const energy = total(b);
  const pe = dev.energy.programPulseEnergy;
  const pt = dev.energy.programPulseTime;
  if (pe === null) assumptions.push('profile gives no programming pulse energy');
  return {
    label: 'estimate',
    tokens,
    perInference: { energy, breakdown: b, latency: latency * tokens, latencyBreakdown: lb, mvms: mvms * tokens },
    sites,
    programming: { pulses, energy: pe === null ? null : pulses * pe, time: pt === null ? null : busiest * pt },
    assumptions,
  };
}
