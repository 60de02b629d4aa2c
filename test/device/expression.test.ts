import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../src/device/index.js';

describe('restricted law expressions', () => {
  it('evaluates arithmetic, whitelisted functions, conditionals and clamp', () => {
    const e = compileExpression('min(max(-0.0155*log(g) + 0.0244, 0.049), 0.1)', ['g'], 'x');
    expect(e.evaluate(0.5, 0)).toBeCloseTo(0.049, 12);
    expect(e.evaluate(0, 0)).toBe(0.1);
    const c = compileExpression('t > 0 ? clamp(0.04*log(t) + 0.41, 0, 1) : 0', ['g', 't'], 'x');
    expect(c.evaluate(0.3, 0)).toBe(0);
    expect(c.evaluate(0.3, Math.E)).toBeCloseTo(0.45, 12);
    expect(compileExpression('sqrt(-1)', ['g'], 'x').evaluate(0, 0)).toBeNaN();
  });

  it('detects polynomials in g', () => {
    expect(compileExpression('0.26348 + 1.9650*g - 1.1731*g^2', ['g'], 'x').polynomial).toEqual([0.26348, 1.965, -1.1731]);
    expect(compileExpression('min(g, 1)', ['g'], 'x').polynomial).toBeNull();
    expect(compileExpression('g*t', ['g', 't'], 'x').polynomial).toBeNull();
  });

  it.each([
    ['f(x) = x', /function definition is not allowed/],
    ['a = 3', /assignment is not allowed/],
    ['evaluate("1+1")', /only numbers are allowed as constants|function 'evaluate' is not allowed/],
    ['evaluate(g)', /function 'evaluate' is not allowed/],
    ['parse(g)', /function 'parse' is not allowed/],
    ['import(g)', /function 'import' is not allowed/],
    ['createUnit(g)', /function 'createUnit' is not allowed/],
    ['g.constructor', /property or index access is not allowed/],
    ['[1, 2]', /a matrix or array is not allowed/],
    ['{a: 1}', /an object is not allowed/],
    ['x + 1', /unknown name 'x'/],
    ['g; g', /block of several statements is not allowed/],
    ['1 +', /does not parse/],
    ['"abc"', /only numbers are allowed/],
  ])('rejects %s', (text, message) => {
    expect(() => compileExpression(text, ['g'], 'dev.json: /programming/sigma/expr')).toThrow(message);
    expect(() => compileExpression(text, ['g'], 'dev.json: /programming/sigma/expr')).toThrow(/dev\.json: \/programming\/sigma\/expr: expression/);
  });

  it('rejects t where the law may not depend on time', () => {
    expect(() => compileExpression('g*t', ['g'], 'x')).toThrow(/unknown name 't'.*t is not allowed in this law/);
  });
});
