import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadExperiment, parseExperiment, plan } from '../../src/experiment/index.js';
import { planSize } from '../../src/experiment/plan.js';
import { validateStatic } from '../../src/experiment/validate.js';
import { getMethod } from '../../src/peft/index.js';
import type { PlanInputs } from '../../src/experiment/inputs.js';

/** Plan inputs with made-up hashes: every profile the experiment names resolves to itself. */
const fakeInputs = (profiles: string[] = []): PlanInputs => ({ model: 'm', data: 'd', profiles: new Map(profiles.map((id) => [id, { id, ref: id, hash: `h-${id}` }])) });

const dir = fileURLToPath(new URL('../../experiments/', import.meta.url));
const shipped = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('experiment files', () => {
  it.each(shipped)('shipped %s validates, names registered methods with valid options, and plans', (file) => {
    const { experiment, hash } = loadExperiment(`${dir}${file}`);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    for (const m of experiment.methods) getMethod(m.method).parseOptions({ ...(m.options ?? {}), ...(m.sigmaTarget !== undefined ? { sigmaTarget: 0.01 } : {}) });
    expect(validateStatic(experiment, `${dir}${file}`).errors).toEqual([]);
    const p = plan(experiment, fakeInputs(experiment.profiles));
    expect(planSize(experiment)).toEqual({ adapters: p.adapters.length, evaluations: p.evaluations.length, devices: p.devices.length, total: p.adapters.length + p.evaluations.length + p.devices.length });
    expect(p.adapters.length).toBeGreaterThan(0);
    expect(new Set(p.evaluations.map((e) => e.key)).size).toBe(p.evaluations.length);
  });

  it.each(['stochgrasp-study.json', 'fig6-sst2.json'])('study %s has ≥ 3 training seeds, ≥ 3 noise seeds and a baseline to compare with', (file) => {
    const { experiment } = loadExperiment(`${dir}${file}`);
    expect(experiment.seeds.train.length).toBeGreaterThanOrEqual(3);
    expect(experiment.seeds.noise!.length).toBeGreaterThanOrEqual(3);
    expect(experiment.compareTo).toBe('grasp-weight');
  });

  it('reports every schema error at once, each with the file and a JSON pointer', () => {
    const bad = { name: 'bad name!', model: 'm', task: { id: 'sst2', maxLength: 2 }, methods: [{ method: 'grasp', colour: 'red' }], training: { lr: -1 }, evaluation: {}, seeds: { train: [] } };
    let msg = '';
    try {
      parseExperiment(bad, 'experiments/bad.json');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/experiments\/bad.json: \/name: must match pattern/);
    expect(msg).toMatch(/experiments\/bad.json: \/task\/maxLength: must be >= 8/);
    expect(msg).toMatch(/experiments\/bad.json: \/methods\/0: must NOT have additional properties 'colour'/);
    expect(msg).toMatch(/experiments\/bad.json: \/training\/lr: must be > 0/);
    expect(msg).toMatch(/experiments\/bad.json: \/seeds\/train: must NOT have fewer than 1 items/);
  });

  it('rejects duplicate method ids and a from-profile σ_target without profiles', () => {
    const base = { name: 'x', model: 'm', task: { id: 'spam' }, training: {}, evaluation: {}, seeds: { train: [0] } };
    expect(() => parseExperiment({ ...base, methods: [{ method: 'grasp' }, { method: 'grasp' }] }, 'e.json')).toThrow(/'grasp' is used twice/);
    const e = parseExperiment({ ...base, methods: [{ method: 'stochgrasp', sigmaTarget: { fromProfile: true } }] }, 'e.json');
    expect(() => plan(e, fakeInputs())).toThrow(/needs at least one entry in "profiles"/);
  });
});
