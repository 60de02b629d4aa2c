import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultStore } from '../../src/results/index.js';

const row = (key: string) => ({ key, kind: 'noise' as const, experiment: 'x', experimentHash: 'h', metric: 0.5 });

describe('ResultStore', () => {
  it('appends rows and skips none on reopen', () => {
    const p = join(mkdtempSync(join(tmpdir(), 'store-')), 'r', 'results.jsonl');
    const { store } = ResultStore.open(p);
    store.append(row('a'));
    store.append(row('b'));
    expect(() => store.append(row('a'))).toThrow(/already stored/);
    const again = ResultStore.open(p);
    expect(again.recovered).toEqual([]);
    expect(again.store.rows().map((r) => r.key)).toEqual(['a', 'b']);
    expect(again.store.has('b')).toBe(true);
  });

  it('recovers from a torn last line: keeps every complete row, moves the fragment aside, says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const p = join(dir, 'results.jsonl');
    writeFileSync(p, `${JSON.stringify(row('a'))}\n${JSON.stringify(row('b'))}\n`);
    appendFileSync(p, '{"key":"c","kind":"noi');
    const { store, recovered } = ResultStore.open(p);
    expect(store.rows().map((r) => r.key)).toEqual(['a', 'b']);
    expect(recovered[0]).toMatch(/incomplete or corrupted.*kept 2 complete rows/);
    expect(readFileSync(p, 'utf8').endsWith('\n')).toBe(true);
    expect(readdirSync(dir).some((f) => f.startsWith('results.jsonl.corrupt-'))).toBe(true);
    store.append(row('c'));
    expect(ResultStore.open(p).store.rows().map((r) => r.key)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a corrupted line in the middle, naming the line', () => {
    const p = join(mkdtempSync(join(tmpdir(), 'store-')), 'results.jsonl');
    writeFileSync(p, `${JSON.stringify(row('a'))}\nnot json\n${JSON.stringify(row('b'))}\n`);
    expect(() => ResultStore.open(p)).toThrow(/line 2 is not a valid result row/);
  });

  it('read() for reports names a missing file and what to do', () => {
    expect(() => ResultStore.read('/nonexistent/results.jsonl')).toThrow(/no results file.*grasp-hil run/);
    expect(existsSync('/nonexistent')).toBe(false);
  });
});
