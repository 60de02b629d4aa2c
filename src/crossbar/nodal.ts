/**
 * Exact IR drop: Kirchhoff's current law on a crossbar with resistive wires, solved as one sparse
 * symmetric positive-definite system (nodal analysis) by a banded Cholesky factorisation in float64.
 *
 * Circuit (conductances in units of the device's g_max, voltages in units of the full-scale input):
 *
 *   rows i = 0…n−1, physical columns j = 0…P−1, one device g_ij between row node R_ij and column
 *   node C_ij. Row i is driven at x_i from the j = 0 end through one row-wire segment G_r, and each
 *   further segment R_ij–R_i,j+1 is G_r (G_r = ∞: ideal rows, R_ij = x_i). Column j is read by a
 *   sense amplifier at virtual ground at the i = 0 end: C_0j–ground is one column-wire segment G_c,
 *   each further segment C_ij–C_i+1,j is G_c. The column's output is its current into the sense
 *   amplifier, I_j = G_c·V(C_0j). Row 0 is nearest the sense amplifier, as in aihwkit's position
 *   factor f_i = 1 − (1 − i/n)² (zero at row 0).
 *
 * The circuit is linear, so I = Tᵀx with a transfer matrix T [n, P] (T = g without wires). T is
 * computed by the adjoint: A·V = B·x, I_j = G_c·e_{C0j}ᵀA⁻¹B·x, so T[:, j] = G_c·Bᵀ·A⁻¹e_{C0j} (A
 * symmetric) — one solve per column after one factorisation. Pulse-width-modulated inputs (inactive
 * rows held at 0 V) integrate to the same charge, so T also holds for PWM.
 *
 * Cost: ideal rows decouple the columns into P tridiagonal n×n systems (O(n·P), any tile size). With
 * row wires the nodes are ordered (i, j, row/column), bandwidth 2P: factorisation ≈ n·P·(2P)² flops,
 * so that mode is for small tiles (`nodalCost` is checked against `NODAL_MAX_FLOPS`).
 *
 * Checked against SciPy's sparse solver (scripts/make_irdrop_fixtures.py → test/crossbar/fixtures/irdrop.json).
 */

/** A crossbar for the nodal solve. */
export interface NodalArray {
  rows: number;
  /** Physical columns (one device per row each). */
  cols: number;
  /** Device conductances g_ij, row-major [rows, cols], fractions of g_max (≥ 0). */
  g: ArrayLike<number>;
  /** Column-wire conductance per segment G_c (units of g_max), > 0 and finite. */
  colWire: number;
  /** Row-wire conductance per segment G_r (units of g_max); Infinity = ideal row drivers. */
  rowWire: number;
}

/** Largest flop count the 2-D (row-wire) solve accepts (≈ 10 s of JavaScript). */
export const NODAL_MAX_FLOPS = 2e10;

/** Approximate flops of `nodalTransfer` on an array. */
export function nodalCost(rows: number, cols: number, rowWire: number): number {
  if (!Number.isFinite(rowWire)) return 10 * rows * cols;
  const N = 2 * rows * cols;
  const bw = 2 * cols;
  return N * bw * bw + cols * 4 * N * bw;
}

function check(a: NodalArray): void {
  const { rows, cols, g, colWire, rowWire } = a;
  if (!(Number.isInteger(rows) && rows >= 1 && Number.isInteger(cols) && cols >= 1)) throw new Error(`nodal IR-drop solve: rows and cols must be integers ≥ 1, got ${rows}×${cols}`);
  if (g.length !== rows * cols) throw new Error(`nodal IR-drop solve: g has ${g.length} values, expected ${rows}×${cols}`);
  if (!(colWire > 0 && Number.isFinite(colWire))) throw new Error(`nodal IR-drop solve: column-wire conductance must be finite and > 0, got ${colWire}`);
  if (!(rowWire > 0)) throw new Error(`nodal IR-drop solve: row-wire conductance must be > 0 (Infinity for ideal rows), got ${rowWire}`);
  const flops = nodalCost(rows, cols, rowWire);
  if (flops > NODAL_MAX_FLOPS) {
    throw new Error(`nodal IR-drop solve: a ${rows}×${cols} array with row-wire resistance needs ≈ ${flops.toExponential(1)} flops (limit ${NODAL_MAX_FLOPS.toExponential(0)}); use smaller tiles, irDrop.rowWireResistance 0 (ideal rows, any size) or irDrop.model 'physical'`);
  }
}

/** Transfer matrix T [rows, cols] (row-major): column currents per unit input on each row. */
export function nodalTransfer(a: NodalArray): Float64Array {
  check(a);
  return Number.isFinite(a.rowWire) ? transfer2d(a) : transferIdealRows(a);
}

/** Column currents I = Tᵀx for one input vector x [rows]. */
export function nodalOutputs(a: NodalArray, x: ArrayLike<number>): Float64Array {
  if (x.length !== a.rows) throw new Error(`nodal IR-drop solve: x has ${x.length} values, expected ${a.rows}`);
  const T = nodalTransfer(a);
  const y = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) y[j] += T[i * a.cols + j] * x[i];
  return y;
}

