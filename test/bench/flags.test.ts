/** The benchmarks' flag reader (bench/util.ts): a mistyped flag stops a benchmark instead of being ignored. */
import { describe, expect, it } from 'vitest';
import { flagReader } from '../../bench/util.js';

describe('bench flagReader', () => {
  it('reads values (whatever they look like) and switches, falls back when a flag is absent', () => {
    const arg = flagReader(['reps', 'server-flags'], ['table'], ['--reps', '7', '--table', '--server-flags', '--trace-gc']);
    expect(arg('reps', '3')).toBe('7');
    expect(arg('server-flags', '')).toBe('--trace-gc');
    expect(flagReader(['reps'], [], [])('reps', '3')).toBe('3');
  });

  it('refuses an unknown or mistyped flag, a stray argument and a missing value, listing the known flags', () => {
    expect(() => flagReader(['examples'], ['full'], ['--example', '64'])).toThrow(/^unknown flag --example; this benchmark takes --examples <value>, --full$/);
    expect(() => flagReader(['examples'], [], ['64'])).toThrow(/unexpected argument '64'/);
    expect(() => flagReader(['examples'], [], ['--examples'])).toThrow(/--examples needs a value/);
    expect(() => flagReader(['examples'], [], [])('reps', '1')).toThrow(/'reps' is not among this benchmark's flags/);
  });
});
