/**
 * WAT source of StochGRASP's local-reparameterisation kernels (local-noise.ts), four float32 columns
 * per f32x4; pointers are byte offsets in the imported memory, d the row width (d % 4 = 0, d % 16 = 0
 * with noise). Exported in variants (`_mean` without the noise term, `_noise` with it; `_plus` adds
 * the bias in `forward`, the layer's own input gradient dh in `inputGrad`):
 *
 *   forward_*    out = y [+ b] + s₁⊗μ̂ [+ ξ⊙(s₂⊗σ̂)], drawing ξ in the kernel and writing it to xi
 *   backward_*   dμ̂ = s₁ᵀ·dy, r₁ = dy·μ̂ᵀ [and g = dy⊙ξ: dσ̂ = s₂ᵀ·g, r₂ = g·σ̂ᵀ]
 *   inputGrad_*  dx = [dh +] r₁ [+ x⊙(r₂/s₂)]
 *   rowStats     s₁ = Σ_j x_j, s₂ = √(Σ_j x_j² + 1e-20) per row
 *   fill         blocks 0 … 2·pairs − 1 of the keyed normal stream (8 normals each) into out
 *
 * The noise: element n·d + j of the keyed stream of random.ts (`keyedWord`, then `boxMuller`), four
 * lanes at a time with the same float32 operations; the constants are random.ts's KEYED. One block of
 * 8 columns draws the four words of counters pv and gives z0 (r·cos, columns +0 … +3) and z1 (r·sin,
 * +4 … +7). Two blocks (suffixes _a, _b; 16 columns) are drawn together, their statements interleaved:
 * two independent dependency chains, ≈ 20 % faster than one block at a time.
 *
 * Assembled by wabt (scripts/write-kernels.ts); the JavaScript template only spells out the variants,
 * the interleaving and the Horner polynomials.
 */
import { KEYED } from '../random.js';

const BOTH = [false, true];
const variant = (base: string, noisy: boolean, extra = false) => `${base}_${noisy ? 'noise' : 'mean'}${extra ? '_plus' : ''}`;

const f32x4 = (v: number) => { const s = String(Math.fround(v)); return `(v128.const f32x4 ${s} ${s} ${s} ${s})`; };
const i32x4 = (v: number) => { const s = v >= 0 && v < 256 ? String(v) : `0x${(v >>> 0).toString(16)}`; return `(v128.const i32x4 ${s} ${s} ${s} ${s})`; };
/** c₀·x^k + … + c_{k−1}·x + 1 by Horner's rule, as nested f32x4 operations. */
const horner = (coefs: readonly number[], x: string) =>
  `(f32x4.add (f32x4.mul ${coefs.slice(1).reduce((acc, c) => `(f32x4.add (f32x4.mul ${acc} (local.get ${x})) ${f32x4(c)})`, f32x4(coefs[0]))} (local.get ${x})) ${f32x4(1)})`;

/** The v128 locals of one block; the key words $key1, $key2 are shared. */
const BLOCK = ['pv', 'h', 'm', 'e', 's', 's2', 'p', 'r', 'lo', 'phi', 'mask', 'sn', 'cs', 'z0', 'z1'];
/** Declarations of the two blocks' locals (block a's with the key words after its counters). */
const noiseLocals = () => [
  '(local $pv_a v128) (local $key1 v128) (local $key2 v128)',
  BLOCK.slice(1).map((n) => `(local $${n}_a v128)`).join(' '),
  BLOCK.map((n) => `(local $${n}_b v128)`).join(' '),
].join('\n    ');

