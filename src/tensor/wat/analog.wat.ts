/**
 * WAT source of the crossbar periphery kernels (crossbar/analog-kernels.ts), in variants chosen by flags and
 * exported by name; pointers are byte offsets in the imported memory. Both repeat the JavaScript
 * loops' float64 arithmetic (f64 scalars, f64x2 lanes, f32 ↔ f64 where JavaScript reads and writes
 * Float32Arrays, nearest-even rounding):
 *
 *   dac<Q><U><F>   rows r0 … r0 + nt − 1 of x [n, nIn]: a = max(max|x|, 1e-30) (F = 0, abs-max) or
 *                  a = max(range, 1e-30) (F = 1, a fixed or calibrated range), codes c = x·L/a, clipped
 *                  to ±L when F = 1 (rounded when Q = 1) → c [n, nt]; (a, Σ_i c_i²·u_i) as two f64 →
 *                  aa [n] × 16 bytes (the sum only when U = 1, else 0). Returns the number of clipped
 *                  inputs (|x·L/a| > L; always 0 when F = 0).
 *   adc<N><V><R>   y1 = y0 + clip(round(P + √(var + σ²_out)·z), ±bound)·a·k, two columns at a time,
 *                  for P, z, y0, y1 [n, d] float32, k [d]; noise term only when N = 1; var = ax·v
 *                  (V = rank1, v [d]), V (V = exact, v [n, d]) or 0 (V = none); rounding when R = 1.
 *                  Returns the number of clipped outputs (|round(…)| > bound, counted per f64x2 lane
 *                  in an i64x2 accumulator: a lane's comparison mask is −1 when it clips).
 *
 * Counting clips costs two comparisons per element pair (DAC: per element, fixed ranges only); the
 * kernels always count and the caller keeps the counts when clip rates are tracked.
 *
 * Assembled by wabt (scripts/write-kernels.ts); the JavaScript template only picks the variant's lines.
 */
const bit = (b: boolean) => (b ? 1 : 0);
const VARIANCES = ['none', 'rank1', 'exact'] as const;

/** The float at index $i of the row starting at byte `base`. */
const atI = (base: string) => `(i32.add (local.get $${base}) (i32.shl (local.get $i) (i32.const 2)))`;

const dac = (quantise: boolean, rowFactor: boolean, fixed: boolean) => `
  (func (export "dac${bit(quantise)}${bit(rowFactor)}${bit(fixed)}")
    (param $x i32) (param $nIn i32) (param $r0 i32) (param $n i32) (param $nt i32) (param $c i32) (param $aa i32) (param $u i32) (param $levels i32) (param $range f64)
    (result i32)
    (local $r i32) (local $i i32) (local $xb i32) (local $cb i32) (local $clipped i32)
    (local $amax f64) (local $scale f64) (local $v f64) (local $acc f64) (local $cf f64) (local $lf f64)
    (local.set $lf (f64.convert_i32_s (local.get $levels)))
    (local.set $r (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $r) (local.get $n)))
      ;; xb = &x[r, r0], cb = &c[r, 0]
      (local.set $xb (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $nIn)) (local.get $r0)) (i32.const 2))))
      (local.set $cb (i32.add (local.get $c) (i32.shl (i32.mul (local.get $r) (local.get $nt)) (i32.const 2))))
${fixed ? `      ;; amax = the fixed range, at least 1e-30
      (local.set $amax (local.get $range))
