/**
 * hil/: hardware in the loop — the chip-driver contract, the in-process simulator driver, the gRPC
 * server and client (proto/grasp_hil/chip/v1/chip.proto), the conformance suite, periphery-held
 * adapters (attachChip), chip-in-the-loop calibration (calibrateOnChip) and evaluation over chips.
 */
export { PROTOCOL_VERSION } from './driver.js';
export type { ChipDriver, ChipCapabilities, Matrix as ChipMatrix, MvmCall, ProgramReport, TileReadout, TargetUnits, ClockKind } from './driver.js';
export { HilError } from './errors.js';
export type { HilCode } from './errors.js';
export { SimulatorDriver, SIMULATOR_DRIVER } from './simulator.js';
export type { SimulatorOptions } from './simulator.js';
export { serveChip, isLoopback } from './server.js';
export { serveChipThreaded } from './server-thread.js';
export { serveSimulatorThreaded, SERVE_HEAP_MIB } from './simulator-thread.js';
export type { SimulatorThreadOptions } from './simulator-thread.js';
export type { ServeOptions, ChipServer } from './server.js';
export { GrpcChipDriver } from './client.js';
export type { ClientOptions } from './client.js';
export { PROTO_FILE } from './wire.js';
export { runConformance, CHECKS } from './conformance.js';
export type { ConformanceReport, ConformanceOptions, CheckResult, CheckStatus } from './conformance.js';
export { programMatrix, mvmMatrix } from './matrix.js';
export type { MatrixOnChip } from './matrix.js';
export { attachChip, swapAdapter } from './periphery-grasp.js';
export type { ChipAttachment, ChipAttachOptions, MvmCounts } from './periphery-grasp.js';
export { calibrateOnChip } from './calibrate.js';
export type { CalibrateSetup, CalibrateOptions, CalibrateResult } from './calibrate.js';
export { evaluateOverChips, evaluateOverDriver, metricWithCi, pairedMcNemar } from './chip-evaluate.js';
export type { ChipEvalOptions, ChipEvalResult } from './chip-evaluate.js';
export type { SyncChip } from './sync.js';
export { CountingChip } from './sync.js';
export { BlockingChipClient } from './blocking-client.js';
export { programMatrixSync, mvmMatrixSync } from './matrix.js';
export { tileReadouts, compensationFactors as driftCompensationFactors } from './drift-compensation.js';
export { programSites, at as chipAt, attachSites } from './model-on-chip.js';
export type { ModelOnChip, AttachSitesOptions } from './model-on-chip.js';
export { sharedInputGroups, SHARED_INPUT_ROLES } from './shared-inputs.js';
