import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/base/registry.js';

describe('Registry', () => {
  const fresh = () => {
    const r = new Registry<number>('law type', 'types');
    r.add('expression', 1);
    r.add('table', 2);
    r.add('time-table', 3);
    return r;
  };

  it('gets entries by name and lists names in registration order', () => {
    const r = fresh();
    expect(r.get('table')).toBe(2);
    expect(r.find('spline')).toBeUndefined();
    expect(r.names()).toEqual(['expression', 'table', 'time-table']);
    expect(r.values()).toEqual([1, 2, 3]);
  });

  it('names the kind, the place, the known names and a likely typo in one wording', () => {
    const r = fresh();
    expect(() => r.get('tabel', 'p.json: /drift/nuMean/type')).toThrow(
      "p.json: /drift/nuMean/type: unknown law type 'tabel'; known types: expression, table, time-table; did you mean 'table'?",
    );
    expect(r.unknownMessage('spline')).toBe("unknown law type 'spline'; known types: expression, table, time-table");
    expect(r.unknownMessage(undefined)).toBe("unknown law type 'undefined'; known types: expression, table, time-table");
  });

  it('refuses a second entry with the same name', () => {
    expect(() => fresh().add('table', 4)).toThrow("law type 'table' is already registered");
  });
});
