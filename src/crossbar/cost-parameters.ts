/**
 * The parameters of the energy, latency and area estimate (energy.ts, area.ts), their defaults and
 * where each default comes from. Every parameter carries a source and a `verified` flag: verified
 * means the value was read in the cited source (or derived from its formulas, as the note says);
 * unverified values are placeholders that the estimate lists as assumptions in its output.
 *
 * Units: energy J, time s, lengths m; areas of the periphery blocks in F² (squared feature size),
 * so the whole area scales with `featureSize`² as NeuroSim's layout rules do.
 *
 * NeuroSim unit areas (DNN_NeuroSim_V2.1, NeuroSIM/formula.cpp CalculateGateArea with constant.h,
 * bulk node ≥ 22 nm, standard-cell height MAX_TRANSISTOR_HEIGHT = 28 F, no folding):
 *   minimum inverter (one transistor per polarity, 2 F wide)  7.6 F × 28 F = 212.8 F²
 *   2-input NAND (shared diffusion)                            11.4 F × 28 F = 319.2 F²
 *   DFF (DFF.cpp: 12 minimum inverters)                        2553.6 F²
 *   1-bit adder (Adder.cpp: 9 NAND2)                           2872.8 F²
 *   SAR ADC of b bits (SarADC.cpp: (269 + 109(b−1)) NMOS + (209 + 73(b−1)) PMOS, each 212.8 F²)
 *     = 101 718.4 F² + 38 729.6 F²·(b − 1)
 */

/** Energy and timing parameters of the periphery (SI units). */
export interface PeripheryEnergy {
  /** ADC Walden figure of merit (J per conversion step): E = fom·2^bits per conversion. */
  adcFom: number;
  /** Time per ADC conversion (s). */
  adcTime: number;
  /** Columns sharing one ADC (column multiplexing). */
  columnsPerAdc: number;
  /** DAC / PWM driver energy per level (J): E = dacUnit·2^bits per input conversion. */
  dacUnit: number;
  /** Time of the DAC settling (s), added to the read integration time. */
  dacTime: number;
  /** Row (word-line) driver energy per active row per MVM (J). */
  rowDriver: number;
  /** Digital add (J per operation), for partial sums across row tiles and the bias. */
  digitalAdd: number;
  /** Digital multiply (J per operation), for output scaling. */
  digitalMul: number;
  /** Time of one digital accumulation stage (s). */
  digitalTime: number;
}

/** Area parameters of one tile's blocks: F in metres, the rest in F². */
export interface PeripheryArea {
  /** Feature size F (m): every area below is in units of F². */
  featureSize: number;
  /** Area of one device (one polarity) in F². */
  cellArea: number;
  /** Word-line driver and input DAC/PWM per row, in F². */
  rowDriverArea: number;
  /** SAR ADC area at 1 bit, in F²: A(b) = adcAreaBase + adcAreaPerBit·(b − 1). */
  adcAreaBase: number;
  /** SAR ADC area per extra bit, in F². */
  adcAreaPerBit: number;
  /** Shift-and-add (adder + register) per accumulator bit, in F². */
  shiftAddAreaPerBit: number;
  /** One bit of the tile's input/output buffer (SRAM cell), in F². */
  bufferBitArea: number;
}

/** A cited work a parameter comes from. */
export interface CostSource {
  id: string;
  title: string;
  url?: string;
}

/** Where one parameter's default comes from. */
export interface ParameterOrigin {
  source: string;
  verified: boolean;
  note?: string;
}

export const COST_SOURCES: readonly CostSource[] = [
  {
    id: 'neurosim-v2.1',
    title: "NeuroSim DNN_NeuroSim_V2.1 (Peng, Huang, Jiang, Lu, Yu, IEEE TCAD 2021), NeuroSIM/Param.cpp, formula.cpp, constant.h, SarADC.cpp, Adder.cpp, DFF.cpp",
    url: 'https://github.com/neurosim/DNN_NeuroSim_V2.1',
  },
  {
    id: 'horowitz2014',
    title: "M. Horowitz, 'Computing's energy problem (and what we can do about it)', ISSCC 2014: energy per operation at 45 nm, 0.9 V",
    url: 'https://doi.org/10.1109/ISSCC.2014.6757323',
  },
  {
    id: 'walden-fom',
    title: "Walden figure of merit P/(2^ENOB·f_s): B. Murmann, ADC Performance Survey (ISSCC and VLSI 1997–2026), its state-of-the-art envelope 0.67 fJ·√(1 + (f_snyq/442 MHz)²) as fitted by cbadc (src/cbadc/fom.py, MurmannSurvey), and B. E. Jonsson's survey updates (converterpassion.wordpress.com, 2011–2013)",
    url: 'https://github.com/bmurmann/ADC-survey',
  },
  { id: 'placeholder', title: 'grasp-hil placeholder: an order-of-magnitude estimate, not read in a source' },
];

/**
 * Default energy parameters. Of these, columnsPerAdc, digitalAdd, digitalMul and digitalTime are
 * read in their sources; the ADC, DAC and row-driver values are placeholders (see ENERGY_ORIGIN).
 */
