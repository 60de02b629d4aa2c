/**
 * WAT source of the batched matrix product kernel (batch-matmul.ts): C[b] = A[b]·B[b] for row-major
 * float32 A [batch, m, k], B [batch, k, n], C [batch, m, n] at byte offsets a, b, c in the imported
 * memory; m % 4 = 0, n % 8 = 0. A tile is 4 rows × 8 columns of C in eight f32x4 accumulators
 * ($accRH: row R, half H); per step p of the inner dimension it loads B[p, j … j+7] as two vectors and
 * splats A[i+R, p] for each of the four rows. Assembled by wabt (scripts/write-kernels.ts).
 */
export const source = String.raw`
(module
  (import "env" "memory" (memory 1))
  (func (export "bmm")
    (param $a i32) (param $b i32) (param $c i32) (param $batch i32) (param $m i32) (param $k i32) (param $n i32)
    (local $bi i32) (local $i i32) (local $j i32) (local $p i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb i32)
    (local $k4 i32) (local $n4 i32) (local $t i32)
    (local $acc00 v128) (local $acc01 v128) (local $acc10 v128) (local $acc11 v128)
    (local $acc20 v128) (local $acc21 v128) (local $acc30 v128) (local $acc31 v128)
    (local $b0 v128) (local $b1 v128) (local $av v128)
    ;; row strides in bytes
    (local.set $k4 (i32.shl (local.get $k) (i32.const 2)))
    (local.set $n4 (i32.shl (local.get $n) (i32.const 2)))
    (local.set $bi (i32.const 0))
    (block $batches_done (loop $batches
      (br_if $batches_done (i32.ge_s (local.get $bi) (local.get $batch)))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $i) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $tiles_done (loop $tiles
          (br_if $tiles_done (i32.ge_s (local.get $j) (local.get $n)))
          (local.set $acc00 (v128.const i32x4 0 0 0 0)) (local.set $acc01 (v128.const i32x4 0 0 0 0))
          (local.set $acc10 (v128.const i32x4 0 0 0 0)) (local.set $acc11 (v128.const i32x4 0 0 0 0))
          (local.set $acc20 (v128.const i32x4 0 0 0 0)) (local.set $acc21 (v128.const i32x4 0 0 0 0))
          (local.set $acc30 (v128.const i32x4 0 0 0 0)) (local.set $acc31 (v128.const i32x4 0 0 0 0))
          ;; pa_R = &A[i + R, 0], pb = &B[0, j]
          (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $k4))))
          (local.set $pa1 (i32.add (local.get $pa0) (local.get $k4)))
          (local.set $pa2 (i32.add (local.get $pa1) (local.get $k4)))
          (local.set $pa3 (i32.add (local.get $pa2) (local.get $k4)))
          (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $p (i32.const 0))
          (block $inner_done (loop $inner
            (br_if $inner_done (i32.ge_s (local.get $p) (local.get $k)))
            (local.set $b0 (v128.load align=4 (local.get $pb)))
            (local.set $b1 (v128.load offset=16 align=4 (local.get $pb)))
            (local.set $av (v128.load32_splat (local.get $pa0)))
            (local.set $acc00 (f32x4.add (local.get $acc00) (f32x4.mul (local.get $av) (local.get $b0))))
            (local.set $acc01 (f32x4.add (local.get $acc01) (f32x4.mul (local.get $av) (local.get $b1))))
            (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
            (local.set $av (v128.load32_splat (local.get $pa1)))
            (local.set $acc10 (f32x4.add (local.get $acc10) (f32x4.mul (local.get $av) (local.get $b0))))
            (local.set $acc11 (f32x4.add (local.get $acc11) (f32x4.mul (local.get $av) (local.get $b1))))
            (local.set $pa1 (i32.add (local.get $pa1) (i32.const 4)))
            (local.set $av (v128.load32_splat (local.get $pa2)))
            (local.set $acc20 (f32x4.add (local.get $acc20) (f32x4.mul (local.get $av) (local.get $b0))))
            (local.set $acc21 (f32x4.add (local.get $acc21) (f32x4.mul (local.get $av) (local.get $b1))))
            (local.set $pa2 (i32.add (local.get $pa2) (i32.const 4)))
            (local.set $av (v128.load32_splat (local.get $pa3)))
            (local.set $acc30 (f32x4.add (local.get $acc30) (f32x4.mul (local.get $av) (local.get $b0))))
            (local.set $acc31 (f32x4.add (local.get $acc31) (f32x4.mul (local.get $av) (local.get $b1))))
            (local.set $pa3 (i32.add (local.get $pa3) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $n4)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $inner)))
          ;; t = &C[i, j]; the four rows of the tile, two vectors each
          (local.set $t (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $n4))) (i32.shl (local.get $j) (i32.const 2))))
          (v128.store align=4 (local.get $t) (local.get $acc00))
          (v128.store offset=16 align=4 (local.get $t) (local.get $acc01))
          (local.set $t (i32.add (local.get $t) (local.get $n4)))
          (v128.store align=4 (local.get $t) (local.get $acc10))
          (v128.store offset=16 align=4 (local.get $t) (local.get $acc11))
          (local.set $t (i32.add (local.get $t) (local.get $n4)))
          (v128.store align=4 (local.get $t) (local.get $acc20))
          (v128.store offset=16 align=4 (local.get $t) (local.get $acc21))
          (local.set $t (i32.add (local.get $t) (local.get $n4)))
          (v128.store align=4 (local.get $t) (local.get $acc30))
          (v128.store offset=16 align=4 (local.get $t) (local.get $acc31))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br $tiles)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
      ;; next matrix of the batch
      (local.set $a (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $k4))))
      (local.set $b (i32.add (local.get $b) (i32.mul (local.get $k) (local.get $n4))))
      (local.set $c (i32.add (local.get $c) (i32.mul (local.get $m) (local.get $n4))))
      (local.set $bi (i32.add (local.get $bi) (i32.const 1)))
      (br $batches)))))
`;