/** The statements drawing block `x`'s normals into $z0_x, $z1_x, then advancing its counters by `step`. */
function noiseStatements(x: 'a' | 'b', step: number): string[] {
  const l = (n: string) => `$${n}_${x}`;
  const get = (n: string) => `(local.get ${l(n)})`;
  const xorShr = (n: number) => `(v128.xor ${get('h')} (i32x4.shr_u ${get('h')} (i32.const ${n})))`;
  const SIGN = i32x4(0x80000000);
  return [
    // keyedWord: triple32 of c ⊕ k₁, with k₂ after the first round
    `(local.set ${l('h')} (v128.xor ${get('pv')} (local.get $key1)))`,
    `(local.set ${l('h')} (i32x4.mul ${xorShr(17)} ${i32x4(KEYED.m1)}))`,
    `(local.set ${l('h')} (i32x4.mul (v128.xor ${xorShr(11)} (local.get $key2)) ${i32x4(KEYED.m2)}))`,
    `(local.set ${l('h')} (i32x4.mul ${xorShr(15)} ${i32x4(KEYED.m3)}))`,
    `(local.set ${l('h')} ${xorShr(14)})`,
    // radius: u₁ = (h >>> 12) + ½ = m·2^e (m ∈ [√½, √2)), ln u₁ − 20 ln 2 = (e − 20)·ln 2 + ln m
    `(local.set ${l('m')} (f32x4.add (f32x4.convert_i32x4_s (i32x4.shr_u ${get('h')} (i32.const 12))) ${f32x4(0.5)}))`,
    `(local.set ${l('e')} (i32x4.sub (i32x4.shr_u ${get('m')} (i32.const 23)) ${i32x4(147)}))`,
    `(local.set ${l('m')} (v128.or (v128.and ${get('m')} ${i32x4(0x7fffff)}) ${i32x4(0x3f800000)}))`,
    `(local.set ${l('mask')} (f32x4.gt ${get('m')} ${f32x4(KEYED.sqrt2)}))`,
    `(local.set ${l('m')} (v128.bitselect (f32x4.mul ${get('m')} ${f32x4(0.5)}) ${get('m')} ${get('mask')}))`,
    `(local.set ${l('e')} (i32x4.sub ${get('e')} ${get('mask')}))`,
    // ln m = 2s·(1 + s²/3 + s⁴/5 + …), s = (m − 1)/(m + 1)
    `(local.set ${l('s')} (f32x4.div (f32x4.sub ${get('m')} ${f32x4(1)}) (f32x4.add ${get('m')} ${f32x4(1)})))`,
    `(local.set ${l('s2')} (f32x4.mul ${get('s')} ${get('s')}))`,
    `(local.set ${l('p')} ${horner(KEYED.log, l('s2'))})`,
    `(local.set ${l('r')} (f32x4.sqrt (f32x4.mul (f32x4.add (f32x4.mul (f32x4.convert_i32x4_s ${get('e')}) ${f32x4(KEYED.ln2)}) (f32x4.mul (f32x4.add ${get('s')} ${get('s')}) ${get('p')})) ${f32x4(-2)})))`,
    // angle: quadrant from bits 10–11, sin and cos of the quarter-turn φ = ((h & 0x3ff) + ½)·π/2048
    `(local.set ${l('lo')} (v128.and ${get('h')} ${i32x4(0xfff)}))`,
    `(local.set ${l('phi')} (f32x4.mul (f32x4.add (f32x4.convert_i32x4_s (v128.and ${get('lo')} ${i32x4(0x3ff)})) ${f32x4(0.5)}) ${f32x4(KEYED.angle)}))`,
    `(local.set ${l('s2')} (f32x4.mul ${get('phi')} ${get('phi')}))`,
    `(local.set ${l('sn')} (f32x4.mul ${horner(KEYED.sin, l('s2'))} ${get('phi')}))`,
    `(local.set ${l('cs')} ${horner(KEYED.cos, l('s2'))})`,
    `(local.set ${l('mask')} (i32x4.shr_s (i32x4.shl ${get('lo')} (i32.const 21)) (i32.const 31)))`,
    // z0 = r·(±(swap ? sin : cos)), negative in quadrants 1, 2; z1 = r·(±(swap ? cos : sin)), negative in 2, 3
    `(local.set ${l('z0')} (f32x4.mul (v128.xor (v128.bitselect ${get('sn')} ${get('cs')} ${get('mask')}) (v128.and (v128.xor (i32x4.shl ${get('lo')} (i32.const 21)) (i32x4.shl ${get('lo')} (i32.const 20))) ${SIGN})) ${get('r')}))`,
    `(local.set ${l('z1')} (f32x4.mul (v128.xor (v128.bitselect ${get('cs')} ${get('sn')} ${get('mask')}) (v128.and (i32x4.shl ${get('lo')} (i32.const 20)) ${SIGN})) ${get('r')}))`,
    `(local.set ${l('pv')} (i32x4.add ${get('pv')} ${i32x4(step)}))`,
  ];
}

