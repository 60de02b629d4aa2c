/**
 * `grasp-hil/hil` — hardware in the loop: the chip-driver contract, the in-process simulator, the
 * gRPC server and client, the conformance suite, periphery-held adapters, chip-in-the-loop calibration
 * and evaluation over chips with confidence intervals.
 */
export { SimulatorDriver, serveChip, serveChipThreaded, GrpcChipDriver, runConformance, HilError, PROTOCOL_VERSION, PROTO_FILE } from '../hil/index.js';
export type { ChipDriver, ChipCapabilities, SimulatorOptions, ServeOptions, ChipServer, ClientOptions, ConformanceReport } from '../hil/index.js';
export { attachChip, swapAdapter, calibrateOnChip, evaluateOverChips } from '../hil/index.js';
export type { ChipAttachment, ChipAttachOptions, CalibrateSetup, CalibrateOptions, CalibrateResult, ChipEvalOptions, ChipEvalResult } from '../hil/index.js';
