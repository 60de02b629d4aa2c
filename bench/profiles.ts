/**
 * bench/profiles: load time of every shipped device profile, and compile + check time of the law
 * expressions that used to hang or crash the loader (mathjs `rationalize` took 0.7 s on (g+1)^4 and
 * over 90 s on 0.05*(1-g)^5+0.01; g^1e9 aborted V8). Median over `--reps` runs after one warm-up run.
 * Target: every profile loads, and every expression is compiled or refused, in ≤ 200 ms.
 *
 *   node --import tsx bench/profiles.ts [--reps 5]
 */
import { builtinProfileIds, checkLaw, compileLaw, loadProfile } from '../src/device/index.js';
import { flagReader, report, timeMs } from './util.js';

const arg = flagReader(['reps']);
const reps = Number(arg('reps', '5'));

for (const id of builtinProfileIds()) report(`profile ${id}`, { loadMs: timeMs(() => loadProfile(id), reps) });

const EXPRESSIONS = [
  '0.05*(1-g)^5+0.01',
  '(g+1)^4',
  'g^1e9',
  Array.from({ length: 200_000 }, () => 'g').join('+'),
  '(1 - g)^16 * 0.2 + 0.01',
  Array.from({ length: 60 }, (_, k) => `${k}e-3*g`).join(' + '),
  't > 1 ? 0.002 * log(t) * (1 + g^2) : 0',
];
for (const expr of EXPRESSIONS) {
  const where = 'bench.json: /programming/sigma';
  const allowTime = /\bt\b/.test(expr);
  let outcome = 'loaded';
  const ms = timeMs(() => {
    try {
      const law = compileLaw({ type: 'expression', expr, unit: 'gMax' }, { where, kind: 'conductance', gMax: 25e-6, allowTime });
      checkLaw(law, where, true, 'σ');
      outcome = 'loaded';
    } catch {
      outcome = 'refused';
    }
  }, reps);
  report(`expression ${expr.length > 40 ? `${expr.slice(0, 37)}… (${expr.length} chars)` : expr}`, { ms, outcome });
}