/** Both blocks' statements, interleaved statement by statement. */
function noisePairs(indent: string): string {
  const a = noiseStatements('a', 8), b = noiseStatements('b', 8);
  return a.flatMap((st, i) => [st, b[i]]).map((st) => `${indent}${st}`).join('\n');
}

const keySetup = `
    (local.set $key1 (i32x4.splat (local.get $k1)))
    (local.set $key2 (i32x4.splat (local.get $k2)))`;

/** f32 at index `index` of the [n] vector at `base`. */
const atRow = (base: string, index: string) => `(i32.add (local.get $${base}) (i32.shl (local.get $${index}) (i32.const 2)))`;
const at = (base: string, offset: string) => `(i32.add (local.get $${base}) (local.get $${offset}))`;
const load = (base: string, offset: string) => `(v128.load align=4 ${at(base, offset)})`;
const ZERO = '(v128.const i32x4 0 0 0 0)';
const laneSum = (v: string) =>
  `(f32.add (f32.add (f32.add (f32x4.extract_lane 0 (local.get $${v})) (f32x4.extract_lane 1 (local.get $${v}))) (f32x4.extract_lane 2 (local.get $${v}))) (f32x4.extract_lane 3 (local.get $${v})))`;

/** A counted loop: `while (counter < limit) { body }`; the body advances the counter. */
const loop = (label: string, counter: string, limit: string, body: string, indent: string) => `
${indent}(block $${label}_done (loop $${label}
${indent}  (br_if $${label}_done (i32.ge_s (local.get $${counter}) (local.get $${limit})))${body}
${indent}  (br $${label})))`;

/**
 * The column loop of forward/backward: `four(z)` handles the four columns at $j (byte offset $jb,
 * flat byte offset $p = $rowoff + $jb); with noise 16 columns per turn — the two blocks' draws, then
 * z0, z1 of block a and z0, z1 of block b to the four groups of four columns.
 */
function columnLoop(noisy: boolean, body: (z: string | null) => string, indent: string): string {
  const four = (z: string | null) => `
${indent}  (local.set $jb (i32.shl (local.get $j) (i32.const 2)))
${indent}  (local.set $p (i32.add (local.get $rowoff) (local.get $jb)))${body(z)}
${indent}  (local.set $j (i32.add (local.get $j) (i32.const 4)))`;
  const step = noisy ? `\n${noisePairs(`${indent}  `)}${['z0_a', 'z1_a', 'z0_b', 'z1_b'].map(four).join('')}` : four(null);
  return `
${indent}(local.set $j (i32.const 0))${loop('cols', 'j', 'd', step, indent)}`;
}

