/**
 * crossbar/: weights ↔ conductances, tiling, programming, variation, faults, drift, read noise,
 * DAC/ADC and IR drop, drift compensation, Chip and AnalogLinear, σ_target, energy/latency/area estimate.
 * Sees only weight matrices and Site names, never PEFT adapters.
 */
export { TileGrid, checkTileShape, gatherTile, scatterTile } from './tiles.js';
export type { Tile, TileShape } from './tiles.js';
export { mapTile, conductanceDifference, referenceConductance, devicesPerWeight } from './mapping.js';
export type { ScaleGranularity, TileTargets } from './mapping.js';
export { programDevices } from './program.js';
export type { ProgrammedBlock, ProgramStreams } from './program.js';
export { applyVariation, variationFactors } from './variation.js';
export { PulseHistogram, chipPulseHistogram, programmingCost } from './pulses.js';
export type { PulseStats, ProgrammingCost } from './pulses.js';
export { drawFaults, applyFaults, NO_FAULTS } from './faults.js';
export type { Faults } from './faults.js';
export { stateAt } from './drift.js';
export { readVariance, rankOne } from './readnoise.js';
export { resolvePeriphery, PERIPHERY_PRESETS, DEFAULT_ENERGY, COMPENSATION_MODES, IR_DROP_MODELS, levelsOf, needsTilePartialSums, perMvmIrDrop } from './periphery.js';
export type { Periphery, PeripheryOptions, PeripheryEnergy, PeripheryExecution, CompensationMode, ReadNoiseMode, IrDropModel } from './periphery.js';
export { columnReadout, compensationFactors, compensationMode, READOUT_FLOOR } from './compensation.js';
export { Chip, resolveSeeds, irDropRatio, irDropRowRatio } from './chip.js';
export { staticIrDrop, dropPolynomial, positionFactor, A_VALID } from './ir-drop.js';
export type { StaticIrDropResult } from './ir-drop.js';
export { nodalTransfer, nodalOutputs, nodalCost, NODAL_MAX_FLOPS } from './nodal.js';
export type { NodalArray } from './nodal.js';
export type { ChipSeeds, ResolvedSeeds, Seed, ChipSummary, SiteSlices, AtOptions, ProgramOptions, SiteDevices, TileDevices } from './chip.js';
export { ChipState } from './state.js';
export type { SiteState, SiteSource, ReadBackOptions, ClipRates } from './state.js';
export { AnalogLinear } from './analog-linear.js';
export type { ClipCounts } from './analog-linear.js';
export { SlicedLinear } from './sliced-linear.js';
export type { AnalogLayer } from './sliced-linear.js';
export { sliceWeights, sliceName, checkSlicing } from './slicing.js';
export { absPercentile, resolveCalibration, CALIBRATION_DAC_SOURCES } from './calibration.js';
export type { CalibrationOptions, Calibration, CalibrationDac, CalibratedRanges } from './calibration.js';
export type { WeightSlicing, SlicedWeights } from './slicing.js';
export { sigmaTargetFromProfile, relativeSigmaTarget } from './sigma-target.js';
export type { SigmaTargetOptions, SigmaTargetResult, ErrorPart, ErrorSource } from './sigma-target.js';
export { siteError, splitStatic, probeInputs, binsFor, ERROR_BINS } from './chip-error.js';
export type { SiteError } from './chip-error.js';
export { estimateEnergy, ENERGY_COMPONENTS, LATENCY_COMPONENTS } from './energy.js';
export type { EnergyOptions, EnergyEstimate, EnergyBreakdown, LatencyBreakdown, SiteEnergy } from './energy.js';
export { cellAreaOf, estimateArea, tileArea, AREA_COMPONENTS } from './area.js';
export type { AreaEstimate, AreaBreakdown, CellArea, CellAreaOrigin, SiteArea } from './area.js';
export { estimateCost, costParameters } from './cost.js';
export type { CostEstimate, CostParameter } from './cost.js';
export { DEFAULT_AREA, COST_SOURCES, ENERGY_ORIGIN, AREA_ORIGIN } from './cost-parameters.js';
export type { PeripheryArea, CostSource, ParameterOrigin } from './cost-parameters.js';
export { characterise, deviceStats, meanStd } from './characterise.js';
export type { Characterisation, CharacteriseOptions, DeviceStats, MeanStd } from './characterise.js';
export { weightsOfSites } from './sites.js';
