/**
 * An experiment's `periphery.area` (the area estimate's parameters, src/crossbar/cost-parameters.ts):
 * known keys and sweeps over them validate; an unknown key names the closest known one and its
 * pointer, and a bad value is refused by the crossbar with its field.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseExperiment, type Experiment } from '../../src/experiment/index.js';
import { validateStatic } from '../../src/experiment/validate.js';

const tiny = fileURLToPath(new URL('../fixtures/experiments/tiny.json', import.meta.url));
const base = (): Experiment => JSON.parse(readFileSync(tiny, 'utf8')) as Experiment;

describe('periphery.area in experiments', () => {
  it('accepts the area parameters and sweeps over them', () => {
    const e = base();
    e.periphery = { ...(e.periphery ?? {}), area: { cellArea: 12, featureSize: 2.2e-8 } };
    e.sweeps = { 'area.featureSize': [3.2e-8, 1.4e-8] };
    expect(validateStatic(parseExperiment(e, 'exp.json'), '/x/exp.json').errors).toEqual([]);
  });

  it('names an unknown area key with the closest known one, and a bad value with its field', () => {
    const e = base();
    e.periphery = { ...(e.periphery ?? {}), area: { cellAreaa: 12 } };
    e.sweeps = { 'area.featureSize': [-1] };
    const all = validateStatic(parseExperiment(e, 'exp.json'), '/x/exp.json').errors.join('\n');
    expect(all).toMatch(/\/x\/exp\.json: \/periphery\/area\/cellAreaa: unknown periphery setting 'area\.cellAreaa' \(did you mean 'area\.cellArea'\?\)/);
    expect(all).toMatch(/\/sweeps\/area\.featureSize\/0: .*area\.featureSize must be a finite number > 0, got -1/);
  });
});
