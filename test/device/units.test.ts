import { describe, expect, it } from 'vitest';
import { parseQuantity, toMicroSiemens } from '../../src/device/index.js';

describe('parseQuantity', () => {
  it('parses quantities with units into SI numbers', () => {
    expect(parseQuantity('25 uS', 'conductance', 'x')).toBeCloseTo(25e-6, 18);
    expect(parseQuantity('25 µS', 'conductance', 'x')).toBeCloseTo(25e-6, 18);
    expect(parseQuantity('25 μS', 'conductance', 'x')).toBeCloseTo(25e-6, 18);
    expect(parseQuantity('20 s', 'time', 'x')).toBe(20);
    expect(parseQuantity('250 ns', 'time', 'x')).toBeCloseTo(250e-9, 20);
    expect(parseQuantity('1 day', 'time', 'x')).toBe(86400);
    expect(parseQuantity('1 pJ', 'energy', 'x')).toBeCloseTo(1e-12, 24);
    expect(parseQuantity('0.2 V', 'voltage', 'x')).toBeCloseTo(0.2, 15);
    expect(parseQuantity('0.35 ohm', 'resistance', 'x')).toBeCloseTo(0.35, 15);
    expect(parseQuantity('2 %', 'dimensionless', 'x')).toBeCloseTo(0.02, 15);
    expect(parseQuantity(0.5, 'dimensionless', 'x')).toBe(0.5);
    expect(toMicroSiemens(parseQuantity('88.199997 uS', 'conductance', 'x'))).toBe(88.199997);
  });

  it('rejects unknown units, wrong dimensions and missing units with the location', () => {
    expect(() => parseQuantity('25 uX', 'conductance', 'f.json: /conductance/gMax')).toThrow(/f\.json: \/conductance\/gMax: cannot read '25 uX' \(Unit "uX" not found\)/);
    expect(() => parseQuantity('25 s', 'conductance', 'p')).toThrow(/'25 s' is not a conductance/);
    expect(() => parseQuantity('25', 'conductance', 'p')).toThrow(/has no unit/);
    expect(() => parseQuantity(25, 'time', 'p')).toThrow(/has no unit/);
    expect(() => parseQuantity('abc', 'dimensionless', 'p')).toThrow(/cannot read 'abc'/);
    expect(() => parseQuantity('', 'time', 'p')).toThrow(/empty/);
  });
});
