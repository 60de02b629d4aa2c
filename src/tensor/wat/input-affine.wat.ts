/**
 * WAT source of GRASP's input-transform kernels (input-affine.ts), over rows of float32 [n, d]
 * (d % 4 = 0) four columns at a time; all pointers are byte offsets in the imported memory:
 *
 *   forward   out = x⊙a + c
 *   backward  dx = dh⊙a,  da = Σ_rows dh⊙x,  dc = Σ_rows dh
 *
 * $p walks the flat [n, d] arrays, $jb the column's byte offset in the [d] vectors. Assembled by
 * wabt (scripts/write-kernels.ts).
 */
export const source = String.raw`
(module
  (import "env" "memory" (memory 1))
  (func (export "forward")
    (param $x i32) (param $a i32) (param $c i32) (param $out i32) (param $n i32) (param $d i32)
    (local $row i32) (local $j i32) (local $p i32) (local $jb i32)
    (local.set $p (i32.const 0))
    (local.set $row (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $row) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_s (local.get $j) (local.get $d)))
        (local.set $jb (i32.shl (local.get $j) (i32.const 2)))
        ;; out = x⊙a + c
        (v128.store align=4 (i32.add (local.get $out) (local.get $p))
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $x) (local.get $p))) (v128.load align=4 (i32.add (local.get $a) (local.get $jb))))
            (v128.load align=4 (i32.add (local.get $c) (local.get $jb)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows))))

  (func (export "backward")
    (param $dh i32) (param $x i32) (param $a i32) (param $dx i32) (param $da i32) (param $dc i32) (param $n i32) (param $d i32)
    (local $row i32) (local $j i32) (local $p i32) (local $jb i32)
    (local $g v128)
    ;; da = dc = 0
    (local.set $j (i32.const 0))
    (block $zero_done (loop $zero
      (br_if $zero_done (i32.ge_s (local.get $j) (local.get $d)))
      (local.set $jb (i32.shl (local.get $j) (i32.const 2)))
      (v128.store align=4 (i32.add (local.get $da) (local.get $jb)) (v128.const i32x4 0 0 0 0))
      (v128.store align=4 (i32.add (local.get $dc) (local.get $jb)) (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $zero)))
    (local.set $p (i32.const 0))
    (local.set $row (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $row) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_s (local.get $j) (local.get $d)))
        (local.set $jb (i32.shl (local.get $j) (i32.const 2)))
        (local.set $g (v128.load align=4 (i32.add (local.get $dh) (local.get $p))))
        ;; dx = dh⊙a
        (v128.store align=4 (i32.add (local.get $dx) (local.get $p))
          (f32x4.mul (local.get $g) (v128.load align=4 (i32.add (local.get $a) (local.get $jb)))))
        ;; da += dh⊙x
        (v128.store align=4 (i32.add (local.get $da) (local.get $jb))
          (f32x4.add (v128.load align=4 (i32.add (local.get $da) (local.get $jb)))
            (f32x4.mul (local.get $g) (v128.load align=4 (i32.add (local.get $x) (local.get $p))))))
        ;; dc += dh
        (v128.store align=4 (i32.add (local.get $dc) (local.get $jb))
          (f32x4.add (v128.load align=4 (i32.add (local.get $dc) (local.get $jb))) (local.get $g)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows)))))
`;
