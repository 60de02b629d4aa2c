/**
 * `grasp-hil/crossbar` — a model's Sites on simulated tiles: `Chip.program(weights, profile,
 * periphery, seeds)`, `chip.at(t, { compensation })`, `attach(model)`; the periphery (DAC/ADC,
 * IR drop, slicing), σ_target from a profile, chip error per Site, energy estimate.
 */
export { Chip, ChipState, AnalogLinear, weightsOfSites } from '../crossbar/index.js';
export type { ChipSeeds, ChipSummary, AtOptions, ProgramOptions, Seed } from '../crossbar/index.js';
export { resolvePeriphery, PERIPHERY_PRESETS, COMPENSATION_MODES, IR_DROP_MODELS } from '../crossbar/index.js';
export type { Periphery, PeripheryOptions, CompensationMode, IrDropModel, CalibrationOptions } from '../crossbar/index.js';
export { sigmaTargetFromProfile, relativeSigmaTarget, siteError } from '../crossbar/index.js';
export type { SigmaTargetOptions, SigmaTargetResult, SiteError } from '../crossbar/index.js';
export { estimateEnergy, characterise } from '../crossbar/index.js';
export type { EnergyOptions, EnergyEstimate, EnergyBreakdown, Characterisation, CharacteriseOptions } from '../crossbar/index.js';