const forward = (noisy: boolean, biased: boolean) => {
  const I = '          ';
  const body = (z: string | null) => `${z ? `
${I}(v128.store align=4 ${at('xi', 'p')} (local.get $${z}))` : ''}
${I}(v128.store align=4 ${at('out', 'p')}
${I}  ${z ? '(f32x4.add ' : ''}(f32x4.add ${biased ? `(f32x4.add ${load('y', 'p')} ${load('b', 'jb')})` : load('y', 'p')} (f32x4.mul (local.get $a) ${load('mu', 'jb')}))${z ? `
${I}    (f32x4.mul (f32x4.mul (local.get $${z}) (local.get $bb)) ${load('sg', 'jb')}))` : ''})`;
  const rowSetup = noisy ? `
      (local.set $bb (f32x4.splat (f32.load ${atRow('s2', 'row')})))
      ;; counters of the row's first two blocks: row·d/2 + [0 1 2 3], + 4
      (local.set $pv_a (i32x4.add (i32x4.splat (i32.shr_u (i32.mul (local.get $row) (local.get $d)) (i32.const 1))) (v128.const i32x4 0 1 2 3)))
      (local.set $pv_b (i32x4.add (local.get $pv_a) ${i32x4(4)}))` : '';
  const rows = `
      (local.set $a (f32x4.splat (f32.load ${atRow('s1', 'row')})))${rowSetup}
      (local.set $rowoff (i32.mul (local.get $row) (local.get $d4)))${columnLoop(noisy, body, '      ')}
      (local.set $row (i32.add (local.get $row) (i32.const 1)))`;
  return `
  (func (export "${variant('forward', noisy, biased)}")
    (param $y i32) (param $b i32) (param $s1 i32) (param $s2 i32) (param $mu i32) (param $sg i32) (param $out i32) (param $xi i32)
    (param $n i32) (param $d i32) (param $k1 i32) (param $k2 i32)
    (local $row i32) (local $j i32) (local $rowoff i32) (local $d4 i32) (local $p i32) (local $jb i32)
    (local $a v128) (local $bb v128)${noisy ? `\n    ${noiseLocals()}` : ''}${noisy ? keySetup : ''}
    (local.set $d4 (i32.shl (local.get $d) (i32.const 2)))
    (local.set $row (i32.const 0))${loop('rows', 'row', 'n', rows, '    ')})
`;
};

const backward = (noisy: boolean) => {
  const I = '          ';
  const body = () => `
${I}(local.set $dv ${load('dy', 'p')})
${I}(local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $dv) ${load('mu', 'jb')})))
${I}(v128.store align=4 ${at('dmu', 'jb')} (f32x4.add ${load('dmu', 'jb')} (f32x4.mul (local.get $dv) (local.get $a))))${noisy ? `
${I}(local.set $g (f32x4.mul (local.get $dv) ${load('xi', 'p')}))
${I}(local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $g) ${load('sg', 'jb')})))
${I}(v128.store align=4 ${at('dsg', 'jb')} (f32x4.add ${load('dsg', 'jb')} (f32x4.mul (local.get $g) (local.get $bb))))` : ''}`;
  const zero = `
      (local.set $jb (i32.shl (local.get $j) (i32.const 2)))
      (v128.store align=4 ${at('dmu', 'jb')} ${ZERO})${noisy ? `
      (v128.store align=4 ${at('dsg', 'jb')} ${ZERO})` : ''}
      (local.set $j (i32.add (local.get $j) (i32.const 4)))`;
  const rows = `
      (local.set $a (f32x4.splat (f32.load ${atRow('s1', 'row')})))
      (local.set $acc1 ${ZERO})${noisy ? `
      (local.set $bb (f32x4.splat (f32.load ${atRow('s2', 'row')})))
      (local.set $acc2 ${ZERO})` : ''}
      (local.set $rowoff (i32.mul (local.get $row) (local.get $d4)))${columnLoop(false, body, '      ')}
      (f32.store ${atRow('r1', 'row')} ${laneSum('acc1')})${noisy ? `
      (f32.store ${atRow('r2', 'row')} ${laneSum('acc2')})` : ''}
      (local.set $row (i32.add (local.get $row) (i32.const 1)))`;
  return `
  (func (export "${variant('backward', noisy)}")
    (param $dy i32) (param $xi i32) (param $s1 i32) (param $s2 i32) (param $mu i32) (param $sg i32) (param $dmu i32) (param $dsg i32)
    (param $r1 i32) (param $r2 i32) (param $n i32) (param $d i32)
    (local $row i32) (local $j i32) (local $rowoff i32) (local $d4 i32) (local $p i32) (local $jb i32)
    (local $a v128) (local $bb v128) (local $acc1 v128) (local $acc2 v128) (local $dv v128) (local $g v128)
    (local.set $d4 (i32.shl (local.get $d) (i32.const 2)))
    ;; dμ̂ = 0 [, dσ̂ = 0]
    (local.set $j (i32.const 0))${loop('zero', 'j', 'd', zero, '    ')}
    (local.set $row (i32.const 0))${loop('rows', 'row', 'n', rows, '    ')})
`;
};

