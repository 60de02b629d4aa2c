import { describe, expect, it } from 'vitest';
import { lineColumn, parseJsonText } from '../../src/io/json.js';

describe('JSON files', () => {
  it('a syntax error names file:line:column and what was expected', () => {
    const cases: [string, RegExp][] = [
      ['{"a": 1,\n  "b" 2}', /^x\.json:2:7: not valid JSON: expected ':'$/],
      ['{"a": 1,\n}', /^x\.json:2:1: not valid JSON: expected a property name in double quotes$/],
      ['{\n  "a": [1, 2,\n\n  x]}', /^x\.json:4:3: not valid JSON: unexpected character$/],
      ['{"a": 1} // note', /^x\.json:1:10: not valid JSON: /],
      ['', /^x\.json:1:1: not valid JSON: expected a value$/],
    ];
    for (const [text, message] of cases) expect(() => parseJsonText(text, 'x.json')).toThrow(message);
  });

  it('valid JSON parses as JSON.parse does; columns count from 1', () => {
    expect(parseJsonText('{"a": [1, {"b": null}]}', 'x.json')).toEqual({ a: [1, { b: null }] });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
