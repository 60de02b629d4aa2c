/**
 * Static IR drop: the wires' effect on a tile's conductances at t, folded into the effective device
 * conductances before the MVM (so it costs nothing per MVM and every forward path sees it).
 *
 * Every physical column carries its own current: with the differential mapping both devices of a
 * pair conduct (g⁺ and g⁻ columns, each with its g_min floor), with the offset mapping every device
 * sits around g_ref = (1 + g_lo)/2 and the reference is subtracted digitally afterwards — so the
 * drop follows the total (common-mode) column current, not the conductance difference.
 *
 *   'physical'  analytic, per physical column of n rows (units of g_max, column wire G_w = gRatio):
 *                 h_i = Σ_j g_j·(min(i, j) + 1) / G_w          (first-order voltage at row i per unit
 *                                                               input: shared wire segments, row 0
 *                                                               next to the sense amplifier)
 *                 a   = n·Σ_j g_j / G_w                        (full-scale current × n segments)
 *                 g_i ← g_i·(1 − κ(a)·h_i),  κ(a) = c(a)/(a/2),  c(a) = a(a(0.05a − 0.2) + 0.5)
 *               h is exact to first order in 1/G_w for any conductances (for equal ones it is
 *               (a/2)·f_i, f_i = (i + 1)(2n − i)/n² → aihwkit's 1 − (1 − i/n)²); κ carries aihwkit's
 *               polynomial for the self-consistent reduction at larger a
 *               (ForwardBackwardPassIOManaged::applyIrDrop). The circuit is linear, so the drop does
 *               not depend on the input (PWM inputs integrate to the same charge). Checked against
 *               the nodal solve in test/crossbar/ir-drop.test.ts for 32–128 rows: error of the drop
 *               ≤ 0.5 % for a ≤ 0.25, ≤ 2.5 % for a ≤ 1.2, 5 % at a = 1.7, 8 % at a = 2, 140 % at
 *               a = 4 (the polynomial diverges); chip.at warns above A_VALID = 1.5.
 *   'exact'     the nodal solve of the tile (nodal.ts): g_eff = transfer matrix T, with row wires
 *               when rowWireResistance > 0 (pairs of physical columns interleaved along the rows).
 *   'aihwkit'   not here: aihwkit's input-dependent formula on Wn, per MVM (analog-linear.ts).
 *
 * `scale` multiplies the wire resistances (G_w ← G_w/scale), as IOParametersIRDropT.ir_drop does.
 * No random streams.
 */
import type { MappingScheme } from '../device/index.js';
import { nodalTransfer } from './nodal.js';
import type { Periphery } from './periphery.js';

/** Largest `a` for which the 'physical' model stays within 5 % of the nodal solve's drop. */
export const A_VALID = 1.5;

/** aihwkit's self-consistent drop polynomial c(a). */
export const dropPolynomial = (a: number): number => a * (a * (0.05 * a - 0.2) + 0.5);

/** Discrete position factor f_i of row i of n (0 at the sense amplifier end). */
export const positionFactor = (i: number, n: number): number => ((i + 1) * (2 * n - i)) / (n * n);

export interface StaticIrDropResult {
  /** Effective conductances, same layout as the state ([g⁺ (n); g⁻ (n)] or [g (n)]), fractions of g_max. */
  g: Float32Array;
  /** Largest column-current parameter a of the tile (the analytic model's validity measure). */
  aMax: number;
}

/**
 * The tile's effective conductances under the periphery's static IR-drop model (`state`: rows × cols
 * row-major per polarity; `colRatio`/`rowRatio`: wire-to-g_max conductance ratios before `scale`).
 */
export function staticIrDrop(state: Float32Array, nRows: number, nCols: number, scheme: MappingScheme, p: Periphery, colRatio: number, rowRatio: number): StaticIrDropResult {
  const ir = p.irDrop;
  if (!ir || ir.model === 'aihwkit') throw new Error(`staticIrDrop: periphery IR-drop model is ${ir ? `'${ir.model}' (per MVM)` : 'off'}`);
  const n = nRows * nCols;
  const polarities = scheme === 'differential' ? 2 : 1;
  const Gc = colRatio / ir.scale;
  const out = new Float32Array(state.length);
  let aMax = 0;
  for (let q = 0; q < polarities; q++) {
    for (let c = 0; c < nCols; c++) {
      let sum = 0;
      for (let r = 0; r < nRows; r++) sum += state[q * n + r * nCols + c];
      aMax = Math.max(aMax, (nRows * sum) / Gc);
    }
  }
  if (ir.model === 'physical') {
    for (let q = 0; q < polarities; q++) {
      for (let c = 0; c < nCols; c++) {
        let sum = 0;
        for (let r = 0; r < nRows; r++) sum += state[q * n + r * nCols + c];
        const a = (nRows * sum) / Gc;
        const kappa = a > 0 ? dropPolynomial(a) / (a / 2) : 1;
        // h_r·G_w = Σ_{j≤r} g_j(j + 1) + (r + 1)·Σ_{j>r} g_j, by one running sum
        let below = 0;
        let seen = 0;
        for (let r = 0, i = q * n + c; r < nRows; r++, i += nCols) {
          below += state[i] * (r + 1);
          seen += state[i];
          const h = (below + (r + 1) * (sum - seen)) / Gc;
          out[i] = state[i] * (1 - kappa * h);
        }
      }
    }
    return { g: out, aMax };
  }
  // exact: physical columns c·polarities + q (a pair's two columns side by side)
  const P = nCols * polarities;
  const g = new Float64Array(nRows * P);
  for (let q = 0; q < polarities; q++) {
    for (let r = 0; r < nRows; r++) for (let c = 0; c < nCols; c++) g[r * P + c * polarities + q] = state[q * n + r * nCols + c];
  }
  const T = nodalTransfer({ rows: nRows, cols: P, g, colWire: Gc, rowWire: rowRatio / ir.scale });
  for (let q = 0; q < polarities; q++) {
    for (let r = 0; r < nRows; r++) for (let c = 0; c < nCols; c++) out[q * n + r * nCols + c] = T[r * P + c * polarities + q];
  }
  return { g: out, aMax };
}
