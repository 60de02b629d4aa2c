/** Backend names come from one registry: its order is 'auto''s order, aliases resolve, a typo gets a suggestion. */
import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES, parseBackendName } from '../../src/tensor/index.js';

describe('backend names', () => {
  it('resolve names and aliases, in any case; auto and empty mean auto', () => {
    expect(BACKEND_NAMES).toEqual(['tensorflow', 'wasm', 'cpu']);
    expect(parseBackendName(' WASM ', '--backend')).toBe('wasm');
    expect(parseBackendName('node', '--backend')).toBe('tensorflow');
    expect(parseBackendName('tfjs-node', 'GRASP_HIL_BACKEND')).toBe('tensorflow');
    expect(parseBackendName('auto', '--backend')).toBe('auto');
    expect(parseBackendName('', '--backend')).toBe('auto');
  });

  it('refuse anything else, naming the source, the known backends, auto, the aliases and the closest name', () => {
    expect(() => parseBackendName('wsam', 'GRASP_HIL_BACKEND')).toThrow(
      "GRASP_HIL_BACKEND: unknown backend 'wsam'; known backends: tensorflow, wasm, cpu; did you mean 'wasm'? — or auto (the first that starts, in that order); tensorflow (alias node, tfjs-node)",
    );
  });
});