const rowStats = () => `
  (func (export "rowStats")
    (param $x i32) (param $s1 i32) (param $s2 i32) (param $n i32) (param $d i32)
    (local $row i32) (local $j i32) (local $p i32)
    (local $acc1 v128) (local $acc2 v128) (local $v v128)
    (local.set $p (i32.const 0))
    (local.set $row (i32.const 0))${loop('rows', 'row', 'n', `
      (local.set $acc1 ${ZERO})
      (local.set $acc2 ${ZERO})
      (local.set $j (i32.const 0))${loop('cols', 'j', 'd', `
        (local.set $v (v128.load align=4 ${at('x', 'p')}))
        (local.set $acc1 (f32x4.add (local.get $acc1) (local.get $v)))
        (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $v) (local.get $v))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))`, '      ')}
      (f32.store ${atRow('s1', 'row')} ${laneSum('acc1')})
      (f32.store ${atRow('s2', 'row')} (f32.sqrt (f32.add ${laneSum('acc2')} (f32.const 1e-20))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))`, '    ')})
`;

const inputGrad = (noisy: boolean, withDh: boolean) => {
  let value = '(local.get $a)';
  if (withDh) value = `(f32x4.add ${value} ${load('dh', 'p')})`;
  if (noisy) value = `(f32x4.add ${value} (f32x4.mul ${load('x', 'p')} (local.get $c)))`;
  return `
  (func (export "${variant('inputGrad', noisy, withDh)}")
    (param $x i32) (param $dh i32) (param $r1 i32) (param $r2 i32) (param $s2 i32) (param $dx i32) (param $n i32) (param $d i32)
    (local $row i32) (local $j i32) (local $p i32)
    (local $a v128) (local $c v128)
    (local.set $p (i32.const 0))
    (local.set $row (i32.const 0))${loop('rows', 'row', 'n', `
      (local.set $a (f32x4.splat (f32.load ${atRow('r1', 'row')})))${noisy ? `
      (local.set $c (f32x4.splat (f32.div (f32.load ${atRow('r2', 'row')}) (f32.load ${atRow('s2', 'row')}))))` : ''}
      (local.set $j (i32.const 0))${loop('cols', 'j', 'd', `
        (v128.store align=4 ${at('dx', 'p')} ${value})
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))`, '      ')}
      (local.set $row (i32.add (local.get $row) (i32.const 1)))`, '    ')})
`;
};

const fill = () => `
  (func (export "fill")
    (param $out i32) (param $pairs i32) (param $k1 i32) (param $k2 i32)
    (local $i i32) (local $p i32)
    ${noiseLocals()}${keySetup}
    (local.set $pv_a (v128.const i32x4 0 1 2 3))
    (local.set $pv_b (v128.const i32x4 4 5 6 7))
    (local.set $p (i32.const 0))
    (local.set $i (i32.const 0))${loop('pairs', 'i', 'pairs', `
${noisePairs('      ')}
      (v128.store align=4 ${at('out', 'p')} (local.get $z0_a))
      (v128.store offset=16 align=4 ${at('out', 'p')} (local.get $z1_a))
      (v128.store offset=32 align=4 ${at('out', 'p')} (local.get $z0_b))
      (v128.store offset=48 align=4 ${at('out', 'p')} (local.get $z1_b))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))`, '    ')})
`;

export const source = `
(module
  (import "env" "memory" (memory 1))
${BOTH.flatMap((noisy) => BOTH.map((biased) => forward(noisy, biased))).join('')}
${BOTH.map((noisy) => backward(noisy)).join('')}
${BOTH.flatMap((noisy) => BOTH.map((withDh) => inputGrad(noisy, withDh))).join('')}
${rowStats()}
${fill()})
`;