/** Ideal rows: per column, the tridiagonal system solved by the Thomas algorithm. */
function transferIdealRows({ rows: n, cols: P, g, colWire: Gc }: NodalArray): Float64Array {
  const T = new Float64Array(n * P);
  const cp = new Float64Array(n);
  const w = new Float64Array(n);
  for (let j = 0; j < P; j++) {
    // A: diag_i = g_ij + Gc (segment toward the sense end) + Gc (toward i+1, if any); off-diagonals −Gc. Solve A·w = e_0.
    let prevC = 0;
    let prevD = 0;
    for (let i = 0; i < n; i++) {
      const diag = g[i * P + j] + Gc + (i < n - 1 ? Gc : 0);
      const m = diag - (i > 0 ? -Gc * prevC : 0);
      const c = i < n - 1 ? -Gc / m : 0;
      const d = ((i === 0 ? 1 : 0) - (i > 0 ? -Gc * prevD : 0)) / m;
      cp[i] = c;
      w[i] = d;
      prevC = c;
      prevD = d;
    }
    for (let i = n - 2; i >= 0; i--) w[i] -= cp[i] * w[i + 1];
    for (let i = 0; i < n; i++) T[i * P + j] = Gc * g[i * P + j] * w[i];
  }
  return T;
}

/** Row and column wires: the 2-D system, nodes (i, j, t) → 2(i·P + j) + t (t = 0 row node, 1 column node). */
function transfer2d({ rows: n, cols: P, g, colWire: Gc, rowWire: Gr }: NodalArray): Float64Array {
  const N = 2 * n * P;
  const bw = 2 * P;
  // lower band: L[k·(bw+1) + d] = A[k][k − d], d = 0…bw
  const W = bw + 1;
  const A = new Float64Array(N * W);
  const add = (r: number, c: number, v: number) => {
    // r ≥ c
    A[r * W + (r - c)] += v;
  };
  const link = (p: number, q: number, G: number) => {
    const [hi, lo] = p > q ? [p, q] : [q, p];
    add(p, p, G);
    add(q, q, G);
    add(hi, lo, -G);
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < P; j++) {
      const R = 2 * (i * P + j);
      const C = R + 1;
      link(R, C, g[i * P + j]);
      if (j === 0) add(R, R, Gr); // driver segment
      else link(R - 2, R, Gr);
      if (i === 0) add(C, C, Gc); // sense-amplifier segment
      else link(C - 2 * P, C, Gc);
    }
  }
  choleskyBanded(A, N, bw);
  const T = new Float64Array(n * P);
  const v = new Float64Array(N);
  for (let j = 0; j < P; j++) {
    v.fill(0);
    v[2 * j + 1] = 1; // e_{C0j}
    solveBanded(A, N, bw, v);
    for (let i = 0; i < n; i++) T[i * P + j] = Gc * Gr * v[2 * (i * P)]; // Bᵀv: the driver feeds R_i0 through G_r
  }
  return T;
}

/** In-place Cholesky A = L·Lᵀ of a symmetric positive-definite band matrix (lower band, width bw). */
function choleskyBanded(A: Float64Array, N: number, bw: number): void {
  const W = bw + 1;
  for (let k = 0; k < N; k++) {
    const kRow = k * W;
    let s = A[kRow];
    for (let d = 1; d <= Math.min(bw, k); d++) s -= A[kRow + d] ** 2;
    if (!(s > 0)) throw new Error(`nodal IR-drop solve: the system is not positive definite at node ${k} (is a conductance negative?)`);
    const lkk = Math.sqrt(s);
    A[kRow] = lkk;
    for (let r = k + 1; r <= Math.min(N - 1, k + bw); r++) {
      const rRow = r * W;
      // L[r][k] = (A[r][k] − Σ_m L[r][m]·L[k][m]) / L[k][k], m from max(r − bw, 0) to k − 1
      let t = A[rRow + (r - k)];
      const m0 = Math.max(r - bw, 0);
      for (let m = m0; m < k; m++) t -= A[rRow + (r - m)] * A[kRow + (k - m)];
      A[rRow + (r - k)] = t / lkk;
    }
  }
}

/** Solves L·Lᵀ·v = b in place (b in v). */
function solveBanded(L: Float64Array, N: number, bw: number, v: Float64Array): void {
  const W = bw + 1;
  for (let k = 0; k < N; k++) {
    let s = v[k];
    for (let d = 1; d <= Math.min(bw, k); d++) s -= L[k * W + d] * v[k - d];
    v[k] = s / L[k * W];
  }
  for (let k = N - 1; k >= 0; k--) {
    let s = v[k];
    for (let d = 1; d <= Math.min(bw, N - 1 - k); d++) s -= L[(k + d) * W + d] * v[k + d];
    v[k] = s / L[k * W];
  }
}