export const DEFAULT_ENERGY: Readonly<PeripheryEnergy> = {
  adcFom: 20e-15,
  adcTime: 1e-9,
  columnsPerAdc: 8,
  dacUnit: 1e-15,
  dacTime: 1e-9,
  rowDriver: 50e-15,
  digitalAdd: 0.9e-12,
  digitalMul: 3.7e-12,
  digitalTime: 1e-9,
};

export const ENERGY_ORIGIN: Readonly<Record<keyof PeripheryEnergy, ParameterOrigin>> = {
  adcFom: {
    source: 'walden-fom', verified: false,
    note: "20 fJ/step is ≈ 12× the survey's state-of-the-art envelope at 1 GS/s (0.67·√(1 + (1e9/4.42e8)²) = 1.66 fJ/step) and about twice the 9.7 fJ of a 250 MS/s SAR in Jonsson's 2012 update: a typical rather than a record design, a choice not read in the survey table. Murmann's notes: the energy quadruples per bit where thermal noise limits and plateaus at low resolution, so 2^bits is itself a simplification. NeuroSim's 6-bit SAR model at 32 nm gives ≈ 96 fJ per conversion (≈ 1.5 fJ/step)",
  },
  adcTime: { source: 'placeholder', verified: false, note: "NeuroSim's SAR ADC takes (b + 1)·1 ns per conversion (SarADC.cpp CalculateLatency); here one value for every b" },
  columnsPerAdc: { source: 'neurosim-v2.1', verified: true, note: 'Param.cpp numColMuxed = 8' },
  dacUnit: { source: 'placeholder', verified: false },
  dacTime: { source: 'placeholder', verified: false },
  rowDriver: { source: 'placeholder', verified: false },
  digitalAdd: { source: 'horowitz2014', verified: true, note: '32-bit float add 0.9 pJ (45 nm)' },
  digitalMul: { source: 'horowitz2014', verified: true, note: '32-bit float multiply 3.7 pJ (45 nm)' },
  digitalTime: { source: 'neurosim-v2.1', verified: true, note: 'one accumulation stage per clock of Param.cpp clkFreq = 1 GHz' },
};

/** NeuroSim V2.1's defaults where it has them (32 nm node, 1T1R cells, SAR ADC, SRAM buffers). */
export const DEFAULT_AREA: Readonly<PeripheryArea> = {
  featureSize: 32e-9,
  cellArea: 16,
  rowDriverArea: 2979.2,
  adcAreaBase: 101_718.4,
  adcAreaPerBit: 38_729.6,
  shiftAddAreaPerBit: 5426.4,
  bufferBitArea: 160,
};

export const AREA_ORIGIN: Readonly<Record<keyof PeripheryArea, ParameterOrigin>> = {
  featureSize: { source: 'neurosim-v2.1', verified: true, note: 'Param.cpp technode = 32 (its featuresize = 40 nm is the sub-array wire width; one F is used here for cells and periphery)' },
  cellArea: { source: 'neurosim-v2.1', verified: true, note: 'Param.cpp 1T1R cell heightInFeatureSize1T1R × widthInFeatureSize1T1R = 4 × 4 F²' },
  rowDriverArea: { source: 'placeholder', verified: false, note: "a DFF and two transmission gates per row (14 minimum inverters × 212.8 F²), shaped after NeuroSim's switch matrix; not checked against SwitchMatrix.cpp" },
  adcAreaBase: { source: 'neurosim-v2.1', verified: true, note: 'derived: SarADC.cpp transistor counts at b = 1 (269 NMOS + 209 PMOS) × 212.8 F² (formula.cpp, constant.h)' },
  adcAreaPerBit: { source: 'neurosim-v2.1', verified: true, note: 'derived: SarADC.cpp (109 NMOS + 73 PMOS) per bit × 212.8 F²' },
  shiftAddAreaPerBit: { source: 'neurosim-v2.1', verified: true, note: 'derived: Adder.cpp 9 NAND2 (319.2 F² each) + DFF.cpp 12 inverters (212.8 F² each) per bit' },
  bufferBitArea: { source: 'neurosim-v2.1', verified: true, note: "Param.cpp SRAM cell 8 × 20 F² (its suggestion for nodes above 22 nm: 160 F²)" },
};

/** Units of the parameters, for printing. */
export const ENERGY_UNITS: Readonly<Record<keyof PeripheryEnergy, string>> = {
  adcFom: 'J/step', adcTime: 's', columnsPerAdc: 'columns', dacUnit: 'J/level', dacTime: 's', rowDriver: 'J', digitalAdd: 'J', digitalMul: 'J', digitalTime: 's',
};
export const AREA_UNITS: Readonly<Record<keyof PeripheryArea, string>> = {
  featureSize: 'm', cellArea: 'F²', rowDriverArea: 'F²', adcAreaBase: 'F²', adcAreaPerBit: 'F²', shiftAddAreaPerBit: 'F²', bufferBitArea: 'F²',
};
