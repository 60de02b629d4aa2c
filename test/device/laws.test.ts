import { describe, expect, it } from 'vitest';
import { builtinProfileIds, checkLaw, compileExpression, compileLaw, lawTypes, loadProfile, type LawSpec } from '../../src/device/index.js';

const ctx = (over: Partial<Parameters<typeof compileLaw>[1]> = {}) => ({ where: 'p.json: /law', kind: 'conductance' as const, gMax: 25e-6, allowTime: false, ...over });

/** Every expression law of g alone in the shipped profiles, with its pointer and unit. */
function shippedExpressionLaws(): { id: string; pointer: string; spec: LawSpec }[] {
  const out: { id: string; pointer: string; spec: LawSpec }[] = [];
  for (const id of builtinProfileIds()) {
    const walk = (v: unknown, p: string): void => {
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (o.type === 'expression' && typeof o.expr === 'string' && !/\bt\b/.test(o.expr)) out.push({ id, pointer: p, spec: o as unknown as LawSpec });
      for (const [k, x] of Object.entries(o)) walk(x, `${p}/${k}`);
    };
    walk(loadProfile(id).json, '');
  }
  return out;
}

describe('laws', () => {
  it('registers expression, table, constant and time-table', () => {
    expect(lawTypes()).toEqual(expect.arrayContaining(['expression', 'table', 'constant', 'time-table']));
    expect(() => compileLaw({ type: 'spline' } as LawSpec, ctx())).toThrow(/unknown law type 'spline'; known types: expression, table, constant, time-table/);
  });

  it('converts units to fractions of g_max', () => {
    const law = compileLaw({ type: 'expression', expr: '0.26348 + 1.9650*g - 1.1731*g^2', unit: 'uS' }, ctx());
    expect(law.at(0).value(0.5)).toBeCloseTo((0.26348 + 0.9825 - 1.1731 * 0.25) / 25, 12);
    expect(compileLaw({ type: 'constant', value: '0.5 uS' }, ctx()).at(0).value(0.3)).toBeCloseTo(0.02, 12);
    expect(compileLaw({ type: 'constant', value: 0.01, unit: 'gMax' }, ctx()).at(0).constant).toBe(0.01);
    expect(compileLaw({ type: 'constant', value: 2, unit: '%' }, ctx({ kind: 'dimensionless' })).at(0).constant).toBeCloseTo(0.02, 15);
    expect(() => compileLaw({ type: 'constant', value: 1, unit: 'uX' }, ctx())).toThrow(/p\.json: \/law\/unit: cannot read '1 uX'/);
    expect(() => compileLaw({ type: 'constant', value: 1 }, ctx())).toThrow(/needs a unit/);
  });

  it('compiled shipped laws are within 2e-5 of the exact expression (relative to the law range)', () => {
    let worst = 0;
    for (const { id, pointer, spec } of shippedExpressionLaws()) {
      const kind = /nu|q$|variation/.test(pointer) ? 'dimensionless' as const : 'conductance' as const;
      const model = loadProfile(id);
      const law = compileLaw(spec, { where: pointer, kind, gMax: model.gMax, allowTime: false }).at(0);
      const exact = compileExpression(spec.expr as string, ['g'], pointer);
      const scale = kind === 'conductance' ? (spec.unit === 'gMax' ? 1 : (spec.unit === 'uS' ? 1e-6 : 1) / model.gMax) : 1;
      let range = 0;
      for (let i = 0; i <= 100; i++) range = Math.max(range, Math.abs(exact.evaluate(i / 100, 0) * scale));
      const g = new Float32Array(20001).map((_, i) => i / 20000);
      const out = law.fill(g, new Float32Array(g.length));
      for (let i = 0; i < g.length; i++) {
        const err = Math.abs(out[i] - exact.evaluate(g[i], 0) * scale) / Math.max(range, 1e-30);
        worst = Math.max(worst, err);
      }
    }
    expect(worst).toBeLessThan(2e-5);
  });

  it('tables interpolate piecewise linearly and hold their end values', () => {
    const t = compileLaw({ type: 'table', g: [0, 0.5, 1], value: [1, 3, 2], unit: '1' }, ctx({ kind: 'dimensionless' })).at(0);
    expect(t.value(0.25)).toBeCloseTo(2, 12);
    expect(t.value(0.75)).toBeCloseTo(2.5, 12);
    expect(t.value(-1)).toBe(1);
    expect(t.value(2)).toBe(2);
    expect(() => compileLaw({ type: 'table', g: [0, 0.5, 0.4], value: [1, 2, 3] }, ctx({ kind: 'dimensionless' }))).toThrow(/\/law\/g\/2: g must increase strictly/);
    expect(() => compileLaw({ type: 'table', g: [0, 1.5], value: [1, 2] }, ctx({ kind: 'dimensionless' }))).toThrow(/\/law\/g\/1: g must lie in \[0, 1\]/);
  });

  it('time-tables interpolate in log t between given times', () => {
    const law = compileLaw({
      type: 'time-table', t: ['1 s', '100 s'],
      laws: [{ type: 'constant', value: 1, unit: 'gMax' }, { type: 'constant', value: 3, unit: 'gMax' }],
    } as LawSpec, ctx({ allowTime: true }));
    expect(law.timeDependent).toBe(true);
    expect(law.at(0.5).value(0.3)).toBe(1);
    expect(law.at(10).value(0.3)).toBeCloseTo(2, 6);
    expect(law.at(1e6).value(0.3)).toBe(3);
  });

  it('checkLaw rejects negative σ and NaN anywhere on [0, 1], naming the point', () => {
    const neg = compileLaw({ type: 'expression', expr: '0.1 - 0.2*g', unit: 'uS' }, ctx());
    expect(() => checkLaw(neg, 'p.json: /programming/sigma', true, 'σ_prog')).toThrow(/p\.json: \/programming\/sigma: σ_prog is negative \(.*\) at g = 0\.50\d*/);
    const nan = compileLaw({ type: 'expression', expr: 'sqrt(g - 0.5)', unit: 'uS' }, ctx());
    expect(() => checkLaw(nan, 'x', true)).toThrow(/is NaN at g = 0/);
    const inf = compileLaw({ type: 'expression', expr: '1/g', unit: 'uS' }, ctx());
    expect(() => checkLaw(inf, 'x', false)).toThrow(/is (Infinity|NaN) at g = 0/);
    const timeNeg = compileLaw({ type: 'expression', expr: '0.04*log(t) + 0.4', unit: 'uS' }, ctx({ allowTime: true }));
    expect(() => checkLaw(timeNeg, 'x', true)).toThrow(/at t = 0 s/);
  });

  it('evaluates a million devices quickly (vectorised)', () => {
    const law = compileLaw({ type: 'expression', expr: 'min(0.0088 / max(g^0.65, 1e-3), 0.2)', unit: '1' }, ctx({ kind: 'dimensionless' })).at(0);
    const g = new Float32Array(1_000_000).map((_, i) => (i % 1000) / 1000);
    const out = new Float32Array(g.length);
    law.fill(g, out);
    const t0 = performance.now();
    law.fill(g, out);
    expect(performance.now() - t0).toBeLessThan(500); // ≈ 15 ms unloaded; generous for a shared machine
  });
});
