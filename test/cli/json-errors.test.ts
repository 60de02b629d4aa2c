/**
 * Every JSON file a user hands grasp-hil — an experiment, a device profile, an adapter's
 * adapter_config.json, a run's training.json — reports a syntax error as `file:line:column` of the
 * first problem, so that an editor or terminal can jump to it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/device/index.js';
import { loadExperiment } from '../../src/experiment/index.js';
import { readTraining } from '../../src/experiment/train.js';
import { parseAdapterConfig } from '../../src/peft/index.js';

/** Line 3, column 11 holds the stray ']' (no ':' after the key). */
const BROKEN = '{\n  "name": "x",\n  "model" ]\n}\n';
const AT = ':3:11: not valid JSON: expected \':\'';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
}

describe('JSON syntax errors name file:line:column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'json-errors-'));

  it('experiment file', () => {
    const f = join(dir, 'exp.json');
    writeFileSync(f, BROKEN);
    expect(messageOf(() => loadExperiment(f))).toBe(`${f}${AT}`);
  });

  it('device profile', () => {
    const f = join(dir, 'profile.json');
    writeFileSync(f, BROKEN);
    expect(messageOf(() => loadProfile(f))).toBe(`${f}${AT}`);
  });

  it('adapter_config.json', () => {
    const f = join(dir, 'adapter_config.json');
    expect(messageOf(() => parseAdapterConfig(BROKEN, f))).toMatch(new RegExp(`^${f}${AT}; an adapter folder needs`.replace(/[.]/g, '\\.')));
  });

  it("a run's training.json", () => {
    const out = join(dir, 'reports');
    mkdirSync(join(out, 'adapters', 'k'), { recursive: true });
    const f = join(out, 'adapters', 'k', 'training.json');
    writeFileSync(f, BROKEN);
    expect(messageOf(() => readTraining(out, 'k'))).toMatch(new RegExp(`^${f}${AT} \\(incomplete or corrupted\\); delete the folder`.replace(/[.]/g, '\\.')));
  });
});
