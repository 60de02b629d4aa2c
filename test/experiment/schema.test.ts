import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROFILE_SCHEMA_PATH } from '../../src/device/index.js';
import { EXPERIMENT_SCHEMA, EXPERIMENT_SCHEMA_PATH, loadExperiment, parseExperiment, PERIPHERY_KEYS, plan } from '../../src/experiment/index.js';
import { planSize } from '../../src/experiment/plan.js';
import { validateStatic } from '../../src/experiment/validate.js';
import { getMethod, splitTokensOption } from '../../src/peft/index.js';
import type { PlanInputs } from '../../src/experiment/inputs.js';

/** Plan inputs with made-up hashes: every profile the experiment names resolves to itself. */
const fakeInputs = (profiles: string[] = []): PlanInputs => ({ model: 'm', data: 'd', profiles: new Map(profiles.map((id) => [id, { id, ref: id, hash: `h-${id}` }])) });

const dir = fileURLToPath(new URL('../../experiments/', import.meta.url));
const shipped = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('experiment files', () => {
  it.each(shipped)('shipped %s validates, names registered methods with valid options, and plans', (file) => {
    const { experiment, hash } = loadExperiment(`${dir}${file}`);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    // trainableTokens is every method's option (peft/trainable-tokens.ts), checked apart from the method's own.
    for (const m of experiment.methods) getMethod(m.method).parseOptions({ ...splitTokensOption(m.options ?? {}).rest, ...(m.sigmaTarget !== undefined ? { sigmaTarget: 0.01 } : {}) });
    const checked = validateStatic(experiment, `${dir}${file}`);
    expect(checked.errors).toEqual([]);
    const p = plan(experiment, { ...fakeInputs(experiment.profiles), adapters: checked.adapters });
    expect(planSize(experiment)).toEqual({ adapters: p.adapters.length, evaluations: p.evaluations.length, devices: p.devices.length, total: p.adapters.length + p.evaluations.length + p.devices.length });
    expect(p.adapters.length + p.supplied.length).toBeGreaterThan(0); // adapters to train, or supplied ones
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

/** JSON pointers of every property (and additionalProperties schema) without a description, following local $refs. */
function undescribed(schema: Record<string, unknown>): string[] {
  const root = schema;
  const missing: string[] = [];
  const deref = (s: Record<string, unknown>): Record<string, unknown> => {
    const ref = s.$ref;
    if (typeof ref !== 'string') return s;
    return ref.slice(2).split('/').reduce((o: Record<string, unknown>, k) => o[k] as Record<string, unknown>, root);
  };
  const visit = (s: unknown, at: string): void => {
    if (!s || typeof s !== 'object') return;
    const node = s as Record<string, unknown>;
    for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
      if (!v.description && !deref(v).description) missing.push(`${at}/properties/${k}`);
      visit(v, `${at}/properties/${k}`);
    }
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      const a = node.additionalProperties as Record<string, unknown>;
      if (!a.description && !deref(a).description) missing.push(`${at}/additionalProperties`);
      visit(a, `${at}/additionalProperties`);
    }
    visit(node.items, `${at}/items`);
    for (const key of ['oneOf', 'anyOf'] as const) ((node[key] ?? []) as unknown[]).forEach((b, i) => visit(b, `${at}/${key}/${i}`));
    for (const [k, v] of Object.entries((node.$defs ?? {}) as Record<string, unknown>)) visit(v, `${at}/$defs/${k}`);
  };
  visit(schema, '#');
  return missing;
}

describe('schemas', () => {
  const experimentSchema = JSON.parse(readFileSync(EXPERIMENT_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const profileSchema = JSON.parse(readFileSync(PROFILE_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;

  it('have absolute, consistent $ids', () => {
    expect(experimentSchema.$id).toBe('https://grasp-hil.dev/schema/experiment.schema.json');
    expect(profileSchema.$id).toBe('https://grasp-hil.dev/schema/device-profile.schema.json');
  });

  it.each([['experiment', experimentSchema], ['device profile', profileSchema]] as const)('%s schema describes every property', (_, schema) => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('the walker finds a property without a description', () => {
    expect(undescribed({ properties: { a: { type: 'object', properties: { b: { type: 'number' } } } } })).toEqual(['#/properties/a', '#/properties/a/properties/b']);
  });

  it('states units of times and describes every periphery key the experiment accepts', () => {
    const props = experimentSchema.properties as Record<string, Record<string, unknown>>;
    const ev = (props.evaluation.properties as Record<string, Record<string, Record<string, Record<string, string>>>>);
    expect(ev.hardware.properties.times.description).toMatch(/seconds after programming/);
    expect(ev.device.properties.times.description).toMatch(/seconds after programming/);
    const paths = (s: Record<string, unknown>, prefix = ''): string[] =>
      Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>).flatMap(([k, v]) => [`${prefix}${k}`, ...paths(v, `${prefix}${k}.`)]);
    expect(paths(props.periphery).sort()).toEqual([...PERIPHERY_KEYS].sort());
  });

  it('the shipped experiment schema file is the one source (src/experiment/experiment-schema.ts) written out', () => {
    // After editing experiment-schema.ts: node --import tsx scripts/write-schemas.ts
    expect(experimentSchema).toEqual(EXPERIMENT_SCHEMA);
  });

  it('an unknown key names the closest known one', () => {
    const e = { name: 'x', model: 'm', task: { id: 'spam' }, methods: [{ method: 'grasp' }], training: {}, evaluation: {}, seeds: { train: [0] }, comparTo: 'grasp' };
    expect(() => parseExperiment(e, 'e.json')).toThrow(/e.json: \/: must NOT have additional properties 'comparTo' \(did you mean 'compareTo'\?\); known: name, description/);
  });
});
