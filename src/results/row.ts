/**
 * One result row: one evaluation (or one measured artefact) with full provenance. Rows are appended
 * to reports/<experiment>/results.jsonl; reports are views rebuilt from rows alone.
 */

/** What a row records. */
export type RowKind =
  /** Paper protocol: metric with N(0, σ²) injected into the adapted Sites' deployed weights. */
  | 'noise'
  /** Hardware protocol: metric on a programmed chip at time t after programming. */
  | 'hardware'
  /** Learned adapter parameter histograms (γ, β, μ, σ) per Site, for distribution charts. */
  | 'params'
  /** Simulated device conductance histograms per profile and time. */
  | 'device';

export interface Histogram {
  /** Bin edges, length bins + 1. */
  edges: number[];
  counts: number[];
}

/**
 * A co-design sweep value: a periphery setting's number, string or boolean, or — for settings that
 * take one — null or an object (`calibration: null` vs `{ adcPercentile: 99.99 }`).
 */
export type SweepValue = number | string | boolean | null | { [key: string]: unknown };

/** A sweep value as text for keys, labels and chart axes (objects as compact JSON: `{adcPercentile:99.99}`). */
export function sweepValueLabel(v: SweepValue | undefined): string {
  if (v !== null && typeof v === 'object') return JSON.stringify(v).replace(/"/g, '');
  return String(v);
}

/**
 * Fractions of clipped DAC inputs (|x| above a fixed or calibrated range) and ADC outputs (above the
 * bound) over one hardware evaluation, pooled over the chip's Sites and per Site; null where the
 * periphery cannot clip (abs-max DAC, unbounded ADC) and nothing was counted.
 */
export interface ClipRates {
  dac: number | null;
  adc: number | null;
  perSite: Record<string, { dac: number | null; adc: number | null }>;
}

export interface ResultRow {
  /** Unique key of the evaluation within its experiment; a rerun skips keys already present with the same inputsHash. */
  key: string;
  /**
   * Hash of everything the row's value depends on (profile contents, periphery, Sites, seeds, model
   * and data hashes, the numerics version, the adapter's own key). A stored row whose inputsHash
   * differs from the plan's is stale and is recomputed.
   */
  inputsHash?: string;
  kind: RowKind;
  experiment: string;
  /** Hash of the experiment file's normalised content. */
  experimentHash: string;
  /** Method id (grasp, stochgrasp, grasp-weight, lora, …) and its display label. */
  method?: string;
  /** Id of the experiment's method entry this row evaluates (`methods[i].id`, default its method). */
  entryId?: string;
  /**
   * The profile whose σ_target trained the evaluated adapter, or null: an entry with `sigmaTarget.fromProfile`
   * trains one adapter per profile, and each is its own arm in comparisons (entry@profile).
   */
  targetProfile?: string | null;
  /** The experiment's baseline entry id (`compareTo`), or null when it names none. */
  compareTo?: string | null;
  methodLabel?: string;
  methodOptions?: Record<string, unknown>;
  trainableParams?: number;
  task?: string;
  /** Primary metric name and value, plus every metric computed. */
  metricName?: string;
  metric?: number;
  metrics?: Record<string, number>;
  profile?: string | null;
  /** Seconds after programming (hardware rows). */
  t?: number | null;
  /**
   * Hardware rows: the drift compensation mode (none, global, global-exact, column, column-exact).
   * Rows stored before the modes had names hold true (= global) or false (= none); read it with
   * `compensationOfRow`.
   */
  compensation?: string | boolean | null;
  /** Hardware rows of an experiment with `evaluation.hardware.scales`: the multipliers of the profile's noise scales (programming, drift, readNoise, variation). */
  scales?: Record<string, number> | null;
  /**
   * params rows of a noise-aware adapter: the σ_target it trained toward, in weight units — one number,
   * or one per Site (from a profile or relative to each Site's weight std). Absent otherwise.
   */
  sigmaTarget?: number | Record<string, number> | null;
  /** Injected Gaussian weight-noise σ (noise rows), in weight units. */
  noiseSigma?: number | null;
  /** Noise rows in weight units: the standard deviation of the deployed weights the noise perturbs, pooled over their elements (the robustness chart's σ/std axis). */
  weightStd?: number | null;
  /** Periphery settings and co-design sweep values of this evaluation. */
  periphery?: Record<string, unknown> | null;
  sweep?: Record<string, SweepValue> | null;
  /**
   * Hardware rows: clip rates over the evaluation set's forward passes (ClipRates). Rows of a
   * periphery that cannot clip have null rates.
   */
  clipRates?: ClipRates;
  /** Hardware rows with periphery.calibration: training-split examples the ranges were calibrated on (else null). */
  calibrationExamples?: number | null;
  /** Energy/latency/area estimate per inference (labelled as an estimate), when computed: totalJ, latencyS, areaM2 (the chip's Sites) and the energy by component (J). */
  energy?: Record<string, number> | null;
  /**
   * Seeds of this row: train (the adapter's training seed) always; noise rows add noise; hardware
   * rows add chip and read; device rows chip.
   */
  seeds?: Record<string, number>;
  /**
   * noise and hardware rows: the prediction per evaluation example (class index, or the score for
   * regression) and its label, both in evaluation-set order, so that methods can be compared paired
   * (same examples, same noise and chip seeds).
   */
  predictions?: number[];
  labels?: number[];
  /**
   * params rows: '*' (each parameter kind pooled over Sites) and each Site's name → parameter kind
   * (e.g. grasp_scale, stochgrasp_rho) → histogram. device rows: 'g=<level>' → conductance (µS).
   */
  histograms?: Record<string, Record<string, Histogram>>;
  /** Provenance. */
  backend?: string;
  version?: string;
  gitCommit?: string | null;
  timestamp?: string;
  durationMs?: number;
  /**
   * Where an evaluation row's time went, in ms: merge (the adapter folded into deployable weights; 0
   * when the worker had it cached), program (noise drawn and applied, or the chip programmed — 0 when
   * cached — read at t, calibrated when periphery.calibration is set, and attached), evaluate (the metric's forward passes).
   */
  phaseMs?: { merge: number; program: number; evaluate: number };
  [extra: string]: unknown;
}

/** A row's compensation mode by name: stored booleans read as true → 'global', false → 'none'; null when the row has none. */
export function compensationOfRow(r: Pick<ResultRow, 'compensation'>): string | null {
  const c = r.compensation;
  return c === true ? 'global' : c === false ? 'none' : typeof c === 'string' ? c : null;
}

/** A row's noise-scale point as a label (`drift×2, programming×0.5`), or null when it has none. */
export function scalesLabel(scales: Record<string, number> | null | undefined): string | null {
  if (!scales || Object.keys(scales).length === 0) return null;
  return Object.keys(scales).sort().map((k) => `${k}×${scales[k]}`).join(', ');
}