` : `      ;; amax = max |x| over the tile's inputs, at least 1e-30
      (local.set $amax (f64.const 0))
      (local.set $i (i32.const 0))
      (block $max_done (loop $max
        (br_if $max_done (i32.ge_s (local.get $i) (local.get $nt)))
        (local.set $v (f64.promote_f32 (f32.abs (f32.load ${atI('xb')}))))
        (local.set $amax (select (local.get $v) (local.get $amax) (f64.gt (local.get $v) (local.get $amax))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $max)))
`}      (local.set $amax (select (f64.const 1e-30) (local.get $amax) (f64.lt (local.get $amax) (f64.const 1e-30))))
      (f64.store (i32.add (local.get $aa) (i32.shl (local.get $r) (i32.const 4))) (local.get $amax))
      (local.set $scale (f64.div (local.get $lf) (local.get $amax)))
      (local.set $acc (f64.const 0))
      (local.set $i (i32.const 0))
      (block $codes_done (loop $codes
        (br_if $codes_done (i32.ge_s (local.get $i) (local.get $nt)))
        (local.set $v (f64.mul (f64.promote_f32 (f32.load ${atI('xb')})) (local.get $scale)))${fixed ? `
        ;; count |v| > L, then clip to ±L
        (local.set $clipped (i32.add (local.get $clipped) (i32.or (f64.gt (local.get $v) (local.get $lf)) (f64.lt (local.get $v) (f64.neg (local.get $lf))))))
        (local.set $v (f64.min (f64.max (local.get $v) (f64.neg (local.get $lf))) (local.get $lf)))` : ''}${quantise ? `
        (local.set $v (f64.nearest (local.get $v)))` : ''}
        (f32.store ${atI('cb')} (f32.demote_f64 (local.get $v)))${rowFactor ? `
        ;; acc += c²·u with c as stored (float32)
        (local.set $cf (f64.promote_f32 (f32.demote_f64 (local.get $v))))
        (local.set $acc (f64.add (local.get $acc) (f64.mul (f64.mul (local.get $cf) (local.get $cf)) (f64.promote_f32 (f32.load ${atI('u')})))))` : ''}
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $codes)))
      (f64.store offset=8 (i32.add (local.get $aa) (i32.shl (local.get $r) (i32.const 4))) (local.get $acc))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $clipped))
`;

/** Two float32 at byte `base` + `offset`, as f64x2. */
const two = (base: string, offset: string) => `(f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $${base}) (local.get $${offset}))))`;

const adc = (noisy: boolean, variance: (typeof VARIANCES)[number], round: boolean) => {
  const varianceTerm = { rank1: `(f64x2.add (f64x2.mul (local.get $ax) ${two('v', 'joff')}) (local.get $s2v))`, exact: `(f64x2.add ${two('v', 'off')} (local.get $s2v))`, none: '(local.get $s2v)' }[variance];
  return `
  (func (export "adc${bit(noisy)}${variance}${bit(round)}")
    (param $p i32) (param $z i32) (param $aa i32) (param $v i32) (param $k i32) (param $y0 i32) (param $y1 i32) (param $n i32) (param $d i32)
    (param $s2out f64) (param $bound f64) (param $nbound f64)
    (result i32)
    (local $r i32) (local $j i32) (local $off i32) (local $joff i32)
    (local $ar v128) (local $ax v128) (local $pv v128) (local $bnd v128) (local $nbnd v128) (local $s2v v128) (local $clipped v128)
    (local.set $bnd (f64x2.splat (local.get $bound)))
    (local.set $nbnd (f64x2.splat (local.get $nbound)))
    (local.set $s2v (f64x2.splat (local.get $s2out)))
    (local.set $off (i32.const 0))
    (local.set $r (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $r) (local.get $n)))
      ;; the row's (a, ax), splatted
      (local.set $ar (f64x2.splat (f64.load (i32.add (local.get $aa) (i32.shl (local.get $r) (i32.const 4))))))
      (local.set $ax (f64x2.splat (f64.load offset=8 (i32.add (local.get $aa) (i32.shl (local.get $r) (i32.const 4))))))
      (local.set $j (i32.const 0))
      (local.set $joff (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_s (local.get $j) (local.get $d)))
        (local.set $pv ${two('p', 'off')})${noisy ? `
        ;; pv += √(var + σ²_out)·z
        (local.set $pv (f64x2.add (local.get $pv) (f64x2.mul (f64x2.sqrt ${varianceTerm}) ${two('z', 'off')})))` : ''}${round ? `
        (local.set $pv (f64x2.nearest (local.get $pv)))` : ''}
        ;; clipped −= mask of the lanes with pv > bound or pv < −bound (−1 each), then clip
        (local.set $clipped (i64x2.sub (local.get $clipped) (v128.or (f64x2.gt (local.get $pv) (local.get $bnd)) (f64x2.lt (local.get $pv) (local.get $nbnd)))))
        (local.set $pv (f64x2.pmax (f64x2.pmin (local.get $pv) (local.get $bnd)) (local.get $nbnd)))
        ;; y1 = y0 + pv·a·k (two floats)
        (v128.store64_lane 0 (i32.add (local.get $y1) (local.get $off))
          (f32x4.demote_f64x2_zero (f64x2.add ${two('y0', 'off')} (f64x2.mul (f64x2.mul (local.get $pv) (local.get $ar)) ${two('k', 'joff')}))))
        (local.set $off (i32.add (local.get $off) (i32.const 8)))
        (local.set $joff (i32.add (local.get $joff) (i32.const 8)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $cols)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $clipped)) (i64x2.extract_lane 1 (local.get $clipped)))))
`;
};

const BOTH = [false, true];
export const source = `
(module
  (import "env" "memory" (memory 1))
${BOTH.flatMap((q) => BOTH.flatMap((u) => BOTH.map((f) => dac(q, u, f)))).join('')}
${BOTH.flatMap((n) => VARIANCES.flatMap((v) => BOTH.map((r) => adc(n, v, r)))).join('')})
`;
